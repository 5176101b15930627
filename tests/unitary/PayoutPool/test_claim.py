import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import (
    KIND_MODEL, KIND_POOL, KIND_WALLET, NMR, TOURNAMENT, ZERO_MODEL, claim, held_by_pool, model_view, pool_stake,
    user_view,
)


def test_claim_returns_principal_and_payout_to_idle_by_default(pool, numerai, staked, rando):
    tree = numerai.resolve(10, [(pool, staked, 5 * NMR, 0)])
    claim(pool, tree, staked, rando)
    view = model_view(pool, staked)
    assert view["idle"] == 205 * NMR
    assert view["atRisk"] == 100 * NMR
    assert pool.stakeOf(staked, 10) == 0


def test_claim_emits_round_claimed_with_the_split(pool, numerai, staked, rando):
    tree = numerai.resolve(10, [(pool, staked, 5 * NMR, 0)])
    tx = claim(pool, tree, staked, rando)
    assert tx.events["RoundClaimed"] == {
        "model": staked, "round": 10, "payout": 5 * NMR, "burn": 0,
        "toSelf": 5 * NMR, "toPool": 0, "toWallet": 0,
    }


def test_claim_takes_the_burn_off_the_principal(pool, numerai, staked, rando):
    tree = numerai.resolve(10, [(pool, staked, 0, 3 * NMR)])
    claim(pool, tree, staked, rando)
    assert model_view(pool, staked)["idle"] == 197 * NMR


def test_claim_splits_payout_by_allocation(pool, numerai, staked, deposited, alice, rando):
    a, b, _ = deposited
    pool.setAllocation(a, [(KIND_MODEL, a, 5_000), (KIND_MODEL, b, 3_000), (KIND_POOL, ZERO_MODEL, 2_000)], {"from": alice})
    tree = numerai.resolve(10, [(pool, a, 10 * NMR, 0)])
    tx = claim(pool, tree, a, rando)
    assert model_view(pool, a)["idle"] == 205 * NMR
    assert model_view(pool, b)["idle"] == 3 * NMR
    assert user_view(pool, alice)["liquid"] == 702 * NMR
    e = tx.events["RoundClaimed"]
    # The other models' part is what the event's split leaves of the payout.
    to_models = e["payout"] - e["toSelf"] - e["toPool"] - e["toWallet"]
    assert (to_models, e["toPool"]) == (3 * NMR, 2 * NMR)


def test_last_target_gets_the_rounding_remainder(pool, numerai, staked, deposited, alice, rando):
    a, b, _ = deposited
    pool.setAllocation(a, [(KIND_MODEL, b, 3_333), (KIND_POOL, ZERO_MODEL, 3_333), (KIND_MODEL, a, 3_334)], {"from": alice})
    tree = numerai.resolve(10, [(pool, a, 10, 0)])
    claim(pool, tree, a, rando)
    assert model_view(pool, b)["idle"] == 3
    assert user_view(pool, alice)["liquid"] == 700 * NMR + 3
    assert model_view(pool, a)["idle"] == 200 * NMR + 4


def test_wallet_target_transfers_to_the_owner(pool, nmr, numerai, staked, alice, rando):
    pool.setAllocation(staked, [(KIND_MODEL, staked, 7_500), (KIND_WALLET, ZERO_MODEL, 2_500)], {"from": alice})
    before = nmr.balanceOf(alice)
    tree = numerai.resolve(10, [(pool, staked, 4 * NMR, 0)])
    claim(pool, tree, staked, rando)
    assert nmr.balanceOf(alice) == before + NMR
    assert model_view(pool, staked)["idle"] == 203 * NMR


def test_target_model_no_longer_the_owners_is_paid_to_liquid(pool, registry, attestor, numerai, staked, deposited, alice, bob, rando):
    a, b, _ = deposited
    pool.setAllocation(a, [(KIND_MODEL, b, 10_000)], {"from": alice})
    registry.release(b, {"from": alice})
    registry.attest(b, bob, TOURNAMENT, {"from": attestor})
    pool.increaseStake(b, NMR, {"from": bob})
    tree = numerai.resolve(10, [(pool, a, 6 * NMR, 0)])
    claim(pool, tree, a, rando)
    assert model_view(pool, b)["idle"] == NMR
    assert user_view(pool, alice)["liquid"] == 706 * NMR


