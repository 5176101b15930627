"""Everyone who could act stays silent: funds are still recoverable, without any trusted party."""

from tests.unitary.market_fixtures import BOUNDS, CLASSIC_VERDICT_WINDOW, CONSISTENT, DAY, NMR, SELLER_FAULT


def test_seller_never_delivers_buyer_recovers_everything_and_a_bond_share(market, nmr, order, bob, chain):
    chain.sleep(2 * DAY + 1)
    market.reclaim(order, {"from": bob})
    # 10 NMR order locks 5 NMR of bond; half of it goes to the buyer for the wait.
    market.withdraw(1_002_500 * NMR // 1000, {"from": bob})
    assert nmr.balanceOf(bob) == 1_002_500 * NMR // 1000


def test_agent_never_posts_verdict_anyone_releases_after_challenge_window(market, nmr, delivered, seller, rando, chain):
    chain.sleep(CLASSIC_VERDICT_WINDOW + 2 * DAY + 1)
    market.settle(delivered, {"from": rando})
    market.withdraw(975 * NMR // 100, {"from": seller})
    assert nmr.balanceOf(seller) == 975 * NMR // 100


def test_arbiter_never_rules_verdict_stands_and_bond_returns(market, order, dispute, bob, seller, rando, chain):
    disputed = dispute(order, SELLER_FAULT, bob)
    chain.sleep(3 * DAY + 1)
    tx = market.settle(disputed, {"from": rando})
    assert tx.events["DisputeExpired"] == {"orderId": order[0], "disputer": bob, "bond": 10 * NMR}
    assert market.balanceOf(bob) == 1_005 * NMR
    assert market.sellerOf(seller)["bond"] == 90 * NMR


def test_counterparty_never_claims_balances_wait_indefinitely(market, nmr, order, judge, seller, bob, chain):
    judged = judge(order, CONSISTENT)
    chain.sleep(2 * DAY + 1)
    market.settle(judged, {"from": bob})
    chain.sleep(400 * DAY)
    market.withdraw(975 * NMR // 100, {"from": seller})
    assert nmr.balanceOf(seller) == 975 * NMR // 100


def test_seller_never_accepts_bid_anyone_returns_escrow(market, listing, bob, rando, chain):
    t = chain.time()
    bid = market.postBid(listing, 500, 1, 7 * NMR, t + 2 * DAY, t + DAY, *BOUNDS, {"from": bob}).return_value
    chain.sleep(DAY + 1)
    market.cancelBid(bid, {"from": rando})
    assert market.balanceOf(bob) == 1_000 * NMR


def test_seller_walks_away_bond_returns_after_notice(market, listing, seller, chain):
    market.requestBondExit(100 * NMR, {"from": seller})
    chain.sleep(7 * DAY + 1)
    market.withdrawBond({"from": seller})
    assert market.balanceOf(seller) == 100 * NMR
