"""setPolicyBySig: a relayed EIP-712 policy, bound to the owner's signature nonce."""

import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import COMPOUND, NMR, model_view, policy_signature, user_view

DEADLINE = 2**40


def test_relayed_signature_sets_the_policy_and_emits(pool, deposited, alice, rando):
    model = deposited[0]
    sig = policy_signature(pool, alice, alice, model, 7 * NMR, COMPOUND, 0)
    tx = pool.setPolicyBySig(model, alice, 7 * NMR, COMPOUND, DEADLINE, sig, {"from": rando})
    assert (model_view(pool, model)["perRound"], model_view(pool, model)["mode"]) == (7 * NMR, COMPOUND)
    assert tx.events["PolicySet"] == {"model": model, "owner": alice, "perRound": 7 * NMR, "mode": COMPOUND, "bySignature": True}
    assert user_view(pool, alice)["nonce"] == 1


def test_replayed_signature_reverts(pool, deposited, alice, rando):
    model = deposited[0]
    sig = policy_signature(pool, alice, alice, model, 7 * NMR, COMPOUND, 0)
    pool.setPolicyBySig(model, alice, 7 * NMR, COMPOUND, DEADLINE, sig, {"from": rando})
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidSignature", alice)):
        pool.setPolicyBySig(model, alice, 7 * NMR, COMPOUND, DEADLINE, sig, {"from": rando})


def test_altered_amount_reverts(pool, deposited, alice, rando):
    model = deposited[0]
    sig = policy_signature(pool, alice, alice, model, 7 * NMR, COMPOUND, 0)
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidSignature", alice)):
        pool.setPolicyBySig(model, alice, 70 * NMR, COMPOUND, DEADLINE, sig, {"from": rando})


def test_signed_by_someone_else_reverts(pool, deposited, alice, bob, rando, operator):
    model = deposited[0]
    for signer in (bob, rando, operator):
        sig = policy_signature(pool, signer, alice, model, 7 * NMR, COMPOUND, 0)
        with brownie.reverts(custom_error(pool, "PayoutPoolInvalidSignature", alice)):
            pool.setPolicyBySig(model, alice, 7 * NMR, COMPOUND, DEADLINE, sig, {"from": rando})


def test_expired_signature_reverts(pool, deposited, alice, rando, chain):
    model = deposited[0]
    deadline = chain.time() - 1
    sig = policy_signature(pool, alice, alice, model, 7 * NMR, COMPOUND, 0, deadline)
    with brownie.reverts(custom_error(pool, "PayoutPoolExpired", deadline)):
        pool.setPolicyBySig(model, alice, 7 * NMR, COMPOUND, deadline, sig, {"from": rando})


def test_signature_of_a_non_owner_reverts(pool, deposited, bob, rando):
    model = deposited[0]  # alice's
    sig = policy_signature(pool, bob, bob, model, 7 * NMR, COMPOUND, 0)
    with brownie.reverts(custom_error(pool, "PayoutPoolNotOwner", model, bob)):
        pool.setPolicyBySig(model, bob, 7 * NMR, COMPOUND, DEADLINE, sig, {"from": rando})
