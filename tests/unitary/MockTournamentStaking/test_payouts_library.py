"""agent/payouts.py: the trees and proofs the contract verifies, and Numerai's payout formula."""

import pytest

from agent.payouts import NMR, MerkleTree, PayoutError, RoundResult, RoundTree, round_payout, verify

STAKER = "0x" + "aa" * 20


def model(i):
    return "0x" + "00" * 16 + f"{i:032x}"


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13])
def test_every_leaf_proof_verifies(size):
    tree = RoundTree(7, [RoundResult(7, STAKER, model(i), i * NMR, 0) for i in range(size)])
    for i in range(size):
        leaf = RoundResult(7, STAKER, model(i), i * NMR, 0).leaf()
        proof = [bytes.fromhex(h[2:]) for h in tree.proof(STAKER, model(i))]
        assert verify(proof, tree.tree.root, leaf)


def test_a_changed_payout_does_not_verify():
    tree = RoundTree(7, [RoundResult(7, STAKER, model(i), NMR, 0) for i in range(4)])
    forged = RoundResult(7, STAKER, model(1), 2 * NMR, 0).leaf()
    proof = [bytes.fromhex(h[2:]) for h in tree.proof(STAKER, model(1))]
    assert not verify(proof, tree.tree.root, forged)


def test_totals_sum_the_leaves():
    tree = RoundTree(7, [RoundResult(7, STAKER, model(1), 3, 0), RoundResult(7, STAKER, model(2), 0, 5)])
    assert (tree.total_payout, tree.total_burn) == (3, 5)


def test_duplicate_result_is_rejected():
    with pytest.raises(PayoutError):
        RoundTree(7, [RoundResult(7, STAKER, model(1), 3, 0), RoundResult(7, STAKER, model(1), 4, 0)])


def test_result_of_another_round_is_rejected():
    with pytest.raises(PayoutError):
        RoundTree(7, [RoundResult(8, STAKER, model(1), 3, 0)])


def test_empty_tree_is_rejected():
    with pytest.raises(PayoutError):
        MerkleTree([])


def test_positive_score_pays_and_negative_burns():
    assert round_payout(100 * NMR, 0.02, 0.005) == (2 * NMR, 0)  # 0.5*0.02 + 2*0.005 = 0.02
    assert round_payout(100 * NMR, -0.02, -0.005) == (0, 2 * NMR)


def test_payout_and_burn_are_clipped_at_five_percent():
    assert round_payout(100 * NMR, 0.5, 0.5) == (5 * NMR, 0)
    assert round_payout(100 * NMR, -0.5, -0.5) == (0, 5 * NMR)
