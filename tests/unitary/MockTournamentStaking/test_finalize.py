"""MockTournamentStaking.finalize: Numerai settles an unclaimed position after the grace period."""

import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR

GRACE = 7 * 24 * 3600


def staked_round(tournament, numerai, staker, model, results):
    auth, sig = numerai.authorize(staker, model, 5, 100 * NMR)
    tournament.stake(auth, 100 * NMR, sig, {"from": staker})
    return numerai.resolve(5, results)


def finalize(tournament, tree, staker, model, caller):
    r = tree.result(str(staker), model)
    return tournament.finalize(5, staker, model, r.payout, r.burn, tree.proof(staker, model), {"from": caller})


def test_grace_is_seven_days(tournament):
    assert tournament.FINALIZE_GRACE() == GRACE


def test_finalize_sends_stake_plus_payout_minus_burn_unasked(tournament, nmr, numerai, staker, model_a, chain):
    tree = staked_round(tournament, numerai, staker, model_a, [(staker, model_a, 7 * NMR, 2 * NMR)])
    chain.sleep(GRACE)
    supply = nmr.totalSupply()
    finalize(tournament, tree, staker, model_a, numerai.account)
    assert nmr.balanceOf(staker) == 1005 * NMR
    assert nmr.totalSupply() == supply - 2 * NMR
    assert tournament.stakeOf(5, staker, model_a) == 0
    assert tournament.isClaimed(5, staker, model_a) is True
    _, payout, burn, _ = tournament.roundOf(5)
    assert (payout, burn) == (0, 0)


def test_finalize_emits_finalized(tournament, numerai, staker, model_a, chain):
    tree = staked_round(tournament, numerai, staker, model_a, [(staker, model_a, 7 * NMR, 2 * NMR)])
    chain.sleep(GRACE)
    tx = finalize(tournament, tree, staker, model_a, numerai.account)
    assert tx.events["Finalized"] == {
        "round": 5, "staker": staker, "modelId": model_a, "stake": 100 * NMR, "payout": 7 * NMR, "burn": 2 * NMR,
    }
    assert "Claimed" not in tx.events


def test_finalize_before_the_grace_period_reverts(tournament, numerai, staker, model_a, chain):
    tree = staked_round(tournament, numerai, staker, model_a, [(staker, model_a, 7 * NMR, 0)])
    finalizable_at = tournament.roundOf(5)[3] + GRACE
    chain.sleep(GRACE - 100)
    with brownie.reverts(custom_error(tournament, "MockTournamentTooEarly", 5, finalizable_at)):
        finalize(tournament, tree, staker, model_a, numerai.account)


def test_finalize_by_anyone_but_the_resolver_reverts(tournament, numerai, staker, model_a, chain, admin, rando):
    tree = staked_round(tournament, numerai, staker, model_a, [(staker, model_a, 7 * NMR, 0)])
    chain.sleep(GRACE)
    for caller in (staker, admin, rando):
        with brownie.reverts(custom_error(tournament, "MockTournamentNotResolver", caller)):
            finalize(tournament, tree, staker, model_a, caller)


def test_finalize_of_an_unresolved_round_reverts(tournament, numerai, staker, model_a):
    auth, sig = numerai.authorize(staker, model_a, 5, NMR)
    tournament.stake(auth, NMR, sig, {"from": staker})
    with brownie.reverts(custom_error(tournament, "MockTournamentRoundNotResolved", 5)):
        tournament.finalize(5, staker, model_a, 0, 0, [], {"from": numerai.account})


def test_finalize_with_a_wrong_leaf_reverts(tournament, numerai, staker, model_a, chain):
    tree = staked_round(tournament, numerai, staker, model_a, [(staker, model_a, 7 * NMR, 0)])
    chain.sleep(GRACE)
    with brownie.reverts(custom_error(tournament, "MockTournamentInvalidProof")):
        tournament.finalize(5, staker, model_a, 8 * NMR, 0, tree.proof(staker, model_a), {"from": numerai.account})


def test_finalize_burn_above_stake_reverts(tournament, numerai, staker, model_a, chain):
    tree = staked_round(tournament, numerai, staker, model_a, [(staker, model_a, 0, 101 * NMR)])
    chain.sleep(GRACE)
    with brownie.reverts(custom_error(tournament, "MockTournamentBurnAboveStake", 101 * NMR, 100 * NMR)):
        finalize(tournament, tree, staker, model_a, numerai.account)


def test_claim_after_finalize_reverts(tournament, numerai, staker, model_a, chain):
    tree = staked_round(tournament, numerai, staker, model_a, [(staker, model_a, 7 * NMR, 0)])
    chain.sleep(GRACE)
    finalize(tournament, tree, staker, model_a, numerai.account)
    with brownie.reverts(custom_error(tournament, "MockTournamentNoStake", 5, staker, model_a)):
        tournament.claim(5, model_a, 7 * NMR, 0, tree.proof(staker, model_a), {"from": staker})


def test_finalize_after_claim_reverts(tournament, numerai, staker, model_a, chain):
    tree = staked_round(tournament, numerai, staker, model_a, [(staker, model_a, 7 * NMR, 0)])
    tournament.claim(5, model_a, 7 * NMR, 0, tree.proof(staker, model_a), {"from": staker})
    chain.sleep(GRACE)
    with brownie.reverts(custom_error(tournament, "MockTournamentNoStake", 5, staker, model_a)):
        finalize(tournament, tree, staker, model_a, numerai.account)


def test_finalizing_twice_reverts(tournament, numerai, staker, model_a, chain):
    tree = staked_round(tournament, numerai, staker, model_a, [(staker, model_a, 7 * NMR, 0)])
    chain.sleep(GRACE)
    finalize(tournament, tree, staker, model_a, numerai.account)
    with brownie.reverts(custom_error(tournament, "MockTournamentNoStake", 5, staker, model_a)):
        finalize(tournament, tree, staker, model_a, numerai.account)
