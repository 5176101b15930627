import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR, model_view

WEEK = 7 * 86400


def test_reduce_releases_unfilled_first_then_filled_to_idle(pool, staked, alice):
    pool.requestDecrease(staked, 150 * NMR, {"from": alice})
    pool.reduceDecrease(staked, 70 * NMR, {"from": alice})
    view = model_view(pool, staked)
    assert (view["decreaseTotal"], view["decreaseFilled"], view["decreaseUnfilled"]) == (80 * NMR, 80 * NMR, 0)
    assert (view["idle"], view["atRisk"], view["decreaseRiskRound"]) == (20 * NMR, 200 * NMR, 0)


def test_reduce_keeps_the_clock(pool, staked, alice, chain):
    tx = pool.requestDecrease(staked, 150 * NMR, {"from": alice})
    chain.sleep(86400)
    pool.reduceDecrease(staked, 10 * NMR, {"from": alice})
    assert model_view(pool, staked)["decreaseStartedAt"] == tx.timestamp


def test_reduce_emits_decrease_reduced(pool, staked, alice):
    pool.requestDecrease(staked, 150 * NMR, {"from": alice})
    tx = pool.reduceDecrease(staked, 70 * NMR, {"from": alice})
    assert tx.events["DecreaseReduced"] == {"model": staked, "owner": alice, "amount": 70 * NMR, "remaining": 80 * NMR}


def test_tranches_after_a_reduction_follow_the_new_total_on_the_old_clock(pool, staked, alice, chain):
    pool.requestDecrease(staked, 100 * NMR, {"from": alice})
    chain.sleep(WEEK)
    chain.mine()
    pool.reduceDecrease(staked, 20 * NMR, {"from": alice})
    assert pool.unlockable(staked) == 20 * NMR


def test_reduce_above_remaining_reverts(pool, staked, alice):
    pool.requestDecrease(staked, 150 * NMR, {"from": alice})
    with brownie.reverts(custom_error(pool, "PayoutPoolDecreaseTooLarge", staked, 150 * NMR, 151 * NMR)):
        pool.reduceDecrease(staked, 151 * NMR, {"from": alice})


def test_reduce_zero_reverts(pool, staked, alice):
    pool.requestDecrease(staked, 150 * NMR, {"from": alice})
    with brownie.reverts(custom_error(pool, "PayoutPoolZeroAmount")):
        pool.reduceDecrease(staked, 0, {"from": alice})


def test_reduce_without_a_decrease_reverts(pool, staked, alice):
    with brownie.reverts(custom_error(pool, "PayoutPoolNoDecrease", staked)):
        pool.reduceDecrease(staked, NMR, {"from": alice})


def test_reduce_by_other_roles_reverts(pool, staked, alice, bob, rando, operator, admin):
    pool.requestDecrease(staked, 150 * NMR, {"from": alice})
    for caller in (bob, rando, operator, admin):
        with brownie.reverts(custom_error(pool, "PayoutPoolNotOwner", staked, caller)):
            pool.reduceDecrease(staked, NMR, {"from": caller})
