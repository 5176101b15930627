import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import NMR, fund


def test_deposit_credits_balance_and_pulls_tokens(market, nmr, rando):
    fund(nmr, market, rando, 5 * NMR)
    assert market.balanceOf(rando) == 5 * NMR
    assert nmr.balanceOf(market) == 5 * NMR
    assert nmr.balanceOf(rando) == 0


def test_deposit_emits_deposited(market, nmr, rando):
    tx = fund(nmr, market, rando, 5 * NMR)
    assert tx.events["Deposited"] == {"account": rando, "amount": 5 * NMR}


def test_deposit_zero_reverts(market, rando):
    with brownie.reverts(custom_error(market, "MarketplaceZeroAmount")):
        market.deposit(0, {"from": rando})


def test_deposit_without_allowance_reverts_and_credits_nothing(market, nmr, rando):
    nmr.faucet(rando, NMR, {"from": rando})
    with brownie.reverts():
        market.deposit(NMR, {"from": rando})
    assert market.balanceOf(rando) == 0


def test_second_deposit_works_with_nmr_approve_quirk(market, nmr, rando):
    fund(nmr, market, rando, NMR)
    fund(nmr, market, rando, 2 * NMR)
    assert market.balanceOf(rando) == 3 * NMR
