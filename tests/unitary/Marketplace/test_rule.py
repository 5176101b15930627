import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import CONSISTENT, DAY, NMR, SELLER_FAULT, fund


def test_upheld_verdict_splits_losing_bond_and_releases(market, order, dispute, arbiter, bob, seller):
    disputed = dispute(order, CONSISTENT, bob)
    tx = market.rule(disputed, CONSISTENT, {"from": arbiter})
    ev = tx.events["DisputeRuled"]
    assert (ev["disputerWon"], ev["bondToWinner"], ev["bondToFees"]) == (False, 5 * NMR, 5 * NMR)
    assert market.balanceOf(seller) == 5 * NMR + 975 * NMR // 100
    assert market.balanceOf(bob) == 980 * NMR
    assert market.reputationOf(seller)["disputesWon"] == 1


def test_overturned_verdict_returns_bond_and_applies_ruling(market, order, dispute, arbiter, bob, seller):
    disputed = dispute(order, CONSISTENT, bob)
    tx = market.rule(disputed, SELLER_FAULT, {"from": arbiter})
    assert tx.events["DisputeRuled"]["disputerWon"]
    assert market.balanceOf(bob) == 1_000 * NMR + 5 * NMR  # payment back + bond back + half the slash
    assert market.sellerOf(seller)["bond"] == 90 * NMR
    assert market.reputationOf(seller)["disputesLost"] == 1


def test_seller_dispute_won_counts_for_the_seller(market, order, dispute, arbiter, seller, nmr):
    fund(nmr, market, seller, 10 * NMR)
    disputed = dispute(order, SELLER_FAULT, seller)
    market.rule(disputed, CONSISTENT, {"from": arbiter})
    assert market.reputationOf(seller)["disputesWon"] == 1
    assert market.sellerOf(seller)["bond"] == 100 * NMR


def test_rule_by_non_arbiter_reverts(market, order, dispute, bob, verifier, admin):
    disputed = dispute(order, CONSISTENT, bob)
    for caller in (bob, verifier, admin):
        with brownie.reverts(custom_error(market, "MarketplaceUnauthorized", caller, market.ARBITER_ROLE())):
            market.rule(disputed, CONSISTENT, {"from": caller})


def test_rule_after_arbitration_deadline_reverts(market, order, dispute, arbiter, bob, chain):
    disputed = dispute(order, CONSISTENT, bob)
    chain.sleep(3 * DAY + 1)
    with brownie.reverts(custom_error(market, "MarketplaceDeadlinePassed", order[0], disputed[6])):
        market.rule(disputed, CONSISTENT, {"from": arbiter})


def test_empty_ruling_or_undisputed_order_reverts(market, order, dispute, judge, arbiter, bob, buy, listing):
    disputed = dispute(order, CONSISTENT, bob)
    with brownie.reverts(custom_error(market, "MarketplaceInvalidVerdict")):
        market.rule(disputed, 0, {"from": arbiter})
    judged = judge(buy(listing), CONSISTENT)
    with brownie.reverts(custom_error(market, "MarketplaceWrongState", judged[0], 3)):
        market.rule(judged, CONSISTENT, {"from": arbiter})
