import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR, model_view

WEEK = 7 * 86400


def test_request_fills_from_idle_and_queues_the_rest_at_risk(pool, staked, alice):
    pool.requestDecrease(staked, 150 * NMR, {"from": alice})
    view = model_view(pool, staked)
    assert (view["idle"], view["decreaseFilled"], view["decreaseUnfilled"]) == (0, 100 * NMR, 50 * NMR)
    assert (view["decreaseTotal"], view["decreaseReleased"], view["decreaseRiskRound"]) == (150 * NMR, 0, 11)


def test_request_records_its_start_time(pool, staked, alice):
    tx = pool.requestDecrease(staked, 150 * NMR, {"from": alice})
    assert model_view(pool, staked)["decreaseStartedAt"] == tx.timestamp


def test_request_emits_decrease_requested(pool, staked, alice):
    tx = pool.requestDecrease(staked, 150 * NMR, {"from": alice})
    assert tx.events["DecreaseRequested"] == {
        "model": staked, "owner": alice, "amount": 150 * NMR, "filled": 100 * NMR, "riskRound": 11,
    }


def test_request_within_idle_is_not_at_risk(pool, staked, alice):
    pool.requestDecrease(staked, 60 * NMR, {"from": alice})
    view = model_view(pool, staked)
    assert (view["idle"], view["decreaseFilled"], view["decreaseUnfilled"], view["decreaseRiskRound"]) == (40 * NMR, 60 * NMR, 0, 0)


def test_request_above_stake_reverts(pool, staked, alice):
    with brownie.reverts(custom_error(pool, "PayoutPoolDecreaseTooLarge", staked, 300 * NMR, 301 * NMR)):
        pool.requestDecrease(staked, 301 * NMR, {"from": alice})


def test_request_zero_reverts(pool, staked, alice):
    with brownie.reverts(custom_error(pool, "PayoutPoolZeroAmount")):
        pool.requestDecrease(staked, 0, {"from": alice})


def test_second_request_while_pending_reverts(pool, staked, alice):
    pool.requestDecrease(staked, 10 * NMR, {"from": alice})
    with brownie.reverts(custom_error(pool, "PayoutPoolDecreasePending", staked)):
        pool.requestDecrease(staked, 10 * NMR, {"from": alice})


def test_new_request_allowed_once_the_previous_finished(pool, staked, alice, chain):
    pool.requestDecrease(staked, 40 * NMR, {"from": alice})
    chain.sleep(4 * WEEK)
    chain.mine()
    pool.unlock(staked, {"from": alice})
    pool.requestDecrease(staked, 30 * NMR, {"from": alice})
    assert model_view(pool, staked)["decreaseTotal"] == 30 * NMR


def test_request_by_other_roles_reverts(pool, staked, bob, rando, operator, admin):
    for caller in (bob, rando, operator, admin):
        with brownie.reverts(custom_error(pool, "PayoutPoolNotOwner", staked, caller)):
            pool.requestDecrease(staked, NMR, {"from": caller})


def test_request_is_allowed_while_paused(pool, staked, admin, alice):
    pool.setPaused(True, {"from": admin})
    pool.requestDecrease(staked, NMR, {"from": alice})
    assert model_view(pool, staked)["decreaseTotal"] == NMR
