import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import NMR, fund


def test_withdraw_sends_tokens_and_debits_balance(market, nmr, rando):
    fund(nmr, market, rando, 5 * NMR)
    market.withdraw(2 * NMR, {"from": rando})
    assert market.balanceOf(rando) == 3 * NMR
    assert nmr.balanceOf(rando) == 2 * NMR


def test_withdraw_emits_withdrawn(market, nmr, rando):
    fund(nmr, market, rando, 5 * NMR)
    tx = market.withdraw(5 * NMR, {"from": rando})
    assert tx.events["Withdrawn"] == {"account": rando, "amount": 5 * NMR}


def test_withdraw_more_than_balance_reverts(market, nmr, rando):
    fund(nmr, market, rando, NMR)
    with brownie.reverts(custom_error(market, "MarketplaceInsufficientBalance", rando, NMR, NMR + 1)):
        market.withdraw(NMR + 1, {"from": rando})


def test_withdraw_of_another_accounts_balance_is_impossible(market, nmr, rando, carol):
    fund(nmr, market, carol, NMR)
    with brownie.reverts(custom_error(market, "MarketplaceInsufficientBalance", rando, 0, NMR)):
        market.withdraw(NMR, {"from": rando})


def test_withdraw_zero_reverts(market, rando):
    with brownie.reverts(custom_error(market, "MarketplaceZeroAmount")):
        market.withdraw(0, {"from": rando})
