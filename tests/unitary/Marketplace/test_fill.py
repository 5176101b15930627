import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import BOUNDS, DAY, NMR, PAID, order_of


def test_fill_escrows_payment_and_stores_order_commitment(market, lens, listing, seller, bob, order):
    assert market.orderHashOf(order[0]) == lens.hashOrder(order)
    assert order[1:6] == (seller, bob, 1, PAID, 0)
    assert market.balanceOf(bob) == 990 * NMR
    assert market.sellerOf(seller)["locked"] == 5 * NMR


def test_fill_emits_order_opened(market, listing, signed, bob):
    lad, r, vs = signed(listing, (3 * NMR,), (4,))
    ev = market.fill(lad, r, vs, 2, 3 * NMR, *BOUNDS, {"from": bob}).events["OrderOpened"]
    assert (ev["listingId"], ev["buyer"], ev["round"], ev["units"], ev["price"]) == (listing, bob, 500, 2, 6 * NMR)
    assert (ev["deliverBy"], ev["feeBps"], ev["buyerCollateral"]) == (lad[4], 250, 0)


def test_fill_walks_tiers_in_order_up_to_the_price_limit(market, listing, signed, bob):
    lad, r, vs = signed(listing, (NMR, 2 * NMR, 3 * NMR), (1, 2, 5))
    order = order_of(market.fill(lad, r, vs, 10, 2 * NMR, *BOUNDS, {"from": bob}), market=market)
    assert order[10] == NMR + 2 * 2 * NMR
    assert market.listingOf(listing)["sold"] == 3


def test_partial_fills_continue_where_the_last_stopped(market, listing, signed, bob, carol):
    lad, r, vs = signed(listing, (NMR, 2 * NMR), (2, 2))
    market.fill(lad, r, vs, 1, 2 * NMR, *BOUNDS, {"from": bob})
    order = order_of(market.fill(lad, r, vs, 2, 2 * NMR, *BOUNDS, {"from": carol}), market=market)
    assert order[10] == NMR + 2 * NMR
    market.fill(lad, r, vs, 5, 2 * NMR, *BOUNDS, {"from": bob})  # the last unit
    with brownie.reverts(custom_error(market, "MarketplaceNothingToFill")):
        market.fill(lad, r, vs, 1, 2 * NMR, *BOUNDS, {"from": bob})


def test_fill_below_every_price_or_for_zero_units_reverts(market, listing, signed, bob):
    lad, r, vs = signed(listing, (5 * NMR,), (1,))
    for units, limit in ((1, 5 * NMR - 1), (0, 5 * NMR)):
        with brownie.reverts(custom_error(market, "MarketplaceNothingToFill")):
            market.fill(lad, r, vs, units, limit, *BOUNDS, {"from": bob})


def test_stake_fill_escrows_collateral_proportional_to_allowance(market, stake_listing, signed, bob):
    lad, r, vs = signed(stake_listing, (NMR // 10,), (100,))
    order = order_of(market.fill(lad, r, vs, 50, NMR, *BOUNDS, {"from": bob}), market=market)
    assert (order[10], order[11]) == (5 * NMR, 5 * NMR)  # 50 NMR allowance at 10% collateral
    assert market.balanceOf(bob) == 990 * NMR


def test_fill_beyond_buyer_balance_reverts(market, listing, signed, rando):
    lad, r, vs = signed(listing)
    with brownie.reverts(custom_error(market, "MarketplaceInsufficientBalance", rando, 0, 10 * NMR)):
        market.fill(lad, r, vs, 1, 10 * NMR, *BOUNDS, {"from": rando})


def test_fill_beyond_seller_bond_coverage_reverts(market, listing, signed, seller, bob):
    lad, r, vs = signed(listing, (10 * NMR,), (30,))
    market.fill(lad, r, vs, 20, 10 * NMR, *BOUNDS, {"from": bob})  # 200 NMR exposure = the 100 NMR bond at 50%
    with brownie.reverts(custom_error(market, "MarketplaceBondTooLow", seller, 100 * NMR, 105 * NMR)):
        market.fill(lad, r, vs, 1, 10 * NMR, *BOUNDS, {"from": bob})


def test_fill_of_closed_listing_reverts(market, listing, signed, seller, bob):
    lad, r, vs = signed(listing)
    market.closeListing(listing, {"from": seller})
    with brownie.reverts(custom_error(market, "MarketplaceListingNotOpen", listing)):
        market.fill(lad, r, vs, 1, 10 * NMR, *BOUNDS, {"from": bob})


def test_fill_for_round_outside_listing_reverts(market, listing, signed, bob):
    lad, r, vs = signed(listing, round_=499)
    with brownie.reverts(custom_error(market, "MarketplaceRoundNotListed", listing, 499)):
        market.fill(lad, r, vs, 1, 10 * NMR, *BOUNDS, {"from": bob})


def test_fill_with_delivery_deadline_past_or_too_far_reverts(market, listing, signed, bob, chain):
    for deliver_by in (chain.time() - 1, chain.time() + 31 * DAY):
        lad, r, vs = signed(listing, deliver_by=deliver_by)
        with brownie.reverts(custom_error(market, "MarketplaceInvalidDeliveryDeadline", deliver_by)):
            market.fill(lad, r, vs, 1, 10 * NMR, *BOUNDS, {"from": bob})


def test_ladder_whose_cost_overflows_reverts(market, listing, signed, bob):
    lad, r, vs = signed(listing, (2**255,), (2,))
    with brownie.reverts():
        market.fill(lad, r, vs, 2, 2**255, *BOUNDS, {"from": bob})


def test_fill_above_the_buyers_fee_bound_reverts(market, listing, signed, bob):
    lad, r, vs = signed(listing)
    with brownie.reverts(custom_error(market, "MarketplaceAboveBuyerBound", 250, 200)):
        market.fill(lad, r, vs, 1, 10 * NMR, 0, 200, {"from": bob})


def test_fill_locks_the_orders_bond_at_the_listing_ratio(market, listing, buy, seller):
    order = buy(listing, units=2)
    assert order[12] == 10 * NMR and market.sellerOf(seller)["locked"] == 10 * NMR
