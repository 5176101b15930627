import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR, model_view, pool_stake


def claims_of(pool, tree, models):
    out = []
    for m in models:
        r = tree.result(pool.address, m)
        out.append((m, tree.round, r.payout, r.burn, tree.proof(pool.address, m)))
    return out


def two_models_staked(pool, numerai, deposited, alice):
    a, b, _ = deposited
    for m in (a, b):
        pool.increaseStake(m, 50 * NMR, {"from": alice})
        pool_stake(pool, numerai, m, 20, 50 * NMR, alice)
    return numerai.resolve(20, [(pool, a, 2 * NMR, 0), (pool, b, 0, 5 * NMR)])


def test_operator_claims_many_models_in_one_transaction(pool, numerai, deposited, alice, operator):
    a, b, _ = deposited
    tree = two_models_staked(pool, numerai, deposited, alice)
    tx = pool.claimBatch(claims_of(pool, tree, [a, b]), {"from": operator})
    assert len(tx.events["RoundClaimed"]) == 2
    assert model_view(pool, a)["idle"] == 52 * NMR
    assert model_view(pool, b)["idle"] == 45 * NMR


def test_batch_by_other_roles_reverts(pool, numerai, deposited, alice, bob, rando, admin, operator_role):
    tree = two_models_staked(pool, numerai, deposited, alice)
    for caller in (alice, bob, rando, admin):
        with brownie.reverts(custom_error(pool, "AccessControlUnauthorizedAccount", caller, operator_role)):
            pool.claimBatch(claims_of(pool, tree, deposited[:2]), {"from": caller})


def test_one_invalid_claim_reverts_the_batch(pool, tournament, numerai, deposited, alice, operator):
    a, b, _ = deposited
    tree = two_models_staked(pool, numerai, deposited, alice)
    claims = claims_of(pool, tree, [a, b])
    claims[1] = (b, 20, 0, 5 * NMR, [])
    with brownie.reverts(custom_error(tournament, "MockTournamentInvalidProof")):
        pool.claimBatch(claims, {"from": operator})
    assert model_view(pool, a)["atRisk"] == 50 * NMR


def test_empty_batch_changes_nothing(pool, deposited, operator):
    tx = pool.claimBatch([], {"from": operator})
    assert "RoundClaimed" not in tx.events
