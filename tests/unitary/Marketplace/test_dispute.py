import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import CONSISTENT, DAY, DISPUTED, NMR, SELLER_FAULT, fund, order_of, with_fields


def test_buyer_dispute_escrows_bond_and_starts_arbitration(market, order, judge, bob):
    judged = judge(order, CONSISTENT)
    tx = market.dispute(judged, {"from": bob})
    assert tuple(tx.events["OrderDisputed"]["order"]) == with_fields(judged, state=DISPUTED, deadline=tx.timestamp + 3 * DAY)
    assert tuple(market.disputeOf(order[0])) == (bob, 10 * NMR)
    assert market.balanceOf(bob) == 980 * NMR


def test_seller_may_dispute_too(market, order, judge, seller, nmr):
    fund(nmr, market, seller, 10 * NMR)
    judged = judge(order, SELLER_FAULT)
    tx = market.dispute(judged, {"from": seller})
    assert tx.events["OrderDisputed"]["disputer"] == seller


def test_dispute_by_stranger_reverts(market, order, judge, rando, verifier):
    judged = judge(order, CONSISTENT)
    for caller in (rando, verifier):
        with brownie.reverts(custom_error(market, "MarketplaceNotParty", order[0], caller)):
            market.dispute(judged, {"from": caller})


def test_dispute_without_bond_balance_reverts(market, order, judge, seller):
    judged = judge(order, SELLER_FAULT)
    with brownie.reverts(custom_error(market, "MarketplaceInsufficientBalance", seller, 0, 10 * NMR)):
        market.dispute(judged, {"from": seller})


def test_dispute_after_challenge_window_reverts(market, order, judge, bob, chain):
    judged = judge(order, CONSISTENT)
    chain.sleep(2 * DAY + 1)
    with brownie.reverts(custom_error(market, "MarketplaceDeadlinePassed", order[0], judged[6])):
        market.dispute(judged, {"from": bob})


def test_dispute_during_the_verdict_window_reverts(market, delivered, bob):
    with brownie.reverts(custom_error(market, "MarketplaceDeadlineNotReached", delivered[0], delivered[6])):
        market.dispute(delivered, {"from": bob})


def test_dispute_after_a_silent_verdict_window_takes_the_verdict_as_consistent(market, delivered, bob, chain):
    chain.sleep(4 * DAY + 1)
    disputed = order_of(market.dispute(delivered, {"from": bob}), "OrderDisputed")
    assert (disputed[4], disputed[5]) == (4, 1)
    assert market.disputeOf(delivered[0])["disputer"] == bob


def test_dispute_after_the_silent_challenge_window_reverts(market, delivered, bob, chain):
    chain.sleep(6 * DAY + 1)
    end = delivered[6] + 2 * 86400
    with brownie.reverts(custom_error(market, "MarketplaceDeadlinePassed", delivered[0], end)):
        market.dispute(delivered, {"from": bob})


def test_dispute_of_a_paid_order_reverts(market, order, bob):
    with brownie.reverts(custom_error(market, "MarketplaceWrongState", order[0], 1)):
        market.dispute(order, {"from": bob})


def test_plain_file_buyer_disputes_within_the_complaint_window(market, file_listing, buy, seller, bob):
    delivered = order_of(market.deliver(buy(file_listing), "0x" + "ab" * 32, {"from": seller}), "OrderDelivered")
    tx = market.dispute(delivered, {"from": bob})
    assert tx.events["OrderDisputed"]["bond"] == 10 * NMR
