import brownie

from tests.errors import custom_error


def test_seller_closes_listing(market, listing, seller):
    tx = market.closeListing(listing, {"from": seller})
    assert market.listingOf(listing)["closed"]
    assert tx.events["ListingClosed"] == {"listingId": listing, "closedBy": seller}


def test_stranger_cannot_close_a_listing(market, registry, admin, listing, rando, model_ids):
    with brownie.reverts(custom_error(market, "MarketplaceNotSeller", listing, rando)):
        market.closeListing(listing, {"from": rando})
    registry.revoke(model_ids[0], "0x" + "00" * 32, {"from": admin})
    with brownie.reverts(custom_error(market, "MarketplaceNotSeller", listing, rando)):
        market.closeListing(listing, {"from": rando})


def test_seller_closes_a_listing_of_a_model_it_lost(market, registry, admin, listing, seller, model_ids):
    registry.revoke(model_ids[0], "0x" + "00" * 32, {"from": admin})
    market.closeListing(listing, {"from": seller})
    assert market.listingOf(listing)["closed"]


def test_closing_twice_or_unknown_listing_reverts(market, listing, seller):
    market.closeListing(listing, {"from": seller})
    for listing_id in (listing, 999):
        with brownie.reverts(custom_error(market, "MarketplaceListingNotOpen", listing_id)):
            market.closeListing(listing_id, {"from": seller})


def test_closed_listing_keeps_open_orders_settleable(market, listing, seller, order, bob, chain):
    market.closeListing(listing, {"from": seller})
    market.deliver(order, "0x" + "ab" * 32, {"from": seller})
    assert market.orderHashOf(order[0]) != "0x" + "00" * 32
