from tests.unitary.market_fixtures import CONSISTENT, DAY, NMR, order_of, with_fields


def test_batch_settles_due_orders_and_skips_the_rest(market, listing, buy, judge, seller, rando, chain):
    due = [judge(buy(listing), CONSISTENT) for _ in range(3)]
    chain.sleep(2 * DAY + 1)
    not_due = judge(buy(listing), CONSISTENT)
    forged = with_fields(due[0], price=1)
    tx = market.settleBatch(due + [not_due, forged], {"from": rando})
    assert tx.return_value == 3
    assert len(tx.events["OrderSettled"]) == 3
    assert market.balanceOf(seller) == 3 * 975 * NMR // 100
    assert market.orderHashOf(not_due[0]) != "0x" + "00" * 32


def test_batch_twice_settles_nothing_more(market, listing, buy, judge, rando, chain):
    due = [judge(buy(listing), CONSISTENT) for _ in range(2)]
    chain.sleep(2 * DAY + 1)
    market.settleBatch(due, {"from": rando})
    assert market.settleBatch(due, {"from": rando}).return_value == 0


def test_batch_handles_every_timed_out_state(market, listing, buy, judge, dispute, seller, bob, rando, chain):
    paid, judged = buy(listing), judge(buy(listing), CONSISTENT)
    delivered = order_of(market.deliver(buy(listing), "0x" + "ab" * 32, {"from": seller}), "OrderDelivered")
    disputed = dispute(buy(listing), CONSISTENT, bob)
    chain.sleep(6 * DAY + 1)  # past a classic model's silent verdict window and its challenge window
    assert market.settleBatch([paid, delivered, judged, disputed], {"from": rando}).return_value == 4
