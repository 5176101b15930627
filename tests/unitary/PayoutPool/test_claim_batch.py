import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR, claim, error_data, finalize, model_view, pool_stake, skip_reason


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


def test_one_invalid_claim_is_skipped(pool, tournament, numerai, deposited, alice, operator):
    a, b, _ = deposited
    tree = two_models_staked(pool, numerai, deposited, alice)
    claims = claims_of(pool, tree, [a, b])
    claims[0] = (a, 20, 2 * NMR, 0, [])
    tx = pool.claimBatch(claims, {"from": operator})
    skipped = tx.events["ClaimSkipped"]
    assert (skipped["model"], skipped["round"]) == (a, 20)
    assert skip_reason(skipped) == error_data(tournament, "MockTournamentInvalidProof")
    assert tx.events["RoundClaimed"][0]["model"] == b
    assert model_view(pool, a)["atRisk"] == 50 * NMR
    assert pool.stakeOf(a, 20) == 50 * NMR
    assert model_view(pool, b)["idle"] == 45 * NMR


def test_a_front_run_entry_does_not_revert_the_batch(pool, numerai, deposited, alice, operator, rando):
    """Review scenario: anyone could front-run one entry and so revert the operator's whole batch."""
    a, b, _ = deposited
    tree = two_models_staked(pool, numerai, deposited, alice)
    claims = claims_of(pool, tree, [a, b])
    claim(pool, tree, a, rando)  # front-run
    tx = pool.claimBatch(claims, {"from": operator})
    skipped = tx.events["ClaimSkipped"]
    assert skip_reason(skipped) == error_data(pool, "PayoutPoolNothingStaked", a, 20)
    assert len(tx.events["RoundClaimed"]) == 1
    assert model_view(pool, a)["idle"] == 52 * NMR
    assert model_view(pool, b)["idle"] == 45 * NMR


def test_a_finalized_entry_is_skipped(pool, tournament, numerai, deposited, alice, operator):
    a, b, _ = deposited
    tree = two_models_staked(pool, numerai, deposited, alice)
    finalize(numerai, tree, pool, a)
    tx = pool.claimBatch(claims_of(pool, tree, [a, b]), {"from": operator})
    assert skip_reason(tx.events["ClaimSkipped"]) == error_data(tournament, "MockTournamentNoStake", 20, pool, a)
    assert pool.stakeOf(a, 20) == 50 * NMR  # left for reconcile


def test_claim_step_from_outside_reverts(pool, numerai, deposited, alice, operator, rando):
    tree = two_models_staked(pool, numerai, deposited, alice)
    for caller in (alice, operator, rando):
        with brownie.reverts(custom_error(pool, "PayoutPoolOnlySelf")):
            pool.claimStep(claims_of(pool, tree, deposited[:1])[0], False, {"from": caller})


def test_empty_batch_changes_nothing(pool, deposited, operator):
    tx = pool.claimBatch([], {"from": operator})
    assert "RoundClaimed" not in tx.events
