"""Every state-changing function with an access rule, called by every role it does not admit.

Roles: admin, operator, treasury, alice (owner of the models used here), bob (another owner),
rando (nobody). Functions anyone may call (deposit, claim, reconcile, invalidateNonces, the
withdrawals of one's own balance, activations, collectFees, relayed signatures) have no
unauthorized role; the signed ones are checked against the wrong signer in their own files.
"""

import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import FIXED, KIND_POOL, NMR, ZERO_MODEL, withdrawal_request

ROLES = ("admin", "operator", "treasury", "alice", "bob", "rando")


def calls(pool, numerai, staked, other, request):
    """name -> (roles allowed, send(caller), expected revert(caller))."""
    def not_owner(model):
        return lambda c: custom_error(pool, "PayoutPoolNotOwner", model, c)

    def missing(role):
        return lambda c: custom_error(pool, "AccessControlUnauthorizedAccount", c, role)

    admin_role, operator_role = "0x" + "00" * 32, brownie.web3.keccak(text="OPERATOR_ROLE").to_0x_hex()
    auth, sig = numerai.authorize(pool, staked, 12, NMR)
    return {
        "increaseStake": ({"alice"}, lambda c: pool.increaseStake(staked, NMR, {"from": c}), not_owner(staked)),
        "unstake": ({"alice"}, lambda c: pool.unstake(staked, NMR, {"from": c}), not_owner(staked)),
        "moveStake": ({"alice"}, lambda c: pool.moveStake(staked, other, NMR, {"from": c}), not_owner(staked)),
        "stake": (
            {"alice", "operator"},
            lambda c: pool.stake(staked, NMR, auth, sig, {"from": c}),
            lambda c: custom_error(pool, "PayoutPoolNotOperatorOrOwner", staked, c),
        ),
        "setPolicy": ({"alice"}, lambda c: pool.setPolicy(staked, NMR, FIXED, {"from": c}), not_owner(staked)),
        "setAllocation": (
            {"alice"}, lambda c: pool.setAllocation(staked, [(KIND_POOL, ZERO_MODEL, 10_000)], {"from": c}), not_owner(staked),
        ),
        "claimBatch": ({"operator"}, lambda c: pool.claimBatch([], {"from": c}), missing(operator_role)),
        "executeFreeWithdrawals": (
            {"operator"}, lambda c: pool.executeFreeWithdrawals([request], {"from": c}), missing(operator_role),
        ),
        "freeWithdrawalStep": (set(), lambda c: pool.freeWithdrawalStep(request, {"from": c}),
                               lambda c: custom_error(pool, "PayoutPoolOnlySelf")),
        "claimStep": (set(), lambda c: pool.claimStep((staked, 10, 0, 0, []), False, {"from": c}),
                      lambda c: custom_error(pool, "PayoutPoolOnlySelf")),
        "setParams": ({"admin"}, lambda c: pool.setParams((86400, 0, 0, 0), {"from": c}), missing(admin_role)),
        "announceOperator": ({"admin"}, lambda c: pool.announceOperator(c, {"from": c}), missing(admin_role)),
        "setTreasury": ({"admin"}, lambda c: pool.setTreasury(c, {"from": c}), missing(admin_role)),
        "setPaused": ({"admin"}, lambda c: pool.setPaused(True, {"from": c}), missing(admin_role)),
        "revokeRole": ({"admin"}, lambda c: pool.revokeRole(operator_role, c, {"from": c}), missing(admin_role)),
        "grantRole(operator)": (set(), lambda c: pool.grantRole(operator_role, c, {"from": c}),
                                lambda c: custom_error(pool, "PayoutPoolOperatorChangeIsDelayed")),
        "beginDefaultAdminTransfer": ({"admin"}, lambda c: pool.beginDefaultAdminTransfer(c, {"from": c}), missing(admin_role)),
        "cancelDefaultAdminTransfer": ({"admin"}, lambda c: pool.cancelDefaultAdminTransfer({"from": c}), missing(admin_role)),
        "changeDefaultAdminDelay": ({"admin"}, lambda c: pool.changeDefaultAdminDelay(0, {"from": c}), missing(admin_role)),
        "rollbackDefaultAdminDelay": ({"admin"}, lambda c: pool.rollbackDefaultAdminDelay({"from": c}), missing(admin_role)),
    }


def test_every_guarded_function_rejects_every_unauthorized_role(pool, numerai, staked, deposited, admin, operator, treasury, alice, bob, rando):
    accounts = {"admin": admin, "operator": operator, "treasury": treasury, "alice": alice, "bob": bob, "rando": rando}
    table = calls(pool, numerai, staked, deposited[1], withdrawal_request(pool, alice, NMR))
    checked = 0
    for name, (allowed, send, expected) in table.items():
        for role in ROLES:
            if role in allowed:
                continue
            caller = accounts[role]
            with brownie.reverts(expected(caller)):
                send(caller)
            checked += 1
    assert checked >= 90


def test_accept_admin_transfer_by_anyone_but_the_pending_admin_reverts(pool, admin, carol, operator, rando):
    pool.beginDefaultAdminTransfer(carol, {"from": admin})
    for caller in (admin, operator, rando):
        with brownie.reverts(custom_error(pool, "AccessControlInvalidDefaultAdmin", caller)):
            pool.acceptDefaultAdminTransfer({"from": caller})
