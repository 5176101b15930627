import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import BUYER_FAULT, BUYER_SLASHED, CONSISTENT, DAY, NMR, RELEASED, SELLER_FAULT, SELLER_SLASHED


def test_consistent_verdict_releases_to_seller_minus_fee(market, order, judge, seller, bob, rando, chain):
    judged = judge(order, CONSISTENT)
    chain.sleep(2 * DAY + 1)
    tx = market.settle(judged, {"from": rando})
    ev = tx.events["OrderSettled"]
    assert (ev["outcome"], ev["toSeller"], ev["toFees"]) == (RELEASED, 975 * NMR // 100, NMR // 4)
    assert market.balanceOf(seller) == 975 * NMR // 100
    assert market.reputationOf(seller)["sales"] == 1
    assert market.sellerOf(seller)["locked"] == 0


def test_seller_fault_refunds_buyer_and_slashes_bond(market, order, judge, seller, bob, chain):
    judged = judge(order, SELLER_FAULT)
    chain.sleep(2 * DAY + 1)
    tx = market.settle(judged, {"from": bob})
    assert tx.events["OrderSettled"]["outcome"] == SELLER_SLASHED
    assert market.balanceOf(bob) == 1_005 * NMR
    assert market.sellerOf(seller)["bond"] == 90 * NMR
    assert market.feesAccrued() == 5 * NMR
    assert (market.reputationOf(seller)["refunds"], market.reputationOf(seller)["slashes"]) == (1, 1)


def test_buyer_fault_slashes_stake_collateral(market, stake_listing, buy, judge, seller, bob, chain):
    judged = judge(buy(stake_listing, units=100, price=NMR // 10), BUYER_FAULT)  # 10 NMR + 10 NMR collateral
    chain.sleep(2 * DAY + 1)
    tx = market.settle(judged, {"from": seller})
    ev = tx.events["OrderSettled"]
    assert (ev["outcome"], ev["toBuyer"]) == (BUYER_SLASHED, 0)
    assert market.balanceOf(seller) == 975 * NMR // 100 + 5 * NMR
    assert market.feesDueOf(seller) == NMR // 4 + 5 * NMR
    assert market.balanceOf(bob) == 980 * NMR


def test_consistent_stake_order_returns_buyer_collateral(market, stake_listing, buy, judge, bob, chain):
    judged = judge(buy(stake_listing, units=100, price=NMR // 10), CONSISTENT)
    chain.sleep(2 * DAY + 1)
    market.settle(judged, {"from": bob})
    assert market.balanceOf(bob) == 990 * NMR


def test_slash_is_capped_at_the_bond(market, listing, buy, judge, seller, bob, chain):
    judged = judge(buy(listing, units=20), SELLER_FAULT)  # 200 NMR order, 100 NMR bond
    chain.sleep(2 * DAY + 1)
    market.settle(judged, {"from": bob})
    assert market.sellerOf(seller)["bond"] == 0
    assert market.balanceOf(bob) == 1_000 * NMR + 50 * NMR


def test_settle_before_deadline_reverts(market, order, judge, rando):
    judged = judge(order, CONSISTENT)
    with brownie.reverts(custom_error(market, "MarketplaceDeadlineNotReached", order[0], judged[6])):
        market.settle(judged, {"from": rando})


def test_settle_of_settled_order_reverts(market, order, judge, rando, chain):
    judged = judge(order, CONSISTENT)
    chain.sleep(2 * DAY + 1)
    market.settle(judged, {"from": rando})
    with brownie.reverts(custom_error(market, "MarketplaceOrderNotOpen", order[0])):
        market.settle(judged, {"from": rando})


def test_settle_pushes_an_undelivered_order_to_refund(market, order, bob, rando, chain):
    chain.sleep(2 * DAY + 1)
    market.settle(order, {"from": rando})
    assert market.balanceOf(bob) == 1_002_500 * NMR // 1000  # plus half the order's 5 NMR bond
