"""MockTournamentStaking.isClaimed: true once the staker claimed or Numerai finalized the position."""

from tests.unitary.PayoutPool.helpers import NMR


def test_is_claimed_is_false_before_and_true_after_a_claim(tournament, numerai, staker, model_a, bob):
    auth, sig = numerai.authorize(staker, model_a, 5, 100 * NMR)
    tournament.stake(auth, 100 * NMR, sig, {"from": staker})
    assert tournament.isClaimed(5, staker, model_a) is False
    tree = numerai.resolve(5, [(staker, model_a, 7 * NMR, 0)])
    assert tournament.isClaimed(5, staker, model_a) is False
    tournament.claim(5, model_a, 7 * NMR, 0, tree.proof(staker, model_a), {"from": staker})
    assert tournament.isClaimed(5, staker, model_a) is True
    assert tournament.isClaimed(5, bob, model_a) is False


def test_is_claimed_is_false_without_a_position(tournament, staker, model_a):
    assert tournament.isClaimed(5, staker, model_a) is False
    assert tournament.isClaimed(5, "0x" + "00" * 20, model_a) is False
