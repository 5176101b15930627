import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR


def test_resolve_stores_root_totals_and_time(tournament, numerai, staker, model_a, bob, chain):
    tree = numerai.resolve(5, [(staker, model_a, 3 * NMR, 0), (bob, model_a, 0, 2 * NMR)])
    root, payout, burn, resolved_at = tournament.roundOf(5)
    assert (root, payout, burn) == (tree.root, 3 * NMR, 2 * NMR)
    assert resolved_at == chain[-1].timestamp


def test_root_of_is_zero_until_resolved(tournament, numerai, staker, model_a):
    assert tournament.rootOf(5) == "0x" + "00" * 32
    tree = numerai.resolve(5, [(staker, model_a, 3 * NMR, 0)])
    assert tournament.rootOf(5) == tree.root


def test_resolve_pulls_the_total_payout(tournament, nmr, numerai, staker, model_a):
    before = nmr.balanceOf(tournament)
    numerai.resolve(5, [(staker, model_a, 3 * NMR, 0)])
    assert nmr.balanceOf(tournament) == before + 3 * NMR


def test_resolve_emits_round_resolved(tournament, numerai, staker, model_a, accounts):
    tx = tournament.resolveRound(5, "0x" + "12" * 32, 0, 0, {"from": accounts[4]})
    assert tx.events["RoundResolved"] == {"round": 5, "root": "0x" + "12" * 32, "totalPayout": 0, "totalBurn": 0}


def test_resolve_by_another_account_reverts(tournament, alice, admin, rando):
    for caller in (alice, admin, rando):
        with brownie.reverts(custom_error(tournament, "MockTournamentNotResolver", caller)):
            tournament.resolveRound(5, "0x" + "12" * 32, 0, 0, {"from": caller})


def test_resolving_twice_reverts(tournament, accounts):
    tournament.resolveRound(5, "0x" + "12" * 32, 0, 0, {"from": accounts[4]})
    with brownie.reverts(custom_error(tournament, "MockTournamentRoundResolved", 5)):
        tournament.resolveRound(5, "0x" + "34" * 32, 0, 0, {"from": accounts[4]})


def test_faulty_tournament_shortfall_is_set_by_the_resolver_only(FaultyTournamentStaking, nmr, accounts, admin, alice):
    tournament = FaultyTournamentStaking.deploy(nmr, 8, accounts[4], accounts[4], {"from": admin})
    tx = tournament.setShortfall(3, {"from": accounts[4]})
    assert tournament.shortfall() == 3
    assert tx.events["ShortfallSet"] == {"shortfall": 3}
    with brownie.reverts(custom_error(tournament, "MockTournamentNotResolver", alice)):
        tournament.setShortfall(0, {"from": alice})
