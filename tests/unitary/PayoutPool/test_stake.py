import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import COMPOUND, FIXED, NMR, claim, model_view, pool_stake, stake_auth


def test_stake_moves_idle_to_at_risk(pool, tournament, staked):
    view = model_view(pool, staked)
    assert view["idle"] == 100 * NMR
    assert view["atRisk"] == 200 * NMR
    assert pool.stakeOf(staked, 10) == 100 * NMR
    assert tournament.stakeOf(10, pool, staked) == 100 * NMR


def test_stake_sends_nmr_to_the_tournament(pool, nmr, tournament, staked):
    assert nmr.balanceOf(tournament) >= 200 * NMR
    assert nmr.balanceOf(pool) == 2000 * NMR - 200 * NMR


def test_stake_emits_round_staked(pool, numerai, staked, operator, alice):
    pool.setPolicy(staked, 30 * NMR, FIXED, {"from": alice})
    tx = pool_stake(pool, numerai, staked, 12, 30 * NMR, operator)
    assert tx.events["RoundStaked"] == {"model": staked, "round": 12, "amount": 30 * NMR, "caller": operator}


def test_operator_may_stake_within_the_policy(pool, numerai, staked, operator, alice):
    pool.setPolicy(staked, 30 * NMR, FIXED, {"from": alice})
    pool_stake(pool, numerai, staked, 12, 20 * NMR, operator)
    pool_stake(pool, numerai, staked, 12, 10 * NMR, operator)
    assert pool.stakeOf(staked, 12) == 30 * NMR


def test_operator_cannot_stake_without_a_policy(pool, numerai, staked, operator):
    """Review scenario: the operator could stake any owner's idle NMR into any round."""
    auth, sig = numerai.authorize(pool, staked, 12, NMR)
    with brownie.reverts(custom_error(pool, "PayoutPoolAbovePolicy", staked, 12, 0, NMR)):
        pool.stake(staked, NMR, auth, sig, {"from": operator})


def test_operator_cannot_stake_beyond_the_fixed_policy(pool, numerai, staked, operator, alice):
    """Review scenario: the operator cannot stake beyond the owner's policy."""
    pool.setPolicy(staked, 30 * NMR, FIXED, {"from": alice})
    pool_stake(pool, numerai, staked, 12, 20 * NMR, operator)
    auth, sig = numerai.authorize(pool, staked, 12, 11 * NMR)
    with brownie.reverts(custom_error(pool, "PayoutPoolAbovePolicy", staked, 12, 30 * NMR, 31 * NMR)):
        pool.stake(staked, 11 * NMR, auth, sig, {"from": operator})


def test_fixed_policy_counts_what_the_owner_staked_in_the_round(pool, numerai, staked, operator, alice):
    pool.setPolicy(staked, 30 * NMR, FIXED, {"from": alice})
    auth, sig = numerai.authorize(pool, staked, 10, NMR)
    with brownie.reverts(custom_error(pool, "PayoutPoolAbovePolicy", staked, 10, 30 * NMR, 101 * NMR)):
        pool.stake(staked, NMR, auth, sig, {"from": operator})


def test_zero_per_round_is_the_full_exit_even_in_compound(pool, numerai, staked, operator, alice, rando):
    pool.setPolicy(staked, 0, COMPOUND, {"from": alice})
    claim(pool, numerai.resolve(10, [(pool, staked, 5 * NMR, 0)]), staked, rando)
    assert model_view(pool, staked)["compoundCredit"] == 105 * NMR
    auth, sig = numerai.authorize(pool, staked, 12, NMR)
    with brownie.reverts(custom_error(pool, "PayoutPoolAbovePolicy", staked, 12, 0, NMR)):
        pool.stake(staked, NMR, auth, sig, {"from": operator})


def test_compound_allows_what_resolved_positions_returned(pool, numerai, staked, operator, alice, rando):
    pool.setPolicy(staked, 10 * NMR, COMPOUND, {"from": alice})
    claim(pool, numerai.resolve(10, [(pool, staked, 5 * NMR, 2 * NMR)]), staked, rando)
    assert model_view(pool, staked)["compoundCredit"] == 103 * NMR
    auth, sig = numerai.authorize(pool, staked, 12, 114 * NMR)
    with brownie.reverts(custom_error(pool, "PayoutPoolAbovePolicy", staked, 12, 113 * NMR, 114 * NMR)):
        pool.stake(staked, 114 * NMR, auth, sig, {"from": operator})
    pool.stake(staked, 113 * NMR, auth, sig, {"from": operator})
    assert pool.stakeOf(staked, 12) == 113 * NMR
    assert model_view(pool, staked)["compoundCredit"] == 0  # reset by the stake


