import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR, model_view, user_view

WEEK = 7 * 86400


def test_cancel_returns_filled_nmr_to_idle_and_leaves_unfilled_staked(pool, staked, alice):
    pool.requestDecrease(staked, 150 * NMR, {"from": alice})
    pool.cancelDecrease(staked, {"from": alice})
    view = model_view(pool, staked)
    assert (view["idle"], view["atRisk"]) == (100 * NMR, 200 * NMR)
    assert (view["decreaseTotal"] - view["decreaseReleased"], view["decreaseFilled"], view["decreaseUnfilled"]) == (0, 0, 0)


def test_cancel_emits_decrease_reduced_to_zero(pool, staked, alice):
    pool.requestDecrease(staked, 150 * NMR, {"from": alice})
    tx = pool.cancelDecrease(staked, {"from": alice})
    assert tx.events["DecreaseReduced"] == {"model": staked, "owner": alice, "amount": 150 * NMR, "remaining": 0}


def test_cancel_after_a_tranche_keeps_what_was_unlocked(pool, staked, alice, chain):
    pool.requestDecrease(staked, 100 * NMR, {"from": alice})
    chain.sleep(WEEK)
    chain.mine()
    pool.unlock(staked, {"from": alice})
    pool.cancelDecrease(staked, {"from": alice})
    assert user_view(pool, alice)["liquid"] == 725 * NMR
    assert model_view(pool, staked)["idle"] == 75 * NMR


def test_cancel_without_a_decrease_reverts(pool, staked, alice):
    with brownie.reverts(custom_error(pool, "PayoutPoolNoDecrease", staked)):
        pool.cancelDecrease(staked, {"from": alice})


def test_cancel_by_other_roles_reverts(pool, staked, alice, bob, rando, operator, admin):
    pool.requestDecrease(staked, 150 * NMR, {"from": alice})
    for caller in (bob, rando, operator, admin):
        with brownie.reverts(custom_error(pool, "PayoutPoolNotOwner", staked, caller)):
            pool.cancelDecrease(staked, {"from": caller})


def test_cancel_is_allowed_while_paused(pool, staked, admin, alice):
    pool.requestDecrease(staked, 150 * NMR, {"from": alice})
    pool.setPaused(True, {"from": admin})
    pool.cancelDecrease(staked, {"from": alice})
    assert model_view(pool, staked)["idle"] == 100 * NMR
