"""Every path of a trade, judged and settled by the agent on ganache, with positions staked
through the simulator's Numerai signer; balances checked on chain."""

from brownie import chain
from eth_utils import keccak
from sqlalchemy import func, select

from agent.market.orders import order_struct
from agent.market.settlement import MarketSettlement
from agent.models import model_id_from_uuid
from agent.store import CONFIRMED
from agent.store.schema import evidence
from agent.verify.consistency import canonical_json
from agent.verify.predictions import prediction_hash_hex, synthetic_predictions, write_predictions
from tests.unitary.market_fixtures import DAY, NMR, STAKE, VERIFIED_FILE, fund

from .conftest import sleep

SOLD = write_predictions(synthetic_predictions(50, seed=1))
OTHER = write_predictions(synthetic_predictions(50, seed=2))
SOLD_HASH, OTHER_HASH = prediction_hash_hex(SOLD), prediction_hash_hex(OTHER)
BUYER_SLOT = model_id_from_uuid("0b0b0b0b-1b8f-4a1e-9d1e-0b7c6f1d2a01")
PRICE, COLLATERAL, BOND = 10 * NMR, NMR, 5 * NMR  # 10 units at 1 NMR: the test terms' ratios
FEE = PRICE * 250 // 10_000


def judge_and_settle(t, judged=False):
    """Past the round's deadline the agent posts its verdict; past the challenge window it
    settles. Returns the verdict job."""
    if not judged:
        sleep(DAY + 1)
    t.run()
    (verdict,) = t.jobs("verdict")
    assert verdict.state == CONFIRMED, verdict.reason
    sleep(2 * DAY + 1)
    t.run()
    (batch,) = t.jobs("settle-batch")
    assert batch.state == CONFIRMED, batch.reason
    return verdict


def settled(t, order):
    (event,) = t.market.events.OrderSettled().get_logs(
        from_block=0, argument_filters={"orderId": order[0]})
    return event["args"]


def test_consistent_verified_file_is_released_and_its_evidence_served(
    make_trades, store_url, model_ids, bob, market
):
    t = make_trades(store_url)
    order = t.buy(t.listing(model_ids[0], VERIFIED_FILE), bob)
    sealed_hash = "0x" + "ab" * 32  # a ciphertext's hash: what a file-mode delivery posts
    t.deliver(order, sealed_hash)
    t.record(order, "verified_file", model_ids[0], SOLD_HASH, sealed_hash, chain.time())
    t.stake(t.seller, model_ids[0], SOLD_HASH, NMR)  # the seller staked what it sold
    t.stake(bob, BUYER_SLOT, SOLD_HASH, 3 * NMR)
    before = market.balanceOf(bob)

    verdict = judge_and_settle(t)

    assert verdict.payload["verdict"] == "consistent"
    args = settled(t, order)
    assert args["outcome"] == 0 and args["toSeller"] == PRICE - FEE
    assert market.balanceOf(t.seller) == PRICE - FEE
    assert market.balanceOf(bob) == before  # no collateral in file modes
    # The evidence posted on chain is kept and hashes to what was posted.
    (posted,) = t.market.events.VerdictPosted().get_logs(from_block=0)
    digest = "0x" + bytes(posted["args"]["evidenceHash"]).hex()
    body = t.agent.evidence(digest)
    assert "0x" + keccak(canonical_json(body)).hex() == digest == verdict.payload["evidence"]
    assert body["order_id"] == order[0] and body["outcome"] == "consistent"
    assert [e["hash"] for e in t.agent.evidence_for_order(order[0])] == [digest]


def test_seller_fraud_sold_other_than_own_submission_slashes_the_seller(
    make_trades, sqlite_url, model_ids, bob, market
):
    t = make_trades(sqlite_url)
    order = t.buy(t.listing(model_ids[0], STAKE), bob)
    t.deliver(order, SOLD_HASH)  # the seller posts what it delivered to bob's slot...
    t.stake(t.seller, model_ids[0], OTHER_HASH, NMR)  # ...but stakes its model on another file
    before = market.balanceOf(bob)
    sleep(DAY + 1)
    t.watcher.poll()
    # Planned, then "restarted" before sending: a fresh agent on the same store plans nothing new.
    assert t.agent.tick().verdicts == 1
    again = MarketSettlement(t.w3, t.store, t.market, t.staking)
    assert again.tick().verdicts == 0 and len(t.jobs("verdict")) == 1
    with t.store.engine.connect() as c:
        assert c.execute(select(func.count()).select_from(evidence)).scalar() == 1

    verdict = judge_and_settle(t, judged=True)

    assert (verdict.payload["verdict"], verdict.payload["reason"]) == (
        "seller_fault", "seller_submitted_other")
    args = settled(t, order)
    slash = PRICE  # sellerSlashBps 100 % of the price, within the 100 NMR bond
    assert args["outcome"] == 2 and args["toBuyer"] == PRICE + COLLATERAL + slash // 2
    assert market.balanceOf(bob) == before + PRICE + COLLATERAL + slash // 2
    assert market.balanceOf(t.seller) == 0
    assert market.sellerOf(t.seller)["bond"] == 100 * NMR - slash


