import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR, claim, model_view, user_view

WEEK = 7 * 86400


def wait(chain, seconds):
    chain.sleep(seconds)
    chain.mine()


def test_nothing_unlocks_before_the_first_interval(pool, staked, alice, chain):
    pool.requestDecrease(staked, 100 * NMR, {"from": alice})
    wait(chain, WEEK - 60)
    with brownie.reverts(custom_error(pool, "PayoutPoolNothingToUnlock", staked)):
        pool.unlock(staked, {"from": alice})


def test_a_quarter_unlocks_each_interval(pool, staked, alice, chain):
    pool.requestDecrease(staked, 100 * NMR, {"from": alice})
    wait(chain, WEEK)
    pool.unlock(staked, {"from": alice})
    assert user_view(pool, alice)["liquid"] == 725 * NMR
    assert model_view(pool, staked)["decreaseReleased"] == 25 * NMR


def test_missed_tranches_unlock_together(pool, staked, alice, chain):
    pool.requestDecrease(staked, 100 * NMR, {"from": alice})
    wait(chain, 2 * WEEK)
    assert pool.unlockable(staked) == 50 * NMR


def test_everything_unlocks_after_four_intervals(pool, staked, alice, chain):
    pool.requestDecrease(staked, 100 * NMR, {"from": alice})
    wait(chain, WEEK)
    pool.unlock(staked, {"from": alice})
    wait(chain, 10 * WEEK)
    pool.unlock(staked, {"from": alice})
    assert user_view(pool, alice)["liquid"] == 800 * NMR
    assert pool.unlockable(staked) == 0


def test_unlock_emits_unlocked(pool, staked, alice, chain):
    pool.requestDecrease(staked, 100 * NMR, {"from": alice})
    wait(chain, WEEK)
    tx = pool.unlock(staked, {"from": alice})
    assert tx.events["Unlocked"] == {"model": staked, "owner": alice, "amount": 25 * NMR}


def test_unlock_is_limited_to_nmr_no_longer_at_risk(pool, numerai, staked, alice, rando, chain):
    pool.requestDecrease(staked, 150 * NMR, {"from": alice})
    wait(chain, 4 * WEEK)
    assert pool.unlockable(staked) == 100 * NMR
    pool.unlock(staked, {"from": alice})
    claim(pool, numerai.resolve(10, [(pool, staked, 0, 0)]), staked, rando)
    assert pool.unlockable(staked) == 50 * NMR


def test_anyone_may_unlock_for_the_owner(pool, staked, alice, rando, chain):
    pool.requestDecrease(staked, 100 * NMR, {"from": alice})
    wait(chain, WEEK)
    pool.unlock(staked, {"from": rando})
    assert user_view(pool, alice)["liquid"] == 725 * NMR
    assert user_view(pool, rando)["liquid"] == 0


def test_unlock_is_allowed_while_paused(pool, staked, admin, alice, chain):
    pool.requestDecrease(staked, 100 * NMR, {"from": alice})
    pool.setPaused(True, {"from": admin})
    wait(chain, WEEK)
    pool.unlock(staked, {"from": alice})
    assert user_view(pool, alice)["liquid"] == 725 * NMR


def test_tranche_interval_follows_the_parameter(pool, staked, admin, alice, chain):
    pool.setParams((14 * 86400, 86400, 50, 5 * 10**17, 5 * NMR), {"from": admin})
    pool.requestDecrease(staked, 100 * NMR, {"from": alice})
    wait(chain, 2 * 86400)
    assert pool.unlockable(staked) == 50 * NMR


def test_unlock_without_a_decrease_reverts(pool, staked, rando):
    with brownie.reverts(custom_error(pool, "PayoutPoolNothingToUnlock", staked)):
        pool.unlock(staked, {"from": rando})
