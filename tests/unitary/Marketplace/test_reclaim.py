import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import DAY, DELIVERED, NMR, REFUNDED


def test_undelivered_order_refunds_buyer_in_full_plus_half_its_bond(market, stake_listing, buy, bob, seller, chain):
    order = buy(stake_listing, units=50, price=NMR // 10)
    chain.sleep(2 * DAY + 1)
    tx = market.reclaim(order, {"from": bob})
    # price 5 NMR locks 2.5 NMR of bond; MISSED_DELIVERY_BPS (50%) of it goes to the buyer.
    assert market.balanceOf(bob) == 1_000 * NMR + 125 * NMR // 100
    assert market.sellerOf(seller)["locked"] == 0
    assert market.sellerOf(seller)["bond"] == 100 * NMR - 125 * NMR // 100
    ev = tx.events["OrderSettled"]
    assert (ev["outcome"], ev["toBuyer"], ev["toSeller"]) == (REFUNDED, 10 * NMR + 125 * NMR // 100, 0)


def test_reclaim_counts_a_refund_against_the_seller(market, order, seller, chain):
    chain.sleep(2 * DAY + 1)
    tx = market.reclaim(order, {"from": seller})
    assert market.reputationOf(seller)["refunds"] == 1
    assert tx.events["ReputationChanged"][0] == {"seller": seller, "counter": 1, "value": 1}
    assert tx.events["ReputationChanged"][1] == {"seller": seller, "counter": 2, "value": 1}


def test_anyone_may_reclaim_but_the_buyer_is_paid(market, order, bob, rando, chain):
    chain.sleep(2 * DAY + 1)
    market.reclaim(order, {"from": rando})
    assert market.balanceOf(bob) == 1_002_500 * NMR // 1000
    assert market.balanceOf(rando) == 0


def test_reclaim_before_deadline_reverts(market, order, bob):
    with brownie.reverts(custom_error(market, "MarketplaceDeadlineNotReached", order[0], order[6])):
        market.reclaim(order, {"from": bob})


def test_reclaim_of_delivered_order_reverts(market, delivered, bob, chain):
    chain.sleep(2 * DAY + 1)
    with brownie.reverts(custom_error(market, "MarketplaceWrongState", delivered[0], DELIVERED)):
        market.reclaim(delivered, {"from": bob})


def test_reclaim_twice_reverts(market, order, bob, chain):
    chain.sleep(2 * DAY + 1)
    market.reclaim(order, {"from": bob})
    with brownie.reverts(custom_error(market, "MarketplaceOrderNotOpen", order[0])):
        market.reclaim(order, {"from": bob})
