import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import BOUNDS


def test_cancel_ladder_makes_its_signature_unfillable(market, listing, seller, signed, bob):
    lad, r, vs = signed(listing)
    tx = market.cancelLadder(listing, 0, {"from": seller})
    assert tx.events["LadderVersionChanged"] == {"listingId": listing, "version": 1}
    with brownie.reverts(custom_error(market, "MarketplaceLadderCancelled", listing, 0, 0)):
        market.fill(lad, r, vs, 1, lad[6][0], *BOUNDS, {"from": bob})


def test_next_version_starts_with_nothing_sold(market, listing, seller, signed, bob):
    old, r, vs = signed(listing, units=(1,))
    market.fill(old, r, vs, 1, old[6][0], *BOUNDS, {"from": bob})
    market.cancelLadder(listing, 0, {"from": seller})
    new, r, vs = signed(listing, units=(1,), version=1)
    market.fill(new, r, vs, 1, new[6][0], *BOUNDS, {"from": bob})
    assert market.listingOf(listing)["sold"] == 1


def test_cancel_by_non_seller_reverts(market, listing, rando):
    with brownie.reverts(custom_error(market, "MarketplaceNotSeller", listing, rando)):
        market.cancelLadder(listing, 0, {"from": rando})


def test_cancel_of_an_older_version_reverts(market, listing, seller):
    market.cancelLadder(listing, 3, {"from": seller})
    with brownie.reverts(custom_error(market, "MarketplaceStaleVersion", listing, 4)):
        market.cancelLadder(listing, 2, {"from": seller})
