import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import KIND_MODEL, KIND_POOL, ZERO_MODEL, allocation_signature, user_view

DEADLINE = 2**40


def targets_for(a, b):
    return [(KIND_MODEL, a, 6_000), (KIND_MODEL, b, 2_500), (KIND_POOL, ZERO_MODEL, 1_500)]


def test_relayed_signature_sets_the_allocation(pool, deposited, alice, rando):
    a, b, _ = deposited
    sig = allocation_signature(pool, alice, alice, a, targets_for(a, b), 0)
    pool.setAllocationBySig(a, alice, targets_for(a, b), DEADLINE, sig, {"from": rando})
    assert [(t[0], t[1], t[2]) for t in pool.allocationOf(a)] == targets_for(a, b)


def test_relayed_allocation_emits_with_by_signature(pool, deposited, alice, operator):
    a, b, _ = deposited
    sig = allocation_signature(pool, alice, alice, a, targets_for(a, b), 0)
    tx = pool.setAllocationBySig(a, alice, targets_for(a, b), DEADLINE, sig, {"from": operator})
    event = tx.events["AllocationSet"]
    assert (event["model"], event["owner"], event["bySignature"]) == (a, alice, True)


def test_relayed_allocation_uses_up_the_nonce(pool, deposited, alice, rando):
    a, b, _ = deposited
    sig = allocation_signature(pool, alice, alice, a, targets_for(a, b), 0)
    pool.setAllocationBySig(a, alice, targets_for(a, b), DEADLINE, sig, {"from": rando})
    assert user_view(pool, alice)["nonce"] == 1


def test_replayed_signature_reverts(pool, deposited, alice, rando):
    a, b, _ = deposited
    sig = allocation_signature(pool, alice, alice, a, targets_for(a, b), 0)
    pool.setAllocationBySig(a, alice, targets_for(a, b), DEADLINE, sig, {"from": rando})
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidSignature", alice)):
        pool.setAllocationBySig(a, alice, targets_for(a, b), DEADLINE, sig, {"from": rando})


def test_expired_signature_reverts(pool, deposited, alice, rando, chain):
    a, b, _ = deposited
    deadline = chain.time() - 1
    sig = allocation_signature(pool, alice, alice, a, targets_for(a, b), 0, deadline)
    with brownie.reverts(custom_error(pool, "PayoutPoolExpired", deadline)):
        pool.setAllocationBySig(a, alice, targets_for(a, b), deadline, sig, {"from": rando})


def test_signature_for_another_chain_reverts(pool, deposited, alice, rando):
    a, b, _ = deposited
    sig = allocation_signature(pool, alice, alice, a, targets_for(a, b), 0, chain=1)
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidSignature", alice)):
        pool.setAllocationBySig(a, alice, targets_for(a, b), DEADLINE, sig, {"from": rando})


def test_signature_for_another_contract_reverts(pool, tournament, deposited, alice, rando):
    a, b, _ = deposited
    sig = allocation_signature(tournament, alice, alice, a, targets_for(a, b), 0)
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidSignature", alice)):
        pool.setAllocationBySig(a, alice, targets_for(a, b), DEADLINE, sig, {"from": rando})


def test_signature_by_another_signer_reverts(pool, deposited, alice, bob, rando):
    a, b, _ = deposited
    sig = allocation_signature(pool, bob, alice, a, targets_for(a, b), 0)
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidSignature", alice)):
        pool.setAllocationBySig(a, alice, targets_for(a, b), DEADLINE, sig, {"from": rando})


def test_signature_over_other_targets_reverts(pool, deposited, alice, rando):
    a, b, _ = deposited
    sig = allocation_signature(pool, alice, alice, a, targets_for(a, b), 0)
    tampered = [(KIND_POOL, ZERO_MODEL, 10_000)]
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidSignature", alice)):
        pool.setAllocationBySig(a, alice, tampered, DEADLINE, sig, {"from": rando})


def test_valid_signature_of_a_non_owner_reverts(pool, deposited, bob, rando):
    a = deposited[0]
    targets = [(KIND_POOL, ZERO_MODEL, 10_000)]
    sig = allocation_signature(pool, bob, bob, a, targets, 0)
    with brownie.reverts(custom_error(pool, "PayoutPoolNotOwner", a, bob)):
        pool.setAllocationBySig(a, bob, targets, DEADLINE, sig, {"from": rando})


def test_direct_allocation_kills_an_outstanding_signed_one(pool, deposited, alice, rando):
    """Review scenario: a direct setAllocation used to leave an older signed allocation valid."""
    a, b, _ = deposited
    sig = allocation_signature(pool, alice, alice, a, targets_for(a, b), 0)
    pool.setAllocation(a, [(KIND_POOL, ZERO_MODEL, 10_000)], {"from": alice})
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidSignature", alice)):
        pool.setAllocationBySig(a, alice, targets_for(a, b), DEADLINE, sig, {"from": rando})
    assert [tuple(t) for t in pool.allocationOf(a)] == [(KIND_POOL, ZERO_MODEL, 10_000)]
