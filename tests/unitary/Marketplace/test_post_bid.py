import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import BOUNDS, DAY, NMR


def test_post_bid_escrows_price_and_stores_bid(market, listing, bob, chain):
    t = chain.time()
    tx = market.postBid(listing, 501, 2, 15 * NMR, t + 2 * DAY, t + DAY, *BOUNDS, {"from": bob})
    bid = market.bidOf(tx.return_value)
    assert (bid["buyer"], bid["round"], bid["units"], bid["price"], bid["collateral"]) == (bob, 501, 2, 15 * NMR, 0)
    assert market.balanceOf(bob) == 985 * NMR
    assert tx.events["BidPosted"]["listingId"] == listing


def test_stake_bid_also_escrows_collateral(market, stake_listing, bob, chain):
    t = chain.time()
    tx = market.postBid(stake_listing, 500, 100, 5 * NMR, t + 2 * DAY, t + DAY, *BOUNDS, {"from": bob})
    assert market.bidOf(tx.return_value)["collateral"] == 10 * NMR
    assert market.balanceOf(bob) == 985 * NMR


def test_bid_without_balance_reverts(market, listing, rando, chain):
    t = chain.time()
    with brownie.reverts(custom_error(market, "MarketplaceInsufficientBalance", rando, 0, NMR)):
        market.postBid(listing, 500, 1, NMR, t + 2 * DAY, t + DAY, *BOUNDS, {"from": rando})


def test_invalid_bids_revert(market, listing, bob, chain):
    t = chain.time()
    cases = [
        ((listing, 499, 1, NMR, t + DAY, t + DAY), ("MarketplaceRoundNotListed", listing, 499)),
        ((listing, 500, 0, NMR, t + DAY, t + DAY), ("MarketplaceNothingToFill",)),
        ((listing, 500, 1, NMR, t + DAY, t - 1), ("MarketplaceInvalidExpiry", t - 1)),
        ((listing, 500, 1, NMR, t + 31 * DAY, t + DAY), ("MarketplaceInvalidDeliveryDeadline", t + 31 * DAY)),
        ((999, 500, 1, NMR, t + DAY, t + DAY), ("MarketplaceListingNotOpen", 999)),
    ]
    for args, error in cases:
        with brownie.reverts(custom_error(market, *error)):
            market.postBid(*args, *BOUNDS, {"from": bob})


def test_bid_above_the_buyers_collateral_bound_reverts(market, stake_listing, bob, chain):
    t = chain.time()
    with brownie.reverts(custom_error(market, "MarketplaceAboveBuyerBound", 10 * NMR, NMR)):
        market.postBid(stake_listing, 500, 100, 5 * NMR, t + 2 * DAY, t + DAY, NMR, 10_000, {"from": bob})


def test_bid_above_the_buyers_fee_bound_reverts(market, listing, bob, chain):
    t = chain.time()
    with brownie.reverts(custom_error(market, "MarketplaceAboveBuyerBound", 250, 249)):
        market.postBid(listing, 500, 1, 5 * NMR, t + 2 * DAY, t + DAY, 0, 249, {"from": bob})
