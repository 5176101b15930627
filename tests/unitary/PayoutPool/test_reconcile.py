"""reconcile: a position Numerai finalized itself is booked once, from NMR owed to nobody."""

import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import (
    KIND_MODEL, KIND_POOL, KIND_WALLET, NMR, ZERO_MODEL, claim, finalize, held_by_pool, model_view, reconcile,
    user_view,
)


def test_reconcile_books_a_finalized_position_like_a_claim(pool, nmr, numerai, staked, alice, bob, rando):
    tree = numerai.resolve(10, [(pool, staked, 5 * NMR, 2 * NMR)])
    finalize(numerai, tree, pool, staked)
    assert nmr.balanceOf(pool) == pool.liabilities() + 103 * NMR  # arrived unasked, owed to nobody
    reconcile(pool, tree, staked, rando)
    view = model_view(pool, staked)
    assert (view["idle"], view["atRisk"]) == (203 * NMR, 100 * NMR)
    assert pool.stakeOf(staked, 10) == 0
    assert nmr.balanceOf(pool) == pool.liabilities() == held_by_pool(pool, [alice, bob], [staked])


def test_reconcile_emits_round_claimed_and_reconciled(pool, numerai, staked, rando):
    tree = numerai.resolve(10, [(pool, staked, 5 * NMR, 2 * NMR)])
    finalize(numerai, tree, pool, staked)
    tx = reconcile(pool, tree, staked, rando)
    assert tx.events["RoundClaimed"] == {
        "model": staked, "round": 10, "payout": 5 * NMR, "burn": 2 * NMR,
        "toSelf": 5 * NMR, "toPool": 0, "toWallet": 0,
    }
    assert tx.events["Reconciled"] == {"model": staked, "round": 10, "caller": rando}


def test_reconcile_routes_the_payout(pool, nmr, numerai, staked, deposited, alice, rando):
    a, b, _ = deposited
    pool.setAllocation(a, [(KIND_MODEL, b, 5_000), (KIND_POOL, ZERO_MODEL, 3_000), (KIND_WALLET, ZERO_MODEL, 2_000)], {"from": alice})
    tree = numerai.resolve(10, [(pool, a, 10 * NMR, 0)])
    finalize(numerai, tree, pool, a)
    wallet = nmr.balanceOf(alice)
    reconcile(pool, tree, a, rando)
    assert model_view(pool, b)["idle"] == 5 * NMR
    assert user_view(pool, alice)["liquid"] == 703 * NMR
    assert nmr.balanceOf(alice) == wallet + 2 * NMR
    assert nmr.balanceOf(pool) == pool.liabilities()


def test_a_finalized_position_is_credited_once_and_only_once(pool, nmr, tournament, numerai, staked, rando):
    """Review scenario: a finalized position is credited once and only once (and can't be claimed)."""
    tree = numerai.resolve(10, [(pool, staked, 5 * NMR, 0)])
    finalize(numerai, tree, pool, staked)
    with brownie.reverts(custom_error(tournament, "MockTournamentNoStake", 10, pool, staked)):
        claim(pool, tree, staked, rando)
    reconcile(pool, tree, staked, rando)
    with brownie.reverts(custom_error(pool, "PayoutPoolNothingStaked", staked, 10)):
        reconcile(pool, tree, staked, rando)
    with brownie.reverts(custom_error(pool, "PayoutPoolNothingStaked", staked, 10)):
        claim(pool, tree, staked, rando)
    assert model_view(pool, staked)["idle"] == 205 * NMR
    assert nmr.balanceOf(pool) == pool.liabilities()


def test_reconcile_of_a_claimed_position_reverts(pool, numerai, staked, rando):
    tree = numerai.resolve(10, [(pool, staked, 5 * NMR, 0)])
    claim(pool, tree, staked, rando)
    with brownie.reverts(custom_error(pool, "PayoutPoolNothingStaked", staked, 10)):
        reconcile(pool, tree, staked, rando)


def test_reconcile_of_an_unfinalized_position_reverts(pool, numerai, staked, rando):
    tree = numerai.resolve(10, [(pool, staked, 5 * NMR, 0)])
    with brownie.reverts(custom_error(pool, "PayoutPoolNotFinalized", staked, 10)):
        reconcile(pool, tree, staked, rando)


def test_reconcile_with_another_result_reverts(pool, numerai, staked, rando):
    tree = numerai.resolve(10, [(pool, staked, 5 * NMR, 0)])
    finalize(numerai, tree, pool, staked)
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidProof")):
        pool.reconcile(staked, 10, 50 * NMR, 0, tree.proof(pool.address, staked), {"from": rando})


def test_reconcile_needs_nmr_owed_to_nobody(faulty, numerai_account, rando):
    """A tournament that marks a position settled but sends less cannot make the pool credit air."""
    pool, tournament, numerai, model = faulty
    from tests.unitary.PayoutPool.helpers import pool_stake

    pool_stake(pool, numerai, model, 10, 100 * NMR, pool.balancesOf([], [model])[1][0]["owner"])
    tree = numerai.resolve(10, [(pool, model, 5 * NMR, 0)])
    tournament.setShortfall(NMR, {"from": numerai_account})
    finalize(numerai, tree, pool, model)
    with brownie.reverts(custom_error(pool, "PayoutPoolUnbackedCredit", 105 * NMR, 104 * NMR)):
        reconcile(pool, tree, model, rando)


def test_reconcile_while_paused_books_the_payout_to_liquid(pool, numerai, staked, admin, alice, rando):
    tree = numerai.resolve(10, [(pool, staked, 5 * NMR, 0)])
    finalize(numerai, tree, pool, staked)
    pool.setPaused(True, {"from": admin})
    reconcile(pool, tree, staked, rando)
    assert user_view(pool, alice)["liquid"] == 705 * NMR
    assert model_view(pool, staked)["idle"] == 200 * NMR
