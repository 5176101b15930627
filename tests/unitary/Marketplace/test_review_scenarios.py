"""The review's attack sequences (issue #9), replayed: each now ends the way the user was promised."""

import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import (
    BOUNDS,
    CLASSIC_VERDICT_WINDOW,
    CONSISTENT,
    DAY,
    DISPUTED,
    FILE,
    NMR,
    RATES,
    ROLE_DELAY,
    SELLER_FAULT,
    TERMS_DELAY,
    WINDOWS,
    fund,
    order_of,
)

ADMIN_GRAB = (1_000, 20_000, 10_000, 20_000, 0, 10_000, 0, 10_000 * NMR)


def test_admin_cannot_move_the_bond_of_an_open_order(terms, market, admin, listing, buy, seller, verifier, bob, chain):
    order = buy(listing, deliver_by=chain.time() + 10 * DAY)
    # The admin raises the slash to its maximum, sends none of it to the buyer, makes itself judge.
    terms.setRates(ADMIN_GRAB, {"from": admin})
    market.grantRole(market.VERIFIER_ROLE(), admin, {"from": admin})
    market.grantRole(market.ARBITER_ROLE(), admin, {"from": admin})
    delivered = order_of(market.deliver(order, "0x" + "ab" * 32, {"from": seller}), "OrderDelivered")
    with brownie.reverts(custom_error(market, "MarketplaceUnauthorized", admin, market.VERIFIER_ROLE())):
        market.postVerdict(delivered, SELLER_FAULT, "0x" + "00" * 32, {"from": admin})
    chain.sleep(TERMS_DELAY + 1)
    # Even once the new rates apply, the order settles under the terms it opened with.
    judged = order_of(market.postVerdict(delivered, SELLER_FAULT, "0x" + "cd" * 32, {"from": verifier}), "VerdictPosted")
    chain.sleep(2 * DAY + 1)
    tx = market.settle(judged, {"from": bob})
    ev = tx.events["OrderSettled"]
    # RATES: 100% of the 10 NMR price slashed, half of it to the buyer; not ADMIN_GRAB's 200% / 0%.
    assert (ev["toBuyer"], ev["toFees"]) == (15 * NMR, 5 * NMR)
    assert market.sellerOf(seller)["bond"] == 90 * NMR


def test_admin_roles_wait_out_the_delay(market, admin):
    tx = market.grantRole(market.ARBITER_ROLE(), admin, {"from": admin})
    assert not market.hasRole(market.ARBITER_ROLE(), admin)
    assert tx.events["RoleGranted"]["activeFrom"] == tx.timestamp + ROLE_DELAY


def test_a_silent_verifier_leaves_the_buyer_a_dispute(market, delivered, arbiter, bob, chain):
    chain.sleep(CLASSIC_VERDICT_WINDOW + 1)
    disputed = order_of(market.dispute(delivered, {"from": bob}), "OrderDisputed")
    assert (disputed[4], disputed[5]) == (DISPUTED, CONSISTENT)
    tx = market.rule(disputed, SELLER_FAULT, {"from": arbiter})
    assert tx.events["DisputeRuled"]["disputerWon"]
    assert market.balanceOf(bob) == 1_000 * NMR + 5 * NMR  # price back + half the 10 NMR slash


def test_the_verdict_window_waits_for_the_first_live_score(market, delivered, bob, chain):
    chain.sleep(DAY + 1)  # the terms' 1-day window has passed, a classic model's 4 days have not
    due = delivered[6] + 2 * DAY  # the verdict window, then a challenge window
    with brownie.reverts(custom_error(market, "MarketplaceDeadlineNotReached", delivered[0], due)):
        market.settle(delivered, {"from": bob})


def test_a_revoked_models_ladder_cannot_be_filled(market, registry, admin, listing, signed, model_ids, seller, bob):
    lad, r, vs = signed(listing)
    registry.revoke(model_ids[0], "0x" + "00" * 32, {"from": admin})
    with brownie.reverts(custom_error(market, "MarketplaceNotModelOwner", model_ids[0], seller)):
        market.fill(lad, r, vs, 1, 10 * NMR, *BOUNDS, {"from": bob})


def test_a_transferred_models_ladder_cannot_be_filled(market, registry, attestor, listing, signed, model_ids, seller, rando, bob):
    lad, r, vs = signed(listing)
    registry.release(model_ids[0], {"from": seller})
    registry.attest(model_ids[0], rando, 8, {"from": attestor})
    with brownie.reverts(custom_error(market, "MarketplaceNotModelOwner", model_ids[0], seller)):
        market.fill(lad, r, vs, 1, 10 * NMR, *BOUNDS, {"from": bob})


