"""activateParams: applies announced parameters after CHANGE_DELAY; anyone may call."""

import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR

DAY = 86400
NEW = (20 * DAY, 500, 10 * NMR, 50 * NMR)


def test_activate_after_the_delay_applies_and_emits(pool, admin, rando, chain):
    tx = pool.setParams(NEW, {"from": admin})
    chain.sleep(tx.events["ParamsAnnounced"]["effectiveAt"] - chain.time() + 1)
    tx = pool.activateParams({"from": rando})
    assert tuple(int(v) for v in pool.params()) == NEW
    assert tuple(int(v) for v in tx.events["ParamsUpdated"]["params"]) == NEW
    assert pool.pendingParams()[1] == 0
    assert pool.expressFee(1000 * NMR) == 50 * NMR


def test_activate_before_the_delay_reverts(pool, admin, rando, chain):
    tx = pool.setParams(NEW, {"from": admin})
    effective_at = tx.events["ParamsAnnounced"]["effectiveAt"]
    chain.sleep(30 * DAY)
    with brownie.reverts(custom_error(pool, "PayoutPoolNotYetEffective", effective_at)):
        pool.activateParams({"from": rando})


def test_activate_without_announcement_reverts(pool, rando, admin):
    for caller in (rando, admin):
        with brownie.reverts(custom_error(pool, "PayoutPoolNothingAnnounced")):
            pool.activateParams({"from": caller})


def test_a_new_announcement_restarts_the_clock(pool, admin, rando, chain):
    pool.setParams(NEW, {"from": admin})
    chain.sleep(20 * DAY)
    tx = pool.setParams((15 * DAY, 60, 10**18, 6 * NMR), {"from": admin})
    effective_at = tx.events["ParamsAnnounced"]["effectiveAt"]
    chain.sleep(12 * DAY)
    with brownie.reverts(custom_error(pool, "PayoutPoolNotYetEffective", effective_at)):
        pool.activateParams({"from": rando})
