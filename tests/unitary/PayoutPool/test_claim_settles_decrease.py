"""How claims of rounds the queued NMR was at risk in settle a decrease (part of `claim`)."""

from tests.unitary.PayoutPool.helpers import NMR, claim, model_view, pool_stake


def test_principal_fills_the_at_risk_part_of_the_queue(pool, numerai, staked, alice, rando):
    pool.requestDecrease(staked, 150 * NMR, {"from": alice})
    tree = numerai.resolve(10, [(pool, staked, 5 * NMR, 0)])
    tx = claim(pool, tree, staked, rando)
    view = model_view(pool, staked)
    assert (view["decreaseFilled"], view["decreaseUnfilled"], view["decreaseRiskRound"]) == (150 * NMR, 0, 0)
    assert view["idle"] == 55 * NMR
    assert tx.events["DecreaseSettled"] == {"model": staked, "round": 10, "filled": 50 * NMR, "burned": 0}


def test_burn_takes_from_the_unfilled_queue_first(pool, numerai, staked, alice, rando):
    pool.requestDecrease(staked, 150 * NMR, {"from": alice})
    tree = numerai.resolve(10, [(pool, staked, 0, 20 * NMR)])
    tx = claim(pool, tree, staked, rando)
    view = model_view(pool, staked)
    assert (view["decreaseTotal"], view["decreaseFilled"], view["decreaseUnfilled"]) == (130 * NMR, 130 * NMR, 0)
    assert view["idle"] == 50 * NMR
    assert tx.events["DecreaseSettled"] == {"model": staked, "round": 10, "filled": 30 * NMR, "burned": 20 * NMR}


def test_burn_beyond_the_unfilled_queue_comes_off_the_stake(pool, numerai, staked, alice, rando):
    pool.requestDecrease(staked, 120 * NMR, {"from": alice})
    tree = numerai.resolve(10, [(pool, staked, 0, 30 * NMR)])
    claim(pool, tree, staked, rando)
    view = model_view(pool, staked)
    assert (view["decreaseTotal"], view["decreaseFilled"], view["decreaseUnfilled"]) == (100 * NMR, 100 * NMR, 0)
    assert view["idle"] == 70 * NMR


def test_partial_fill_waits_for_the_next_risk_round(pool, numerai, staked, alice, rando):
    pool.requestDecrease(staked, 250 * NMR, {"from": alice})
    tree = numerai.resolve(10, [(pool, staked, 0, 0)])
    claim(pool, tree, staked, rando)
    view = model_view(pool, staked)
    assert (view["decreaseFilled"], view["decreaseUnfilled"], view["decreaseRiskRound"]) == (200 * NMR, 50 * NMR, 11)
    assert view["idle"] == 0


def test_rounds_staked_after_the_request_do_not_touch_the_queue(pool, numerai, staked, alice, rando):
    pool.requestDecrease(staked, 250 * NMR, {"from": alice})
    pool.increaseStake(staked, 50 * NMR, {"from": alice})
    pool_stake(pool, numerai, staked, 12, 50 * NMR, alice)
    tree = numerai.resolve(12, [(pool, staked, 0, 10 * NMR)])
    tx = claim(pool, tree, staked, rando)
    view = model_view(pool, staked)
    assert (view["decreaseTotal"], view["decreaseUnfilled"], view["idle"]) == (250 * NMR, 150 * NMR, 40 * NMR)
    assert "DecreaseSettled" not in tx.events
