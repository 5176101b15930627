"""MockTournamentStaking with `numerai` (accounts[4]) as its signer and resolver; alice stakes directly."""

import pytest

from tests.unitary.PayoutPool.helpers import NMR, TOURNAMENT, Numerai


@pytest.fixture(scope="module")
def tournament(MockTournamentStaking, nmr, accounts, admin):
    return MockTournamentStaking.deploy(nmr, TOURNAMENT, accounts[4], accounts[4], {"from": admin})


@pytest.fixture(scope="module")
def numerai(tournament, nmr, accounts):
    n = Numerai(tournament, nmr, accounts[4])
    n.fund()
    return n


@pytest.fixture(scope="module")
def staker(nmr, tournament, numerai, alice):
    nmr.faucet(alice, 1000 * NMR, {"from": alice})
    nmr.approve(tournament, 2**256 - 1, {"from": alice})
    return alice
