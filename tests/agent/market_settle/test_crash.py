"""Crash safety of settlement: an agent process SIGKILLed at random points while settling 200
orders by `settleBatch` jobs (100 delivered plain files released, 100 missed deliveries refunded),
restarted after each of 10 kills; on chain every order settled exactly once and every NMR is
where the terms say. (SQLite only: a PostgreSQL run would double this test's time; the store's
own crash test covers both.)"""

import os
import random
import signal
import subprocess
import sys
import time

from brownie import chain, web3
from eth_utils import keccak
from sqlalchemy import func, select

from agent.config import PROJECT_ROOT
from agent.store import CONFIRMED, cursors
from tests.agent.core.conftest import BUILD
from tests.agent.core.test_crash import progress
from tests.unitary.market_fixtures import DAY, FILE, NMR, PAID, ladder, sign_ladder

DELIVERED_COUNT, MISSED_COUNT = 100, 100
KILLS = 10
PRICE = NMR
FEE = PRICE * 250 // 10_000
BOND = PRICE // 2


def spawn(env, log):
    full = {**os.environ, "BUILD_DIR": str(BUILD), "PYTHONPATH": str(PROJECT_ROOT), **env}
    return subprocess.Popen([sys.executable, "-m", "tests.agent.market_settle.agent_proc"],
                            cwd=PROJECT_ROOT, env=full, stdout=log, stderr=log)


def polled_at(store) -> float:
    """When the agent's watcher last moved its cursor (0: never)."""
    with store.engine.connect() as c:
        return c.execute(select(func.max(cursors.c.updated_at))).scalar() or 0.0


def open_orders(t, listing, buyers, count, w3):
    """`count` one-copy orders filled from one signed ladder, sent without waiting (ganache
    mines each at once, in order); the Order tuples from their OrderOpened events."""
    now = chain.time()
    lad = ladder(listing, (PRICE,), (count,), round_=500, deliver_by=now + DAY, expiry=now + DAY)
    r, vs = sign_ladder(t.bmarket, t.seller, lad, chain_id=chain.id)
    listing_view = t.market.functions.listingOf(listing).call()
    first = w3.eth.block_number + 1
    hashes = [
        t.market.functions.fill(lad, r, vs, 1, PRICE, 2**96, 10_000).transact(
            {"from": str(buyers[i % len(buyers)]), "gas": 400_000})
        for i in range(count)
    ]
    assert w3.eth.wait_for_transaction_receipt(hashes[-1])["status"] == 1
    events = t.market.events.OrderOpened().get_logs(from_block=first)
    assert len(events) == count  # every fill succeeded
    orders = []
    for ev in events:
        a = ev["args"]
        orders.append((a["orderId"], listing_view[0], a["buyer"], listing_view[1], PAID, 0,
                       a["deliverBy"], a["feeBps"], listing_view[11], listing_view[12],
                       a["price"], a["buyerCollateral"], a["bond"]))
    return orders


def test_sigkill_while_settling_200_orders_settles_each_exactly_once(
    make_trades, sqlite_url, model_ids, bob, carol, verifier, verifier_key, market, tmp_path
):
    t0 = time.monotonic()
    t = make_trades(sqlite_url)
    w3 = t.w3
    start_block = web3.eth.block_number
    listing = t.listing(model_ids[1], FILE)
    orders = open_orders(t, listing, [bob, carol], DELIVERED_COUNT + MISSED_COUNT, w3)
    delivered, missed = orders[:DELIVERED_COUNT], orders[DELIVERED_COUNT:]
    first = w3.eth.block_number + 1
    sent = [t.market.functions.deliver(o, keccak(o[0].to_bytes(32, "big"))).transact(
        {"from": str(verifier), "gas": 200_000}) for o in delivered]
    w3.eth.wait_for_transaction_receipt(sent[-1])
    assert len(t.market.events.OrderDelivered().get_logs(from_block=first)) == DELIVERED_COUNT
    balances = {b: market.balanceOf(b) for b in (bob, carol)}
    chain.sleep(2 * DAY + 1)  # past the complaint windows and the delivery deadlines
    chain.mine()

    env = {"STORE_URL": sqlite_url, "RPC_URL": w3.provider.endpoint_uri,
           "AGENT_KEY": verifier_key.key.hex(), "MARKET": market.address,
           "STAKING": t.staking.address, "START_BLOCK": str(start_block), "BATCH": "5",
           "SEND_BATCH": "2",
           "EXPECT": str(len(orders))}
    rng = random.Random(12)
    log = open(tmp_path / "agents.log", "ab")
    print(f"200 orders opened, 100 delivered in {time.monotonic() - t0:.1f} s")
    started, kills, runs = time.monotonic(), 0, 0
    while kills < KILLS and runs < 3 * KILLS:
        runs += 1
        spawned = time.time()
        proc = spawn(env, log)
        if rng.random() < 0.3:
            # While it plans: once its watcher has polled (start-up takes seconds), within 0.3 s.
            while proc.poll() is None and polled_at(t.store) < spawned:
                time.sleep(0.01)
            time.sleep(rng.random() * 0.3)
        else:
            # Mid-send or mid-confirm: after 1 to 3 more jobs were recorded as sent.
            target = progress(t.store) + rng.randint(1, 3)
            while proc.poll() is None and progress(t.store) < target:
                time.sleep(0.01)
            time.sleep(rng.random() * 0.03)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    final = spawn(env, log)
    assert final.wait(timeout=120) == 0, (tmp_path / "agents.log").read_text()[-3000:]
    assert kills == KILLS
    print(f"settled 200 orders through {kills} kills in {time.monotonic() - started:.1f} s")

    # On chain: one OrderSettled per order, none left open, and the money where the terms say.
    events = t.market.events.OrderSettled().get_logs(from_block=start_block)
    by_order = {}
    for e in events:
        by_order.setdefault(e["args"]["orderId"], []).append(e["args"]["outcome"])
    assert sorted(by_order) == sorted(o[0] for o in orders)
    assert all(len(v) == 1 for v in by_order.values())
    assert {by_order[o[0]][0] for o in delivered} == {0} and {
        by_order[o[0]][0] for o in missed} == {1}
    assert all(market.orderHashOf(o[0]) == "0x" + "00" * 32 for o in orders[::17])
    assert market.balanceOf(t.seller) == DELIVERED_COUNT * (PRICE - FEE)
    refunds = {b: sum(PRICE + BOND // 2 for o in missed if o[2] == b) for b in (bob, carol)}
    assert all(market.balanceOf(b) == balances[b] + refunds[b] for b in (bob, carol))
    # In the store: each order in exactly one confirmed job.
    jobs = t.store.jobs()
    batched = [int(i) for j in jobs if j.kind == "settle-batch" and j.state == CONFIRMED
               for i, _h in j.payload["orders"]]
    assert sorted(batched) == sorted(o[0] for o in orders)
    assert all(j.state == CONFIRMED for j in jobs if j.kind == "settle-batch")
