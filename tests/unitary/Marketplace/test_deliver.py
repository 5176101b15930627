import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import (
    CLASSIC_VERDICT_WINDOW,
    CONSISTENT,
    DAY,
    DELIVERED,
    JUDGED,
    NMR,
    RELEASED,
    order_of,
    with_fields,
)

HASH = "0x" + "ab" * 32


def test_seller_delivery_starts_the_verdict_window(market, lens, order, seller):
    tx = market.deliver(order, HASH, {"from": seller})
    new = tuple(tx.events["OrderDelivered"]["order"])
    # A classic model's first live score: the verdict window is at least 4 days, not the terms' 1 day.
    assert new == with_fields(order, state=DELIVERED, deadline=tx.timestamp + CLASSIC_VERDICT_WINDOW)
    assert tx.events["OrderDelivered"]["deliveryHash"] == HASH
    assert market.orderHashOf(order[0]) == lens.hashOrder(new)


def test_agent_may_deliver_for_automated_delivery(market, order, verifier):
    tx = market.deliver(order, HASH, {"from": verifier})
    assert tx.events["OrderDelivered"]["order"]["state"] == DELIVERED


def test_plain_file_delivery_opens_the_complaint_window(market, file_listing, buy, seller):
    order = buy(file_listing)
    tx = market.deliver(order, HASH, {"from": seller})
    new = tuple(tx.events["OrderDelivered"]["order"])
    assert new == with_fields(order, state=JUDGED, verdict=CONSISTENT, deadline=tx.timestamp + 2 * DAY)
    assert "OrderSettled" not in tx.events
    assert market.balanceOf(seller) == 0


def test_plain_file_price_releases_after_the_complaint_window(market, file_listing, buy, seller, rando, chain):
    order = buy(file_listing)
    delivered = order_of(market.deliver(order, HASH, {"from": seller}), "OrderDelivered")
    chain.sleep(2 * DAY + 1)
    tx = market.settle(delivered, {"from": rando})
    assert tx.events["OrderSettled"]["outcome"] == RELEASED
    assert market.balanceOf(seller) == 975 * NMR // 100
    assert market.feesDueOf(seller) == NMR // 4
    assert market.orderHashOf(order[0]) == "0x" + "00" * 32
    assert market.sellerOf(seller)["locked"] == 0


def test_delivery_by_buyer_or_stranger_reverts(market, order, bob, rando):
    for caller in (bob, rando):
        with brownie.reverts(custom_error(market, "MarketplaceNotDeliverer", order[0], caller)):
            market.deliver(order, HASH, {"from": caller})


def test_delivery_after_deadline_reverts(market, order, seller, chain):
    chain.sleep(2 * DAY + 1)
    with brownie.reverts(custom_error(market, "MarketplaceDeadlinePassed", order[0], order[6])):
        market.deliver(order, HASH, {"from": seller})


def test_zero_hash_reverts(market, order, seller):
    with brownie.reverts(custom_error(market, "MarketplaceZeroHash")):
        market.deliver(order, "0x" + "00" * 32, {"from": seller})


def test_forged_order_struct_reverts(market, order, seller):
    for forged in (with_fields(order, price=1), with_fields(order, seller=seller.address, buyer=seller.address)):
        with brownie.reverts(custom_error(market, "MarketplaceOrderNotOpen", order[0])):
            market.deliver(forged, HASH, {"from": seller})


def test_second_delivery_reverts(market, delivered, seller):
    with brownie.reverts(custom_error(market, "MarketplaceWrongState", delivered[0], DELIVERED)):
        market.deliver(delivered, HASH, {"from": seller})
