from tests.unitary.market_fixtures import NMR, order_of


def test_sweep_moves_fees_due_into_accrued_fees(market, file_listing, buy, seller, rando, chain):
    delivered = order_of(market.deliver(buy(file_listing), "0x" + "ab" * 32, {"from": seller}), "OrderDelivered")
    chain.sleep(2 * 86400 + 1)
    market.settle(delivered, {"from": rando})
    tx = market.sweepFees([seller, rando], {"from": rando})
    assert market.feesDueOf(seller) == 0
    assert market.feesAccrued() == NMR // 4
    assert tx.events["FeesSwept"]["amount"] == NMR // 4


def test_sweep_leaves_seller_balance_untouched(market, file_listing, buy, seller, rando, chain):
    delivered = order_of(market.deliver(buy(file_listing), "0x" + "ab" * 32, {"from": seller}), "OrderDelivered")
    chain.sleep(2 * 86400 + 1)
    market.settle(delivered, {"from": rando})
    market.sweepFees([seller], {"from": rando})
    assert market.balanceOf(seller) == 975 * NMR // 100
