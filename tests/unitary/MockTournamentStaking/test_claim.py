import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR


def staked_round(tournament, numerai, staker, model, results):
    auth, sig = numerai.authorize(staker, model, 5, 100 * NMR)
    tournament.stake(auth, 100 * NMR, sig, {"from": staker})
    return numerai.resolve(5, results)


def test_claim_returns_stake_plus_payout(tournament, nmr, numerai, staker, model_a, bob):
    tree = staked_round(tournament, numerai, staker, model_a, [(staker, model_a, 7 * NMR, 0), (bob, model_a, NMR, 0)])
    tournament.claim(5, model_a, 7 * NMR, 0, tree.proof(staker, model_a), {"from": staker})
    assert nmr.balanceOf(staker) == 1007 * NMR
    assert tournament.stakeOf(5, staker, model_a) == 0


def test_claim_destroys_the_burn(tournament, nmr, numerai, staker, model_a):
    tree = staked_round(tournament, numerai, staker, model_a, [(staker, model_a, 0, 6 * NMR)])
    supply = nmr.totalSupply()
    tournament.claim(5, model_a, 0, 6 * NMR, tree.proof(staker, model_a), {"from": staker})
    assert nmr.balanceOf(staker) == 994 * NMR
    assert nmr.totalSupply() == supply - 6 * NMR


def test_claim_lowers_the_remaining_totals(tournament, numerai, staker, model_a, bob):
    tree = staked_round(tournament, numerai, staker, model_a, [(staker, model_a, 7 * NMR, 0), (bob, model_a, 0, 3 * NMR)])
    tournament.claim(5, model_a, 7 * NMR, 0, tree.proof(staker, model_a), {"from": staker})
    _, payout, burn, _ = tournament.roundOf(5)
    assert (payout, burn) == (0, 3 * NMR)


def test_claim_emits_claimed(tournament, numerai, staker, model_a):
    tree = staked_round(tournament, numerai, staker, model_a, [(staker, model_a, 7 * NMR, 0)])
    tx = tournament.claim(5, model_a, 7 * NMR, 0, tree.proof(staker, model_a), {"from": staker})
    assert tx.events["Claimed"] == {"round": 5, "staker": staker, "modelId": model_a, "stake": 100 * NMR, "payout": 7 * NMR, "burn": 0}


def test_claiming_twice_reverts(tournament, numerai, staker, model_a):
    tree = staked_round(tournament, numerai, staker, model_a, [(staker, model_a, 7 * NMR, 0)])
    tournament.claim(5, model_a, 7 * NMR, 0, tree.proof(staker, model_a), {"from": staker})
    with brownie.reverts(custom_error(tournament, "MockTournamentNoStake", 5, staker, model_a)):
        tournament.claim(5, model_a, 7 * NMR, 0, tree.proof(staker, model_a), {"from": staker})


def test_claiming_anothers_leaf_reverts(tournament, numerai, staker, model_a, bob):
    tree = staked_round(tournament, numerai, staker, model_a, [(staker, model_a, 7 * NMR, 0), (bob, model_a, 9 * NMR, 0)])
    with brownie.reverts(custom_error(tournament, "MockTournamentInvalidProof")):
        tournament.claim(5, model_a, 9 * NMR, 0, tree.proof(bob, model_a), {"from": staker})


def test_claim_beyond_the_posted_totals_reverts(tournament, nmr, numerai, staker, model_a, accounts):
    from agent.payouts import RoundResult, RoundTree

    auth, sig = numerai.authorize(staker, model_a, 5, 100 * NMR)
    tournament.stake(auth, 100 * NMR, sig, {"from": staker})
    tree = RoundTree(5, [RoundResult(5, str(staker), model_a, 7 * NMR, 0)])
    tournament.resolveRound(5, tree.root, 6 * NMR, 0, {"from": accounts[4]})
    with brownie.reverts(custom_error(tournament, "MockTournamentTotalsExceeded", 5)):
        tournament.claim(5, model_a, 7 * NMR, 0, tree.proof(staker, model_a), {"from": staker})


def test_burn_above_stake_reverts(tournament, numerai, staker, model_a):
    tree = staked_round(tournament, numerai, staker, model_a, [(staker, model_a, 0, 101 * NMR)])
    with brownie.reverts(custom_error(tournament, "MockTournamentBurnAboveStake", 101 * NMR, 100 * NMR)):
        tournament.claim(5, model_a, 0, 101 * NMR, tree.proof(staker, model_a), {"from": staker})


def test_claim_before_resolution_reverts(tournament, numerai, staker, model_a):
    auth, sig = numerai.authorize(staker, model_a, 5, NMR)
    tournament.stake(auth, NMR, sig, {"from": staker})
    with brownie.reverts(custom_error(tournament, "MockTournamentRoundNotResolved", 5)):
        tournament.claim(5, model_a, 0, 0, [], {"from": staker})
