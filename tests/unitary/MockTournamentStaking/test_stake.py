import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR, SUBMISSION, stake_auth


def test_stake_records_and_pulls_the_amount(tournament, nmr, numerai, staker, model_a):
    auth, sig = numerai.authorize(staker, model_a, 5, 10 * NMR)
    tournament.stake(auth, 10 * NMR, sig, {"from": staker})
    assert tournament.stakeOf(5, staker, model_a) == 10 * NMR
    assert nmr.balanceOf(staker) == 990 * NMR


def test_stake_emits_staked(tournament, numerai, staker, model_a):
    auth, sig = numerai.authorize(staker, model_a, 5, 10 * NMR)
    tx = tournament.stake(auth, 4 * NMR, sig, {"from": staker})
    assert tx.events["Staked"] == {"round": 5, "staker": staker, "modelId": model_a, "amount": 4 * NMR, "submissionHash": SUBMISSION}


def test_stake_marks_the_nonce_used(tournament, numerai, staker, model_a):
    auth, sig = numerai.authorize(staker, model_a, 5, NMR)
    tournament.stake(auth, NMR, sig, {"from": staker})
    assert tournament.nonceUsed(staker, auth[6]) is True


def test_reused_authorization_reverts(tournament, numerai, staker, model_a):
    auth, sig = numerai.authorize(staker, model_a, 5, NMR)
    tournament.stake(auth, NMR, sig, {"from": staker})
    with brownie.reverts(custom_error(tournament, "MockTournamentNonceUsed", staker, auth[6])):
        tournament.stake(auth, NMR, sig, {"from": staker})


def test_authorization_for_another_staker_reverts(tournament, numerai, staker, bob, model_a):
    auth, sig = numerai.authorize(bob, model_a, 5, NMR)
    with brownie.reverts(custom_error(tournament, "MockTournamentWrongStaker", bob, staker)):
        tournament.stake(auth, NMR, sig, {"from": staker})


def test_expired_authorization_reverts(tournament, accounts, staker, model_a, chain):
    deadline = chain.time() - 1
    auth, sig = stake_auth(tournament, accounts[4], staker, model_a, 5, NMR, 77, deadline)
    with brownie.reverts(custom_error(tournament, "MockTournamentExpired", deadline)):
        tournament.stake(auth, NMR, sig, {"from": staker})


def test_authorization_signed_by_someone_else_reverts(tournament, staker, bob, model_a):
    auth, sig = stake_auth(tournament, bob, staker, model_a, 5, NMR, 77)
    with brownie.reverts(custom_error(tournament, "MockTournamentBadSignature")):
        tournament.stake(auth, NMR, sig, {"from": staker})


def test_authorization_for_another_chain_reverts(tournament, accounts, staker, model_a):
    auth, sig = stake_auth(tournament, accounts[4], staker, model_a, 5, NMR, 77, chain=1)
    with brownie.reverts(custom_error(tournament, "MockTournamentBadSignature")):
        tournament.stake(auth, NMR, sig, {"from": staker})


def test_authorization_for_another_tournament_reverts(tournament, numerai, staker, model_a):
    auth, sig = numerai.authorize(staker, model_a, 5, NMR)
    wrong = (11, *auth[1:])
    with brownie.reverts(custom_error(tournament, "MockTournamentWrongTournament", 11)):
        tournament.stake(wrong, NMR, sig, {"from": staker})


def test_stake_above_the_authorized_maximum_reverts(tournament, numerai, staker, model_a):
    auth, sig = numerai.authorize(staker, model_a, 5, NMR)
    with brownie.reverts(custom_error(tournament, "MockTournamentAboveMax", NMR + 1, NMR)):
        tournament.stake(auth, NMR + 1, sig, {"from": staker})


def test_stake_of_zero_reverts(tournament, numerai, staker, model_a):
    auth, sig = numerai.authorize(staker, model_a, 5, NMR)
    with brownie.reverts(custom_error(tournament, "MockTournamentZeroAmount")):
        tournament.stake(auth, 0, sig, {"from": staker})


def test_stake_into_a_resolved_round_reverts(tournament, numerai, staker, model_a):
    numerai.resolve(5, [(staker, model_a, 0, 0)])
    auth, sig = numerai.authorize(staker, model_a, 5, NMR)
    with brownie.reverts(custom_error(tournament, "MockTournamentRoundResolved", 5)):
        tournament.stake(auth, NMR, sig, {"from": staker})


def test_another_staker_on_a_taken_model_reverts(tournament, nmr, numerai, staker, model_a, bob):
    auth, sig = numerai.authorize(staker, model_a, 5, NMR)
    tournament.stake(auth, NMR, sig, {"from": staker})
    nmr.faucet(bob, 10 * NMR, {"from": bob})
    nmr.approve(tournament, 2**256 - 1, {"from": bob})
    auth, sig = numerai.authorize(bob, model_a, 5, NMR)
    with brownie.reverts(custom_error(tournament, "MockTournamentModelTaken", 5, model_a, staker)):
        tournament.stake(auth, NMR, sig, {"from": bob})


def test_another_staker_may_take_the_model_in_another_round(tournament, nmr, numerai, staker, model_a, bob):
    auth, sig = numerai.authorize(staker, model_a, 5, NMR)
    tournament.stake(auth, NMR, sig, {"from": staker})
    nmr.faucet(bob, 10 * NMR, {"from": bob})
    nmr.approve(tournament, 2**256 - 1, {"from": bob})
    auth, sig = numerai.authorize(bob, model_a, 6, NMR)
    tournament.stake(auth, NMR, sig, {"from": bob})
    assert tournament.stakerOf(6, model_a) == bob
    assert tournament.stakerOf(5, model_a) == staker


def test_the_same_staker_adds_to_its_position_with_a_fresh_authorization(tournament, numerai, staker, model_a):
    auth, sig = numerai.authorize(staker, model_a, 5, NMR)
    tournament.stake(auth, NMR, sig, {"from": staker})
    auth, sig = numerai.authorize(staker, model_a, 5, 2 * NMR)
    tournament.stake(auth, 2 * NMR, sig, {"from": staker})
    assert tournament.stakeOf(5, staker, model_a) == 3 * NMR
    assert tournament.stakerOf(5, model_a) == staker


def test_stake_of_another_staker_is_zero(tournament, numerai, staker, model_a, bob):
    auth, sig = numerai.authorize(staker, model_a, 5, NMR)
    tournament.stake(auth, NMR, sig, {"from": staker})
    assert tournament.stakeOf(5, bob, model_a) == 0
