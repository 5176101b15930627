"""setParams: bounds; lower values at once; any increase announced and delayed."""

import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import CHANGE_DELAY, NMR

DAY = 86400
GOOD = (14 * DAY, 50, 5 * 10**17, 5 * NMR)


def as_ints(values):
    return tuple(int(v) for v in values)


def test_constructor_sets_the_defaults(pool, treasury):
    assert as_ints(pool.params()) == GOOD
    assert pool.treasury() == treasury
    assert pool.paused() is False
    assert pool.pendingParams()[1] == 0


def test_lower_values_take_effect_at_once(pool, admin):
    new = (DAY, 10, 10**17, NMR)
    tx = pool.setParams(new, {"from": admin})
    assert as_ints(pool.params()) == new
    assert as_ints(tx.events["ParamsUpdated"]["params"]) == new
    assert "ParamsAnnounced" not in tx.events
    assert pool.pendingParams()[1] == 0


def test_an_increase_is_announced_not_applied(pool, admin):
    new = (20 * DAY, 500, 10 * NMR, 50 * NMR)
    tx = pool.setParams(new, {"from": admin})
    assert as_ints(pool.params()) == GOOD
    announced = tx.events["ParamsAnnounced"]
    assert as_ints(announced["params"]) == new
    assert announced["effectiveAt"] == tx.timestamp + CHANGE_DELAY
    params, effective_at = pool.pendingParams()
    assert (as_ints(params), effective_at) == (new, tx.timestamp + CHANGE_DELAY)


def test_mixed_change_lowers_at_once_and_announces_the_whole(pool, admin):
    new = (DAY, 100, 10**17, 5 * NMR)  # period and flat fee lower, bps higher
    tx = pool.setParams(new, {"from": admin})
    assert as_ints(pool.params()) == (DAY, 50, 10**17, 5 * NMR)
    assert as_ints(tx.events["ParamsUpdated"]["params"]) == (DAY, 50, 10**17, 5 * NMR)
    assert as_ints(tx.events["ParamsAnnounced"]["params"]) == new


def test_a_call_without_increase_cancels_the_announcement(pool, admin):
    pool.setParams((20 * DAY, *GOOD[1:]), {"from": admin})
    pool.setParams(GOOD, {"from": admin})
    assert pool.pendingParams()[1] == 0


def test_delay_is_longer_than_the_longest_free_withdrawal_period(pool):
    assert pool.CHANGE_DELAY() > pool.MAX_FREE_WITHDRAWAL_PERIOD()


def test_set_params_out_of_bounds_reverts(pool, admin):
    cases = {
        "freeWithdrawalPeriod": [(DAY - 1, *GOOD[1:]), (30 * DAY + 1, *GOOD[1:])],
        "expressFeeBps": [(GOOD[0], 501, *GOOD[2:])],
        "expressFlatFee": [(*GOOD[:2], 10 * NMR + 1, GOOD[3])],
        "expressFeeCap": [(*GOOD[:3], 50 * NMR + 1)],
    }
    for field, params_list in cases.items():
        for params in params_list:
            with brownie.reverts(custom_error(pool, "PayoutPoolParamOutOfBounds", field)):
                pool.setParams(params, {"from": admin})


def test_set_params_by_other_roles_reverts(pool, alice, rando, operator, treasury, admin_role):
    for caller in (alice, rando, operator, treasury):
        with brownie.reverts(custom_error(pool, "AccessControlUnauthorizedAccount", caller, admin_role)):
            pool.setParams(GOOD, {"from": caller})
