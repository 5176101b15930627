import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import BOUNDS, CONSISTENT, DAY, with_fields


def test_solvency_balances_after_trading(market, lens, listing, buy, judge, dispute, seller, bob, carol, admin, chain):
    judged = judge(buy(listing), CONSISTENT)
    disputed = dispute(buy(listing, buyer=carol), CONSISTENT, carol)
    t = chain.time()
    bid = market.postBid(listing, 500, 1, 10**18, t + DAY, t + DAY, *BOUNDS, {"from": bob}).return_value
    held, owed = lens.solvency([seller, bob, carol], [judged, disputed], [bid])
    assert held == owed > 0


def test_solvency_rejects_a_forged_order(market, lens, order, seller):
    with brownie.reverts(custom_error(lens, "MarketLensOrderMismatch", order[0])):
        lens.solvency([seller], [with_fields(order, price=1)], [])
