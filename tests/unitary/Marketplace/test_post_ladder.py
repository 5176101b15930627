import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import BOUNDS, DAY, NMR, NO_SIG, ladder, order_of


def _ladder(chain, listing, **kw):
    t = chain.time()
    return ladder(listing, [NMR, 2 * NMR], [1, 2], deliver_by=t + 2 * DAY, expiry=t + DAY, **kw)


def test_posted_ladder_fills_without_signature(market, listing, seller, bob, chain, lens):
    lad = _ladder(chain, listing)
    tx = market.postLadder(lad, {"from": seller})
    assert market.postedLadderOf(listing) == tx.events["LadderPosted"]["ladderHash"]
    order = order_of(market.fill(lad, *NO_SIG, 3, 2 * NMR, *BOUNDS, {"from": bob}), market=market)
    assert order[10] == 5 * NMR


def test_unposted_ladder_without_signature_reverts(market, listing, seller, bob, chain):
    market.postLadder(_ladder(chain, listing), {"from": seller})
    other = _ladder(chain, listing, version=1)
    with brownie.reverts(custom_error(market, "MarketplaceLadderNotPosted", listing)):
        market.fill(other, *NO_SIG, 1, NMR, *BOUNDS, {"from": bob})


def test_post_ladder_by_non_seller_reverts(market, listing, rando, chain):
    with brownie.reverts(custom_error(market, "MarketplaceNotSeller", listing, rando)):
        market.postLadder(_ladder(chain, listing), {"from": rando})


def test_malformed_ladders_revert(market, listing, seller, chain):
    t = chain.time()
    for prices, units in (([], []), ([NMR], [1, 2])):
        with brownie.reverts(custom_error(market, "MarketplaceInvalidLadder")):
            market.postLadder(ladder(listing, prices, units, deliver_by=t + DAY, expiry=t + DAY), {"from": seller})
    with brownie.reverts(custom_error(market, "MarketplaceRoundNotListed", listing, 511)):
        market.postLadder(_ladder(chain, listing, round_=511), {"from": seller})


def test_stale_version_cannot_be_posted(market, listing, seller, chain):
    market.cancelLadder(listing, 0, {"from": seller})
    with brownie.reverts(custom_error(market, "MarketplaceStaleVersion", listing, 1)):
        market.postLadder(_ladder(chain, listing), {"from": seller})
