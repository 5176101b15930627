import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR, TOURNAMENT, model_view, user_view


def test_increase_moves_liquid_to_idle(pool, deposited, alice):
    a = deposited[0]
    pool.increaseStake(a, 40 * NMR, {"from": alice})
    assert model_view(pool, a)["idle"] == 40 * NMR
    assert user_view(pool, alice)["liquid"] == 960 * NMR


def test_first_increase_binds_the_bucket_and_emits(pool, deposited, alice):
    a = deposited[0]
    tx = pool.increaseStake(a, 40 * NMR, {"from": alice})
    assert tx.events["ModelBound"] == {"model": a, "owner": alice}
    assert tx.events["StakeIncreased"] == {"model": a, "owner": alice, "amount": 40 * NMR}
    assert model_view(pool, a)["owner"] == alice


def test_increase_by_non_owner_reverts(pool, deposited, bob, rando, operator, admin):
    a = deposited[0]
    for caller in (bob, rando, operator, admin):
        with brownie.reverts(custom_error(pool, "PayoutPoolNotOwner", a, caller)):
            pool.increaseStake(a, NMR, {"from": caller})


def test_increase_above_liquid_reverts(pool, deposited, alice):
    with brownie.reverts(custom_error(pool, "PayoutPoolInsufficientLiquid", alice, 1000 * NMR, 1001 * NMR)):
        pool.increaseStake(deposited[0], 1001 * NMR, {"from": alice})


def test_increase_zero_reverts(pool, deposited, alice):
    with brownie.reverts(custom_error(pool, "PayoutPoolZeroAmount")):
        pool.increaseStake(deposited[0], 0, {"from": alice})


def test_new_registry_owner_cannot_take_a_non_empty_bucket(pool, registry, attestor, staked, alice, bob):
    registry.release(staked, {"from": alice})
    registry.attest(staked, bob, TOURNAMENT, {"from": attestor})
    bob_deposit = 1
    with brownie.reverts(custom_error(pool, "PayoutPoolModelInUse", staked, alice)):
        pool.increaseStake(staked, bob_deposit, {"from": bob})


def test_bound_owner_keeps_control_after_registry_change(pool, registry, attestor, staked, alice, bob):
    registry.release(staked, {"from": alice})
    registry.attest(staked, bob, TOURNAMENT, {"from": attestor})
    pool.increaseStake(staked, NMR, {"from": alice})
    assert model_view(pool, staked)["idle"] == 101 * NMR


def test_empty_bucket_rebinds_to_new_registry_owner_and_resets_allocation(pool, registry, attestor, deposited, alice, bob):
    a, b, _ = deposited
    pool.setAllocation(a, [(0, b, 10_000)], {"from": alice})
    registry.release(a, {"from": alice})
    registry.attest(a, bob, TOURNAMENT, {"from": attestor})
    tx = pool.increaseStake(a, NMR, {"from": bob})
    assert tx.events["ModelBound"] == {"model": a, "owner": bob}
    assert model_view(pool, a)["owner"] == bob
    assert pool.allocationOf(a) == []
