"""moveStake: idle stake to another of the owner's models at once."""

import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR, model_view


def test_move_stake_moves_idle_at_once(pool, staked, deposited, alice):
    other = deposited[1]
    pool.moveStake(staked, other, 70 * NMR, {"from": alice})
    assert model_view(pool, staked)["idle"] == 30 * NMR
    assert model_view(pool, other)["idle"] == 70 * NMR
    assert model_view(pool, other)["owner"] == alice


def test_move_stake_emits_stake_moved_and_binds(pool, staked, deposited, alice):
    other = deposited[1]
    tx = pool.moveStake(staked, other, 70 * NMR, {"from": alice})
    assert tx.events["StakeMoved"] == {"from": staked, "to": other, "owner": alice, "amount": 70 * NMR}
    assert tx.events["ModelBound"] == {"model": other, "owner": alice}


def test_move_to_a_model_of_someone_else_reverts(pool, staked, deposited, alice):
    with brownie.reverts(custom_error(pool, "PayoutPoolNotOwner", deposited[2], alice)):
        pool.moveStake(staked, deposited[2], NMR, {"from": alice})


def test_move_to_itself_reverts(pool, staked, alice):
    with brownie.reverts(custom_error(pool, "PayoutPoolSameModel", staked)):
        pool.moveStake(staked, staked, NMR, {"from": alice})


def test_move_above_idle_reverts(pool, staked, deposited, alice):
    with brownie.reverts(custom_error(pool, "PayoutPoolInsufficientIdle", staked, 100 * NMR, 101 * NMR)):
        pool.moveStake(staked, deposited[1], 101 * NMR, {"from": alice})


def test_move_zero_reverts(pool, staked, deposited, alice):
    with brownie.reverts(custom_error(pool, "PayoutPoolZeroAmount")):
        pool.moveStake(staked, deposited[1], 0, {"from": alice})


def test_move_by_others_reverts(pool, staked, deposited, bob, rando, operator, admin, treasury):
    for caller in (bob, rando, operator, admin, treasury):
        with brownie.reverts(custom_error(pool, "PayoutPoolNotOwner", staked, caller)):
            pool.moveStake(staked, deposited[1], NMR, {"from": caller})


def test_move_is_allowed_while_paused(pool, staked, deposited, admin, alice):
    pool.setPaused(True, {"from": admin})
    pool.moveStake(staked, deposited[1], NMR, {"from": alice})
    assert model_view(pool, deposited[1])["idle"] == NMR
