"""setParams, setTreasury, setPaused, collectFees and the inherited role functions."""

import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR

def as_ints(values):
    return tuple(int(v) for v in values)


GOOD = (14 * 86400, 7 * 86400, 50, 5 * 10**17, 5 * NMR)


def test_constructor_sets_the_defaults(pool, treasury):
    assert as_ints(pool.params()) == GOOD
    assert pool.treasury() == treasury
    assert pool.paused() is False


def test_set_params_updates_and_emits(pool, admin):
    new = (86400, 3600, 500, 10 * NMR, 50 * NMR)
    tx = pool.setParams(new, {"from": admin})
    assert as_ints(pool.params()) == new
    assert as_ints(tx.events["ParamsUpdated"]["params"]) == new


def test_set_params_out_of_bounds_reverts(pool, admin):
    cases = {
        "freeWithdrawalPeriod": [(86400 - 1, *GOOD[1:]), (30 * 86400 + 1, *GOOD[1:])],
        "trancheInterval": [(GOOD[0], 3599, *GOOD[2:]), (GOOD[0], 7 * 86400 + 1, *GOOD[2:])],
        "expressFeeBps": [(*GOOD[:2], 501, *GOOD[3:])],
        "expressFlatFee": [(*GOOD[:3], 10 * NMR + 1, GOOD[4])],
        "expressFeeCap": [(*GOOD[:4], 50 * NMR + 1)],
    }
    for field, params_list in cases.items():
        for params in params_list:
            with brownie.reverts(custom_error(pool, "PayoutPoolParamOutOfBounds", field)):
                pool.setParams(params, {"from": admin})


def test_set_treasury_updates_and_emits(pool, admin, treasury, carol):
    tx = pool.setTreasury(carol, {"from": admin})
    assert pool.treasury() == carol
    assert tx.events["TreasuryUpdated"] == {"previousTreasury": treasury, "newTreasury": carol}


def test_zero_treasury_reverts(pool, admin):
    with brownie.reverts(custom_error(pool, "PayoutPoolZeroTreasury")):
        pool.setTreasury("0x" + "00" * 20, {"from": admin})


def test_set_paused_updates_and_emits(pool, admin):
    tx = pool.setPaused(True, {"from": admin})
    assert pool.paused() is True
    assert tx.events["PauseSet"] == {"paused": True, "admin": admin}
    pool.setPaused(False, {"from": admin})
    assert pool.paused() is False


def test_collect_fees_pays_the_treasury(pool, nmr, deposited, alice, treasury, rando):
    pool.withdrawExpress(100 * NMR, {"from": alice})
    tx = pool.collectFees({"from": rando})
    assert nmr.balanceOf(treasury) == NMR
    assert pool.accruedFees() == 0
    assert tx.events["FeesCollected"] == {"treasury": treasury, "amount": NMR}


def test_collect_without_fees_reverts(pool, rando):
    with brownie.reverts(custom_error(pool, "PayoutPoolNoFees")):
        pool.collectFees({"from": rando})


def test_admin_functions_by_other_roles_revert(pool, alice, bob, rando, operator, treasury, admin_role, operator_role):
    for caller in (alice, bob, rando, operator, treasury):
        expected = custom_error(pool, "AccessControlUnauthorizedAccount", caller, admin_role)
        with brownie.reverts(expected):
            pool.setParams(GOOD, {"from": caller})
        with brownie.reverts(expected):
            pool.setTreasury(caller, {"from": caller})
        with brownie.reverts(expected):
            pool.setPaused(True, {"from": caller})
        with brownie.reverts(expected):
            pool.grantRole(operator_role, caller, {"from": caller})
        with brownie.reverts(expected):
            pool.revokeRole(operator_role, operator, {"from": caller})


def test_admin_grants_and_revokes_the_operator(pool, admin, operator, carol, operator_role):
    pool.grantRole(operator_role, carol, {"from": admin})
    pool.revokeRole(operator_role, operator, {"from": admin})
    assert pool.hasRole(operator_role, carol) and not pool.hasRole(operator_role, operator)
