"""unstake: idle stake to the owner's liquid balance at once."""

import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR, model_view, user_view


def test_unstake_moves_idle_to_liquid_at_once(pool, staked, alice):
    pool.unstake(staked, 60 * NMR, {"from": alice})
    assert model_view(pool, staked)["idle"] == 40 * NMR
    assert model_view(pool, staked)["atRisk"] == 200 * NMR
    assert user_view(pool, alice)["liquid"] == 760 * NMR


def test_unstake_emits_unstaked(pool, staked, alice):
    tx = pool.unstake(staked, 60 * NMR, {"from": alice})
    assert tx.events["Unstaked"] == {"model": staked, "owner": alice, "amount": 60 * NMR}


def test_unstake_keeps_the_liabilities(pool, staked, alice):
    before = pool.liabilities()
    pool.unstake(staked, 60 * NMR, {"from": alice})
    assert pool.liabilities() == before


def test_unstake_above_idle_reverts(pool, staked, alice):
    with brownie.reverts(custom_error(pool, "PayoutPoolInsufficientIdle", staked, 100 * NMR, 101 * NMR)):
        pool.unstake(staked, 101 * NMR, {"from": alice})


def test_unstake_zero_reverts(pool, staked, alice):
    with brownie.reverts(custom_error(pool, "PayoutPoolZeroAmount")):
        pool.unstake(staked, 0, {"from": alice})


def test_unstake_by_others_reverts(pool, staked, bob, rando, operator, admin, treasury):
    for caller in (bob, rando, operator, admin, treasury):
        with brownie.reverts(custom_error(pool, "PayoutPoolNotOwner", staked, caller)):
            pool.unstake(staked, NMR, {"from": caller})


def test_unstake_is_allowed_while_paused(pool, staked, admin, alice):
    pool.setPaused(True, {"from": admin})
    pool.unstake(staked, NMR, {"from": alice})
    assert model_view(pool, staked)["idle"] == 99 * NMR
