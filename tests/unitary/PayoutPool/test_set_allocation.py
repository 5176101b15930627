import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import KIND_MODEL, KIND_POOL, KIND_WALLET, NMR, ZERO_MODEL, claim, model_view, user_view

TOO_WIDE = "0x" + "01" + "00" * 15 + "5c7c3e311b8f4a1e9d1e0b7c6f1d2a01"


def three_way(a, b):
    return [(KIND_MODEL, a, 5_000), (KIND_MODEL, b, 3_000), (KIND_POOL, ZERO_MODEL, 2_000)]


def as_tuples(targets):
    return [(t[0], t[1], t[2]) for t in targets]


def test_default_allocation_is_empty_meaning_all_to_self(pool, deposited):
    assert pool.allocationOf(deposited[0]) == []


def test_set_allocation_stores_targets(pool, deposited, alice):
    a, b, _ = deposited
    pool.setAllocation(a, three_way(a, b), {"from": alice})
    assert as_tuples(pool.allocationOf(a)) == three_way(a, b)


def test_set_allocation_emits_allocation_set(pool, deposited, alice):
    a, b, _ = deposited
    tx = pool.setAllocation(a, three_way(a, b), {"from": alice})
    event = tx.events["AllocationSet"]
    assert event["model"] == a and event["owner"] == alice and event["bySignature"] is False
    assert as_tuples(event["targets"]) == three_way(a, b)


def test_set_allocation_binds_target_models_to_the_owner(pool, deposited, alice):
    a, b, _ = deposited
    pool.setAllocation(a, three_way(a, b), {"from": alice})
    assert model_view(pool, b)["owner"] == alice


def test_eight_targets_are_accepted(pool, deposited, alice):
    a, b, _ = deposited
    targets = [(KIND_MODEL, a, 3_000)] + [(KIND_MODEL, b, 1_000)] * 5 + [(KIND_POOL, ZERO_MODEL, 1_000), (KIND_WALLET, ZERO_MODEL, 1_000)]
    pool.setAllocation(a, targets, {"from": alice})
    assert len(pool.allocationOf(a)) == 8


def test_nine_targets_revert(pool, deposited, alice):
    a = deposited[0]
    targets = [(KIND_POOL, ZERO_MODEL, 1_000)] * 8 + [(KIND_WALLET, ZERO_MODEL, 2_000)]
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidTargetCount", 9)):
        pool.setAllocation(a, targets, {"from": alice})


def test_no_targets_revert(pool, deposited, alice):
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidTargetCount", 0)):
        pool.setAllocation(deposited[0], [], {"from": alice})


def test_bps_not_summing_to_10000_revert(pool, deposited, alice):
    a, b, _ = deposited
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidBpsSum", 9_999)):
        pool.setAllocation(a, [(KIND_MODEL, a, 5_000), (KIND_MODEL, b, 4_999)], {"from": alice})


def test_zero_bps_target_reverts(pool, deposited, alice):
    a = deposited[0]
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidTarget", 1)):
        pool.setAllocation(a, [(KIND_MODEL, a, 10_000), (KIND_POOL, ZERO_MODEL, 0)], {"from": alice})


def test_target_model_of_another_owner_reverts(pool, deposited, alice):
    a, _, bobs = deposited
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidTarget", 1)):
        pool.setAllocation(a, [(KIND_MODEL, a, 5_000), (KIND_MODEL, bobs, 5_000)], {"from": alice})


def test_unregistered_target_model_reverts(pool, deposited, alice, model_ids):
    a = deposited[0]
    unknown = "0x" + "00" * 16 + "11" * 16
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidTarget", 0)):
        pool.setAllocation(a, [(KIND_MODEL, unknown, 10_000)], {"from": alice})


def test_wallet_target_with_a_model_id_reverts(pool, deposited, alice):
    a = deposited[0]
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidTarget", 0)):
        pool.setAllocation(a, [(KIND_WALLET, a, 10_000)], {"from": alice})


def test_model_id_wider_than_128_bits_reverts(pool, deposited, alice):
    a = deposited[0]
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidTarget", 0)):
        pool.setAllocation(a, [(KIND_MODEL, TOO_WIDE, 10_000)], {"from": alice})


def test_set_allocation_by_other_roles_reverts(pool, deposited, bob, rando, operator, admin):
    a = deposited[0]
    for caller in (bob, rando, operator, admin):
        with brownie.reverts(custom_error(pool, "PayoutPoolNotOwner", a, caller)):
            pool.setAllocation(a, [(KIND_POOL, ZERO_MODEL, 10_000)], {"from": caller})


def test_allocation_applies_to_claims_after_the_change(pool, numerai, staked, deposited, alice, rando):
    a, b, _ = deposited
    tree10 = numerai.resolve(10, [(pool, a, 10 * NMR, 0)])
    claim(pool, tree10, a, rando)  # default: all to a
    pool.setAllocation(a, [(KIND_MODEL, b, 10_000)], {"from": alice})
    tree11 = numerai.resolve(11, [(pool, a, 20 * NMR, 0)])
    claim(pool, tree11, a, rando)
    assert model_view(pool, a)["idle"] == (100 + 110 + 100) * NMR
    assert model_view(pool, b)["idle"] == 20 * NMR
    assert user_view(pool, alice)["liquid"] == 700 * NMR
