import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import NMR, order_of


def test_withdraw_fees_pays_the_treasury(market, nmr, file_listing, buy, seller, rando, treasury, chain):
    delivered = order_of(market.deliver(buy(file_listing), "0x" + "ab" * 32, {"from": seller}), "OrderDelivered")
    chain.sleep(2 * 86400 + 1)
    market.settle(delivered, {"from": rando})
    market.sweepFees([seller], {"from": rando})
    tx = market.withdrawFees({"from": rando})
    assert nmr.balanceOf(treasury) == NMR // 4
    assert market.feesAccrued() == 0
    assert tx.events["FeesWithdrawn"] == {"treasury": treasury, "amount": NMR // 4}


def test_withdraw_fees_with_nothing_accrued_reverts(market, rando):
    with brownie.reverts(custom_error(market, "MarketplaceZeroAmount")):
        market.withdrawFees({"from": rando})
