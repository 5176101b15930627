import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import BOUNDS, DAY, NMR, PAID, order_of


def _bid(market, listing, buyer, chain, price=15 * NMR):
    t = chain.time()
    return market.postBid(listing, 501, 2, price, t + 2 * DAY, t + DAY, *BOUNDS, {"from": buyer}).return_value


def test_accepted_bid_becomes_an_order_with_its_escrow(market, lens, listing, seller, bob, chain):
    bid_id = _bid(market, listing, bob, chain)
    tx = market.acceptBid(bid_id, {"from": seller})
    order = order_of(tx, market=market)
    assert order[1:5] == (seller, bob, 1, PAID) and order[10] == 15 * NMR
    assert market.orderHashOf(order[0]) == lens.hashOrder(order)
    assert market.bidOf(bid_id)["buyer"] == "0x" + "00" * 20
    assert tx.events["BidAccepted"] == {"bidId": bid_id, "orderId": order[0]}
    assert market.balanceOf(bob) == 985 * NMR


def test_accept_by_non_seller_reverts(market, listing, bob, rando, chain):
    bid_id = _bid(market, listing, bob, chain)
    with brownie.reverts(custom_error(market, "MarketplaceNotSeller", listing, rando)):
        market.acceptBid(bid_id, {"from": rando})


def test_accept_after_expiry_reverts(market, listing, seller, bob, chain):
    bid_id = _bid(market, listing, bob, chain)
    chain.sleep(DAY + 1)
    with brownie.reverts(custom_error(market, "MarketplaceBidExpired", bid_id)):
        market.acceptBid(bid_id, {"from": seller})


def test_accept_twice_or_unknown_bid_reverts(market, listing, seller, bob, chain):
    bid_id = _bid(market, listing, bob, chain)
    market.acceptBid(bid_id, {"from": seller})
    for unknown in (bid_id, 999):
        with brownie.reverts(custom_error(market, "MarketplaceBidNotOpen", unknown)):
            market.acceptBid(unknown, {"from": seller})


def test_accept_beyond_bond_coverage_reverts(market, listing, seller, bob, chain):
    bid_id = _bid(market, listing, bob, chain, price=201 * NMR)
    with brownie.reverts(custom_error(market, "MarketplaceBondTooLow", seller, 100 * NMR, 100 * NMR + NMR // 2)):
        market.acceptBid(bid_id, {"from": seller})


def test_accepting_a_bid_on_a_revoked_model_reverts(market, registry, admin, listing, seller, bob, chain, model_ids):
    bid_id = _bid(market, listing, bob, chain)
    registry.revoke(model_ids[0], "0x" + "00" * 32, {"from": admin})
    with brownie.reverts(custom_error(market, "MarketplaceNotModelOwner", model_ids[0], seller)):
        market.acceptBid(bid_id, {"from": seller})


def test_accepted_bid_order_carries_the_listing_terms_and_locks_bond(market, listing, seller, bob, chain):
    order = order_of(market.acceptBid(_bid(market, listing, bob, chain), {"from": seller}), market=market)
    assert (order[7], order[8], order[9], order[12]) == (250, 1, 4 * DAY, 15 * NMR // 2)
    assert market.sellerOf(seller)["locked"] == 15 * NMR // 2