def test_buyer_over_stake_slashes_the_buyer(make_trades, sqlite_url, model_ids, bob, market):
    t = make_trades(sqlite_url)
    order = t.buy(t.listing(model_ids[0], STAKE), bob)
    t.deliver(order, SOLD_HASH)
    t.stake(t.seller, model_ids[0], SOLD_HASH, NMR)
    t.stake(bob, BUYER_SLOT, SOLD_HASH, 10 * NMR)
    t.stake(bob, BUYER_SLOT, SOLD_HASH, 5 * NMR)  # 15 NMR on 10 NMR of bought allowance
    before = market.balanceOf(bob)

    verdict = judge_and_settle(t)

    assert (verdict.payload["verdict"], verdict.payload["reason"]) == ("buyer_fault", "over_stake")
    args = settled(t, order)
    assert args["outcome"] == 3
    assert market.balanceOf(t.seller) == PRICE - FEE + COLLATERAL // 2
    assert market.balanceOf(bob) == before  # the collateral is gone, the price paid


def test_buyer_resubmitting_after_delivery_is_blamed_and_the_seller_paid(
    make_trades, sqlite_url, model_ids, bob, market
):
    t = make_trades(sqlite_url)
    order = t.buy(t.listing(model_ids[0], STAKE), bob)
    t.stake(t.seller, model_ids[0], SOLD_HASH, NMR)
    t.deliver(order, SOLD_HASH)
    t.stake(bob, BUYER_SLOT, SOLD_HASH, 2 * NMR)
    sleep(600)
    t.stake(bob, BUYER_SLOT, OTHER_HASH, NMR)  # the timing attack: another file on the slot
    before = market.balanceOf(bob)

    verdict = judge_and_settle(t)

    assert (verdict.payload["verdict"], verdict.payload["reason"]) == (
        "buyer_fault", "resubmitted_after_delivery")
    (body,) = [e["body"] for e in t.agent.evidence_for_order(order[0])]
    (buyer_check,) = [c for c in body["checks"] if c["check"] == "buyer"]
    assert buyer_check["facts"]["position_hash"] == OTHER_HASH
    assert buyer_check["facts"]["seconds_after_delivery"] >= 600
    assert settled(t, order)["outcome"] == 3
    assert market.balanceOf(t.seller) == PRICE - FEE + COLLATERAL // 2
    assert market.balanceOf(bob) == before


def test_seller_who_never_delivers_refunds_the_buyer_and_pays_it_from_the_bond(
    make_trades, sqlite_url, model_ids, bob, market
):
    t = make_trades(sqlite_url)
    order = t.buy(t.listing(model_ids[0], STAKE), bob)
    before = market.balanceOf(bob)
    t.run()
    assert not t.jobs("settle-batch")  # not before the delivery deadline
    sleep(DAY + 1)
    t.run()
    (job,) = t.jobs("settle-batch")  # settleBatch reclaims a Paid order past its deadline
    assert job.state == CONFIRMED, job.reason
    args = settled(t, order)
    assert args["outcome"] == 1 and args["toBuyer"] == PRICE + COLLATERAL + BOND // 2
    assert market.balanceOf(bob) == before + PRICE + COLLATERAL + BOND // 2
    assert market.sellerOf(t.seller)["bond"] == 100 * NMR - BOND // 2
    t.run()
    assert len(t.jobs("settle-batch")) == 1  # planned once


def test_disputed_verdict_is_surfaced_for_the_arbiter_with_its_evidence(
    make_trades, sqlite_url, model_ids, bob, market, arbiter
):
    t = make_trades(sqlite_url)
    order = t.buy(t.listing(model_ids[0], STAKE), bob)
    t.deliver(order, SOLD_HASH)
    t.stake(t.seller, model_ids[0], OTHER_HASH, NMR)
    sleep(DAY + 1)
    t.run()
    (judged,) = t.market.events.VerdictPosted().get_logs(from_block=0)
    fund(t.nmr, market, t.seller, 10 * NMR)  # the dispute bond
    market.dispute(order_struct(judged["args"]["order"].values()), {"from": t.seller})
    sleep(2 * DAY + 1)  # past the challenge window: a disputed order is not settled by default
    t.run()
    assert not t.jobs("settle-batch")

    (d,) = t.agent.disputes()
    assert d["order_id"] == order[0] and d["disputer"] == t.seller
    assert d["verdict"] == "seller_fault" and d["evidence"]["reason"] == "seller_submitted_other"
    assert d["evidence_hash"] == "0x" + bytes(judged["args"]["evidenceHash"]).hex()
    market.rule(tuple(d["order"]), 1, {"from": arbiter})  # the arbiter's ruling settles it
    t.run()
    assert t.agent.disputes() == []
    assert settled(t, order)["outcome"] == 0
