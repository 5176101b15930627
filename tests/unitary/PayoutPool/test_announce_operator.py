"""announceOperator / activateOperator / grantRole: operator changes are delayed; revoking is not."""

import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import CHANGE_DELAY

DAY = 86400
ZERO = "0x" + "00" * 20


def test_announce_emits_and_records(pool, admin, carol):
    tx = pool.announceOperator(carol, {"from": admin})
    assert tx.events["OperatorAnnounced"] == {"operator": carol, "effectiveAt": tx.timestamp + CHANGE_DELAY}
    operator, effective_at = pool.pendingOperator()
    assert (operator, int(effective_at)) == (carol, tx.timestamp + CHANGE_DELAY)


def test_activate_after_the_delay_grants_the_role(pool, admin, carol, rando, chain, operator_role):
    pool.announceOperator(carol, {"from": admin})
    chain.sleep(CHANGE_DELAY + 1)
    tx = pool.activateOperator({"from": rando})
    assert pool.hasRole(operator_role, carol)
    assert tx.events["RoleGranted"] == {"role": operator_role, "account": carol, "sender": rando}
    assert pool.pendingOperator()[1] == 0


def test_activate_before_the_delay_reverts(pool, admin, carol, rando, chain):
    tx = pool.announceOperator(carol, {"from": admin})
    chain.sleep(30 * DAY)
    with brownie.reverts(custom_error(pool, "PayoutPoolNotYetEffective", tx.timestamp + CHANGE_DELAY)):
        pool.activateOperator({"from": rando})


def test_activate_without_announcement_reverts(pool, rando):
    with brownie.reverts(custom_error(pool, "PayoutPoolNothingAnnounced")):
        pool.activateOperator({"from": rando})


def test_announce_zero_operator_reverts(pool, admin):
    with brownie.reverts(custom_error(pool, "PayoutPoolZeroOperator")):
        pool.announceOperator(ZERO, {"from": admin})


def test_announce_by_other_roles_reverts(pool, alice, rando, operator, treasury, carol, admin_role):
    for caller in (alice, rando, operator, treasury):
        with brownie.reverts(custom_error(pool, "AccessControlUnauthorizedAccount", caller, admin_role)):
            pool.announceOperator(carol, {"from": caller})


def test_grant_role_of_operator_reverts_even_for_the_admin(pool, admin, carol, operator_role):
    with brownie.reverts(custom_error(pool, "PayoutPoolOperatorChangeIsDelayed")):
        pool.grantRole(operator_role, carol, {"from": admin})


def test_revoking_the_operator_is_immediate(pool, admin, operator, operator_role):
    tx = pool.revokeRole(operator_role, operator, {"from": admin})
    assert not pool.hasRole(operator_role, operator)
    assert tx.events["RoleRevoked"] == {"role": operator_role, "account": operator, "sender": admin}


def test_role_functions_by_other_roles_revert(pool, alice, rando, operator, treasury, admin_role, operator_role):
    for caller in (alice, rando, operator, treasury):
        with brownie.reverts(custom_error(pool, "PayoutPoolOperatorChangeIsDelayed")):
            pool.grantRole(operator_role, caller, {"from": caller})
        with brownie.reverts(custom_error(pool, "AccessControlUnauthorizedAccount", caller, admin_role)):
            pool.revokeRole(operator_role, operator, {"from": caller})
        with brownie.reverts(custom_error(pool, "AccessControlUnauthorizedAccount", caller, admin_role)):
            pool.beginDefaultAdminTransfer(caller, {"from": caller})
