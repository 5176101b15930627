"""setPolicy: the owner's per-round amount and mode; bumps the signature nonce."""

import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import COMPOUND, FIXED, NMR, model_view, policy_signature, user_view


def test_default_policy_is_no_automatic_staking(pool, deposited):
    view = model_view(pool, deposited[0])
    assert (view["perRound"], view["mode"], view["compoundCredit"]) == (0, FIXED, 0)


def test_set_policy_records_and_emits(pool, deposited, alice):
    tx = pool.setPolicy(deposited[0], 25 * NMR, COMPOUND, {"from": alice})
    view = model_view(pool, deposited[0])
    assert (view["perRound"], view["mode"], view["owner"]) == (25 * NMR, COMPOUND, alice)
    assert tx.events["PolicySet"] == {
        "model": deposited[0], "owner": alice, "perRound": 25 * NMR, "mode": COMPOUND, "bySignature": False,
    }


def test_set_policy_back_to_fixed(pool, deposited, alice):
    pool.setPolicy(deposited[0], 25 * NMR, COMPOUND, {"from": alice})
    pool.setPolicy(deposited[0], 5 * NMR, FIXED, {"from": alice})
    assert model_view(pool, deposited[0])["mode"] == FIXED


def test_direct_policy_kills_an_outstanding_signed_one(pool, deposited, alice, rando):
    model = deposited[0]
    sig = policy_signature(pool, alice, alice, model, 50 * NMR, COMPOUND, 0)
    pool.setPolicy(model, 0, FIXED, {"from": alice})
    assert user_view(pool, alice)["nonce"] == 1
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidSignature", alice)):
        pool.setPolicyBySig(model, alice, 50 * NMR, COMPOUND, 2**40, sig, {"from": rando})


def test_set_policy_too_large_reverts(pool, deposited, alice):
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidPolicy", 2**96)):
        pool.setPolicy(deposited[0], 2**96, FIXED, {"from": alice})


def test_set_policy_by_others_reverts(pool, deposited, alice, bob, rando, operator, admin, treasury):
    pool.setPolicy(deposited[0], NMR, FIXED, {"from": alice})
    for caller in (bob, rando, operator, admin, treasury):
        with brownie.reverts(custom_error(pool, "PayoutPoolNotOwner", deposited[0], caller)):
            pool.setPolicy(deposited[0], NMR, FIXED, {"from": caller})
