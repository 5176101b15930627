import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import BOUNDS, DAY, NMR


def _bid(market, listing, buyer, chain):
    t = chain.time()
    return market.postBid(listing, 501, 2, 15 * NMR, t + 2 * DAY, t + DAY, *BOUNDS, {"from": buyer}).return_value


def test_buyer_cancels_bid_and_gets_escrow_back(market, listing, bob, chain):
    bid_id = _bid(market, listing, bob, chain)
    tx = market.cancelBid(bid_id, {"from": bob})
    assert market.balanceOf(bob) == 1_000 * NMR
    assert tx.events["BidCancelled"] == {"bidId": bid_id, "cancelledBy": bob}


def test_stranger_cannot_cancel_before_expiry(market, listing, bob, rando, chain):
    bid_id = _bid(market, listing, bob, chain)
    with brownie.reverts(custom_error(market, "MarketplaceBidNotExpired", bid_id)):
        market.cancelBid(bid_id, {"from": rando})


def test_anyone_cancels_expired_bid_refunding_the_buyer(market, listing, bob, rando, chain):
    bid_id = _bid(market, listing, bob, chain)
    chain.sleep(DAY + 1)
    market.cancelBid(bid_id, {"from": rando})
    assert market.balanceOf(bob) == 1_000 * NMR
    assert market.balanceOf(rando) == 0


def test_cancel_of_unknown_or_accepted_bid_reverts(market, listing, seller, bob, chain):
    bid_id = _bid(market, listing, bob, chain)
    market.acceptBid(bid_id, {"from": seller})
    with brownie.reverts(custom_error(market, "MarketplaceBidNotOpen", bid_id)):
        market.cancelBid(bid_id, {"from": bob})
