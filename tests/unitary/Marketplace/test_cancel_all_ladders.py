import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import BOUNDS


def test_cancel_all_bumps_counter_and_emits(market, seller):
    tx = market.cancelAllLadders({"from": seller})
    assert market.sellerOf(seller)["counter"] == 1
    assert tx.events["SellerCounterIncremented"] == {"seller": seller, "counter": 1}


def test_ladders_signed_with_old_counter_are_rejected(market, listing, file_listing, seller, signed, bob):
    a, ra, vsa = signed(listing)
    b, rb, vsb = signed(file_listing)
    market.cancelAllLadders({"from": seller})
    for lad, r, vs in ((a, ra, vsa), (b, rb, vsb)):
        with brownie.reverts(custom_error(market, "MarketplaceLadderCancelled", lad[0], 0, 0)):
            market.fill(lad, r, vs, 1, lad[6][0], *BOUNDS, {"from": bob})


def test_ladders_signed_with_new_counter_fill(market, listing, seller, signed, bob):
    market.cancelAllLadders({"from": seller})
    lad, r, vs = signed(listing, counter=1)
    tx = market.fill(lad, r, vs, 1, lad[6][0], *BOUNDS, {"from": bob})
    assert "OrderOpened" in tx.events


def test_one_sellers_counter_does_not_touch_another(market, rando, seller):
    market.cancelAllLadders({"from": rando})
    assert market.sellerOf(seller)["counter"] == 0