def test_fixed_policy_ignores_returned_nmr(pool, numerai, staked, operator, alice, rando):
    pool.setPolicy(staked, 10 * NMR, FIXED, {"from": alice})
    claim(pool, numerai.resolve(10, [(pool, staked, 5 * NMR, 0)]), staked, rando)
    assert model_view(pool, staked)["compoundCredit"] == 0
    auth, sig = numerai.authorize(pool, staked, 12, 11 * NMR)
    with brownie.reverts(custom_error(pool, "PayoutPoolAbovePolicy", staked, 12, 10 * NMR, 11 * NMR)):
        pool.stake(staked, 11 * NMR, auth, sig, {"from": operator})


def test_owner_stakes_by_hand_beyond_the_policy(pool, numerai, staked, alice):
    pool.setPolicy(staked, NMR, FIXED, {"from": alice})
    pool_stake(pool, numerai, staked, 12, 50 * NMR, alice)
    assert pool.stakeOf(staked, 12) == 50 * NMR


def test_stake_lowers_the_liabilities(pool, numerai, staked, alice):
    before = pool.liabilities()
    pool_stake(pool, numerai, staked, 12, 50 * NMR, alice)
    assert pool.liabilities() == before - 50 * NMR


def test_stake_adds_to_a_round_already_staked(pool, numerai, staked, alice):
    pool_stake(pool, numerai, staked, 10, 30 * NMR, alice)
    assert pool.stakeOf(staked, 10) == 130 * NMR


def test_stake_by_other_roles_reverts(pool, numerai, staked, bob, rando, admin, treasury):
    for caller in (bob, rando, admin, treasury):
        auth, sig = numerai.authorize(pool, staked, 12, NMR)
        with brownie.reverts(custom_error(pool, "PayoutPoolNotOperatorOrOwner", staked, caller)):
            pool.stake(staked, NMR, auth, sig, {"from": caller})


def test_stake_with_authorization_for_another_model_reverts(pool, numerai, staked, deposited, alice):
    auth, sig = numerai.authorize(pool, deposited[1], 12, NMR)
    with brownie.reverts(custom_error(pool, "PayoutPoolWrongAuthorization", staked)):
        pool.stake(staked, NMR, auth, sig, {"from": alice})


def test_stake_with_authorization_for_another_staker_reverts(pool, numerai, staked, alice):
    auth, sig = numerai.authorize(alice, staked, 12, NMR)
    with brownie.reverts(custom_error(pool, "PayoutPoolWrongAuthorization", staked)):
        pool.stake(staked, NMR, auth, sig, {"from": alice})


def test_stake_above_idle_reverts(pool, numerai, staked, alice):
    auth, sig = numerai.authorize(pool, staked, 12, 101 * NMR)
    with brownie.reverts(custom_error(pool, "PayoutPoolInsufficientIdle", staked, 100 * NMR, 101 * NMR)):
        pool.stake(staked, 101 * NMR, auth, sig, {"from": alice})


def test_stake_zero_reverts(pool, numerai, staked, alice):
    auth, sig = numerai.authorize(pool, staked, 12, NMR)
    with brownie.reverts(custom_error(pool, "PayoutPoolZeroAmount")):
        pool.stake(staked, 0, auth, sig, {"from": alice})


def test_stake_while_paused_reverts(pool, numerai, staked, admin, alice):
    pool.setPaused(True, {"from": admin})
    auth, sig = numerai.authorize(pool, staked, 12, NMR)
    with brownie.reverts(custom_error(pool, "PayoutPoolPaused")):
        pool.stake(staked, NMR, auth, sig, {"from": alice})


def test_stake_above_authorized_maximum_reverts_in_the_tournament(pool, tournament, numerai, staked, alice):
    auth, sig = numerai.authorize(pool, staked, 12, NMR)
    with brownie.reverts(custom_error(tournament, "MockTournamentAboveMax", 2 * NMR, NMR)):
        pool.stake(staked, 2 * NMR, auth, sig, {"from": alice})


def test_stake_with_authorization_not_signed_by_numerai_reverts(pool, tournament, staked, alice, bob):
    auth, sig = stake_auth(tournament, bob, pool, staked, 12, NMR, 99)
    with brownie.reverts(custom_error(tournament, "MockTournamentBadSignature")):
        pool.stake(staked, NMR, auth, sig, {"from": alice})



def test_tournament_pulling_a_different_amount_reverts(faulty, numerai_account, alice):
    pool, tournament, numerai, model = faulty
    tournament.setShortfall(1, {"from": numerai_account})
    auth, sig = numerai.authorize(pool, model, 12, NMR)
    with brownie.reverts(custom_error(pool, "PayoutPoolStakeMismatch", NMR, NMR - 1)):
        pool.stake(model, NMR, auth, sig, {"from": alice})