def test_a_throwaway_listing_cannot_free_a_bond_backing_open_orders(terms, market, admin, listing, buy, seller, model_ids, chain):
    buy(listing, units=10)  # 100 NMR of orders lock 50 NMR of bond
    terms.setRates(RATES[:1] + (0,) + RATES[2:], {"from": admin})
    chain.sleep(TERMS_DELAY + 1)
    market.createListing(model_ids[0], FILE, 500, 510, {"from": seller})
    with brownie.reverts(custom_error(market, "MarketplaceBondTooLow", seller, 49 * NMR, 50 * NMR)):
        market.requestBondExit(51 * NMR, {"from": seller})


def test_collateral_above_the_buyers_bound_reverts(market, stake_listing, signed, bob):
    lad, r, vs = signed(stake_listing, (NMR // 10,), (100,))
    with brownie.reverts(custom_error(market, "MarketplaceAboveBuyerBound", 10 * NMR, 10 * NMR - 1)):
        market.fill(lad, r, vs, 100, NMR // 10, 10 * NMR - 1, 10_000, {"from": bob})


def test_a_self_fill_adds_no_sale(market, nmr, file_listing, buy, seller, chain):
    fund(nmr, market, seller, 10 * NMR)
    order = buy(file_listing, buyer=seller)
    delivered = order_of(market.deliver(order, "0x" + "ab" * 32, {"from": seller}), "OrderDelivered")
    chain.sleep(2 * DAY + 1)
    market.settle(delivered, {"from": seller})
    assert market.reputationOf(seller)["sales"] == 0 and market.reputationOf(seller)["volume"] == 0


def test_a_zero_price_fill_adds_no_sale(market, file_listing, buy, seller, chain):
    order = buy(file_listing, price=0)
    delivered = order_of(market.deliver(order, "0x" + "ab" * 32, {"from": seller}), "OrderDelivered")
    chain.sleep(2 * DAY + 1)
    market.settle(delivered, {"from": seller})
    assert market.reputationOf(seller)["sales"] == 0


def test_a_paid_sale_counts_with_its_volume(market, file_listing, buy, seller, chain):
    order = buy(file_listing)
    delivered = order_of(market.deliver(order, "0x" + "ab" * 32, {"from": seller}), "OrderDelivered")
    chain.sleep(2 * DAY + 1)
    market.settle(delivered, {"from": seller})
    rep = market.reputationOf(seller)
    assert (rep["sales"], rep["volume"]) == (1, 10 * 10**9)


def test_a_missed_delivery_costs_the_seller(market, order, seller, bob, chain):
    chain.sleep(2 * DAY + 1)
    market.reclaim(order, {"from": bob})
    assert market.sellerOf(seller)["bond"] == 100 * NMR - 25 * NMR // 10
    assert market.balanceOf(bob) == 1_000 * NMR + 25 * NMR // 10
    assert market.reputationOf(seller)["slashes"] == 1


def test_a_dispute_bond_raised_after_a_purchase_does_not_reach_it(terms, market, admin, listing, buy, judge, bob, chain):
    order = buy(listing, deliver_by=chain.time() + 10 * DAY)
    terms.setRates(RATES[:7] + (10_000 * NMR,), {"from": admin})
    chain.sleep(TERMS_DELAY + 1)
    judged = judge(order, CONSISTENT)
    tx = market.dispute(judged, {"from": bob})
    assert tx.events["OrderDisputed"]["bond"] == 10 * NMR


def test_round_n_fills_leave_round_n_plus_1_copies_untouched(market, listing, signed, bob, carol):
    lad_n, r_n, vs_n = signed(listing, (NMR,), (5,), round_=500)
    lad_next, r_next, vs_next = signed(listing, (NMR,), (5,), round_=501)
    market.fill(lad_n, r_n, vs_n, 5, NMR, *BOUNDS, {"from": bob})
    tx = market.fill(lad_next, r_next, vs_next, 5, NMR, *BOUNDS, {"from": carol})
    assert tx.events["OrderOpened"]["units"] == 5
    assert market.listingOf(listing)["soldRound"] == 501


def test_an_earlier_round_cannot_be_filled_after_a_later_one(market, listing, signed, bob):
    lad_n, r_n, vs_n = signed(listing, (NMR,), (5,), round_=500)
    lad_next, r_next, vs_next = signed(listing, (NMR,), (5,), round_=501)
    market.fill(lad_next, r_next, vs_next, 1, NMR, *BOUNDS, {"from": bob})
    with brownie.reverts(custom_error(market, "MarketplaceRoundClosed", listing, 500, 501)):
        market.fill(lad_n, r_n, vs_n, 1, NMR, *BOUNDS, {"from": bob})


def test_treasury_cannot_be_zero(Marketplace, nmr, registry, admin):
    with brownie.reverts():
        Marketplace.deploy(nmr, registry, admin, "0x" + "00" * 20, admin, admin, RATES, WINDOWS, {"from": admin})