def test_claim_while_paused_pays_the_payout_to_liquid(pool, numerai, staked, deposited, admin, alice, rando):
    a, b, _ = deposited
    pool.setAllocation(a, [(KIND_MODEL, b, 10_000)], {"from": alice})
    pool.setPaused(True, {"from": admin})
    tree = numerai.resolve(10, [(pool, a, 6 * NMR, 0)])
    claim(pool, tree, a, rando)
    assert model_view(pool, a)["idle"] == 200 * NMR
    assert model_view(pool, b)["idle"] == 0
    assert user_view(pool, alice)["liquid"] == 706 * NMR


def test_claim_keeps_pool_balance_equal_to_internal_balances(pool, nmr, numerai, staked, deposited, alice, bob, rando):
    a, b, _ = deposited
    pool.setAllocation(a, [(KIND_MODEL, b, 4_000), (KIND_WALLET, ZERO_MODEL, 6_000)], {"from": alice})
    tree = numerai.resolve(10, [(pool, a, 9 * NMR, 0)])
    claim(pool, tree, a, rando)
    assert nmr.balanceOf(pool) == held_by_pool(pool, [alice, bob], list(deposited))


def test_claiming_twice_reverts(pool, numerai, staked, rando):
    tree = numerai.resolve(10, [(pool, staked, 5 * NMR, 0)])
    claim(pool, tree, staked, rando)
    with brownie.reverts(custom_error(pool, "PayoutPoolNothingStaked", staked, 10)):
        claim(pool, tree, staked, rando)


def test_claiming_a_round_never_staked_reverts(pool, staked, rando):
    with brownie.reverts(custom_error(pool, "PayoutPoolNothingStaked", staked, 99)):
        pool.claim(staked, 99, 0, 0, [], {"from": rando})


def test_burn_above_stake_reverts(pool, staked, rando):
    with brownie.reverts(custom_error(pool, "PayoutPoolBurnAboveStake", 101 * NMR, 100 * NMR)):
        pool.claim(staked, 10, 0, 101 * NMR, [], {"from": rando})


def test_claim_with_a_forged_payout_reverts(pool, tournament, numerai, staked, rando):
    tree = numerai.resolve(10, [(pool, staked, 5 * NMR, 0)])
    with brownie.reverts(custom_error(tournament, "MockTournamentInvalidProof")):
        pool.claim(staked, 10, 50 * NMR, 0, tree.proof(pool.address, staked), {"from": rando})


def test_claim_before_the_round_resolves_reverts(pool, tournament, staked, rando):
    with brownie.reverts(custom_error(tournament, "MockTournamentRoundNotResolved", 10)):
        pool.claim(staked, 10, 0, 0, [], {"from": rando})


def test_any_role_may_claim(pool, numerai, staked, alice, bob, operator, admin, treasury):
    for round_, caller in zip((10, 11), (bob, treasury)):
        tree = numerai.resolve(round_, [(pool, staked, NMR, 0)])
        claim(pool, tree, staked, caller)
    assert model_view(pool, staked)["idle"] == 302 * NMR



def test_tournament_paying_a_different_amount_reverts(faulty, numerai_account, alice, rando):
    pool, tournament, numerai, model = faulty
    pool_stake(pool, numerai, model, 10, 100 * NMR, alice)
    tree = numerai.resolve(10, [(pool, model, 5 * NMR, 0)])
    tournament.setShortfall(1, {"from": numerai_account})
    with brownie.reverts(custom_error(pool, "PayoutPoolClaimMismatch", 105 * NMR, 105 * NMR - 1)):
        claim(pool, tree, model, rando)
    assert pool.stakeOf(model, 10) == 100 * NMR
