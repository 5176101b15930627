"""invalidateNonces: the user kills its outstanding signed allocations, policies and withdrawals."""

import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import (
    COMPOUND, KIND_POOL, NMR, ZERO_MODEL, allocation_signature, policy_signature, user_view, withdrawal_request,
)


def test_invalidate_bumps_both_nonces_and_emits(pool, deposited, alice):
    tx = pool.invalidateNonces({"from": alice})
    view = user_view(pool, alice)
    assert (view["nonce"], view["withdrawalNonce"]) == (1, 1)
    assert tx.events["NoncesInvalidated"] == {"user": alice, "nonce": 1, "withdrawalNonce": 1}


def test_invalidated_signatures_are_dead(pool, deposited, alice, operator, rando):
    model = deposited[0]
    targets = [(KIND_POOL, ZERO_MODEL, 10_000)]
    alloc_sig = allocation_signature(pool, alice, alice, model, targets, 0)
    policy_sig = policy_signature(pool, alice, alice, model, NMR, COMPOUND, 0)
    request = withdrawal_request(pool, alice, NMR)
    pool.invalidateNonces({"from": alice})
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidSignature", alice)):
        pool.setAllocationBySig(model, alice, targets, 2**40, alloc_sig, {"from": rando})
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidSignature", alice)):
        pool.setPolicyBySig(model, alice, NMR, COMPOUND, 2**40, policy_sig, {"from": rando})
    tx = pool.executeFreeWithdrawals([request], {"from": operator})
    assert "FreeWithdrawn" not in tx.events and "FreeWithdrawalSkipped" in tx.events


def test_invalidate_touches_only_the_caller(pool, deposited, alice, bob):
    pool.invalidateNonces({"from": alice})
    view = user_view(pool, bob)
    assert (view["nonce"], view["withdrawalNonce"]) == (0, 0)
