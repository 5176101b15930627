"""Verdicts on delivered orders (issue #12 item 4 and the first half of item 5): the facts of each
trade gathered from the chain, the agent's delivery record and Numerai's live scores, judged by
`agent.verify.consistency`, and posted as `postVerdict` jobs with the hash of their evidence.

Where each fact comes from:

- the order (round, bought units → stake allowance, delivery deadline, the listing's model) from
  the Marketplace's stored events (`agent.market.orders`);
- the delivery from the `deliveries` row the delivery flow wrote (canonical prediction hash, and
  the auto-submission's confirmed upload time); without a row, a STAKE-mode delivery the seller
  posted itself is taken from its `OrderDelivered` event (its hash is the submission hash, its
  time the block's). A verified file the agent holds no record of cannot be judged (the posted
  hash is a ciphertext's): the order then takes the Marketplace's silent-verifier path;
- positions from the tournament's `Staked` events: a position is the sum of one (round, staker,
  model)'s events and backs the hash of the latest one, "staked" when that hash first appeared;
  the buyer's position is the one on its slot model (`slots`, when the wiring knows it), else
  the buyer's position backing the delivered hash, else its only position of the round; the
  seller's is the position on the listing's model, whoever staked it;
- live scores (only when the seller has no position, so hashes cannot decide): the round's
  latest daily scores of the buyer's slot and of the seller's model, through numerapi.

A verdict is judged only after the round's submission deadline (the order's `deliverBy`), when
positions can no longer change, and before the order's verdict deadline. PENDING verdicts wait.

Every verdict is one job `verdict:<chain>:<market>:<order>`, planned in the same database
transaction that stores its evidence (table `evidence`, keyed by the hash posted on-chain), so
the evidence behind any posted hash is always served (`evidence_of`), and a crash never posts a
verdict twice (the key) nor a hash without its evidence (the transaction).
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from web3 import Web3

from agent.models import model_uuid_from_id
from agent.sender import call_payload
from agent.store import Store, jobs
from agent.store.schema import deliveries, evidence
from agent.verify.consistency import (
    DEFAULT_SCORE_TOLERANCE,
    Delivery,
    InvalidTradeFacts,
    Mode,
    Outcome,
    Position,
    TradeFacts,
    Verdict,
    judge_trade,
)

from .orders import (
    BUYER_FAULT,
    CONSISTENT,
    DELIVERED,
    FILE,
    SELLER_FAULT,
    STAKE,
    OrderView,
    StakeEvent,
    order_key,
)

log = logging.getLogger(__name__)

NMR = 10**18
VERDICT_CODES = {
    Outcome.CONSISTENT: CONSISTENT, Outcome.SELLER_FAULT: SELLER_FAULT,
    Outcome.BUYER_FAULT: BUYER_FAULT,
}
#: (order) → the buyer's slot model (0x bytes32) for the order's round, when the wiring knows it.
SlotLookup = Callable[[OrderView], str | None]
#: (order, buyer's slot model or None) → (sold scores, seller scores), metric → value.
ScoreSource = Callable[[OrderView, str | None], tuple[Mapping[str, float] | None,
                                                      Mapping[str, float] | None]]


def _event(event: str, level: int = logging.INFO, **fields) -> None:
    log.log(level, "%s %s", event, json.dumps(fields, default=str, sort_keys=True))


def _b32(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


# -- evidence ---------------------------------------------------------------------------------


def store_evidence(store: Store, conn, chain_id: int, market: str, order_id: int,
                   verdict: Verdict) -> str:
    """Keep `verdict`'s evidence under its hash (inside the caller's transaction); returns the
    0x hash. Re-storing the same evidence is a no-op."""
    digest = "0x" + verdict.evidence_hash.hex()
    stmt = store._insert(evidence).values(
        hash=digest, chain_id=chain_id, market=Web3.to_checksum_address(market),
        order_id=order_key(order_id), body=verdict.evidence, created_at=time.time(),
    ).on_conflict_do_nothing(index_elements=["hash"])
    conn.execute(stmt)
    return digest


def evidence_of(store: Store, digest: str) -> dict | None:
    """The evidence posted on-chain as `digest` (0x hex), or None if the agent never posted it.
    Anyone can check it: keccak256 of `agent.verify.consistency.canonical_json(body)` is
    `digest`."""
    with store.engine.connect() as c:
        row = c.execute(select(evidence.c.body).where(evidence.c.hash == digest.lower())).first()
    return None if row is None else row.body


def evidence_for_order(store: Store, chain_id: int, market: str, order_id: int) -> list[dict]:
    """Every evidence record the agent kept for one order (oldest first), with its hash."""
    with store.engine.connect() as c:
        rows = c.execute(
            select(evidence.c.hash, evidence.c.body, evidence.c.created_at)
            .where(evidence.c.chain_id == chain_id,
                   func.lower(evidence.c.market) == market.lower(),
                   evidence.c.order_id == order_key(order_id))
            .order_by(evidence.c.created_at)
        ).all()
    return [{"hash": r.hash, "body": r.body, "created_at": r.created_at} for r in rows
            if int(r.body.get("order_id", -1)) == order_id]


# -- positions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PositionView:
    staker: str
    model_id: str
    position: Position


def positions_of_round(stakes: list[StakeEvent], round_: int,
                       block_time: Callable[[int], int]) -> list[PositionView]:
    """The round's positions: amounts summed per (staker, model), backing the latest event's
    hash since the first event of the last run of that hash."""
    grouped: dict[tuple[str, str], list[StakeEvent]] = defaultdict(list)
    for s in stakes:
        if s.round == round_:
            grouped[(s.staker, s.model_id)].append(s)
    out = []
    for (staker, model), events in grouped.items():
        events.sort(key=lambda s: (s.block_number, s.log_index))
        latest = events[-1].submission_hash
        since = len(events) - 1
        while since > 0 and events[since - 1].submission_hash == latest:
            since -= 1
        out.append(PositionView(staker, model, Position(
            _b32(latest), sum(s.amount for s in events), block_time(events[since].block_number),
        )))
    return out


# -- live scores ------------------------------------------------------------------------------


class NumeraiScores:
    """Live scores through numerapi (public `submissionScores`): per model, the round's latest
    published daily value of each metric."""

    def __init__(self, numerai_url: str):
        # numerapi (and pandas behind it) cost a second of start-up: only agents that compare
        # scores load them.
        from agent.tournament.client import NumeraiClient, NumeraiError

        self.client, self.errors = NumeraiClient(numerai_url), NumeraiError

    def round_scores(self, model_id: str, round_: int) -> dict[str, float] | None:
        latest: dict[str, tuple[int, float]] = {}
        for s in self.client.scores(model_uuid_from_id(model_id)):
            if int(s.get("roundNumber") or -1) != round_ or s.get("value") is None:
                continue
            day = int(s.get("day") or 0)
            name = s["displayName"]
            if name not in latest or day >= latest[name][0]:
                latest[name] = (day, float(s["value"]))
        return {k: v for k, (_d, v) in latest.items()} or None

    def __call__(self, order: OrderView, slot: str | None):
        try:
            seller = self.round_scores(order.model_id, order.round)
            sold = self.round_scores(slot, order.round) if slot else None
        except self.errors as exc:
            _event("verdict.scores_unavailable", logging.WARNING, order=order.id, reason=str(exc))
            return None, None
        return sold, seller


# -- the planner ------------------------------------------------------------------------------


@dataclass
class VerdictConfig:
    gas: int = 200_000
    score_tolerance: float = DEFAULT_SCORE_TOLERANCE


class VerdictPlanner:
    """Judges delivered orders of one Marketplace and plans their `postVerdict` jobs."""

    def __init__(self, w3: Web3, store: Store, market, *, scores: ScoreSource | None = None,
                 slots: SlotLookup | None = None, config: VerdictConfig | None = None):
        self.w3, self.store, self.market = w3, store, market
        self.scores, self.slots = scores, slots
        self.config = config or VerdictConfig()
        self.chain_id = w3.eth.chain_id
        self.tag = f"{self.chain_id}:{market.address}"
        self._block_times: dict[int, int] = {}

    def key(self, order_id: int) -> str:
        return f"verdict:{self.tag}:{order_id}"

    def block_time(self, number: int) -> int:
        if number not in self._block_times:
            self._block_times[number] = int(self.w3.eth.get_block(number)["timestamp"])
        return self._block_times[number]

    def records(self, order_ids: list[int]) -> dict[int, dict]:
        """The delivery flow's rows for these orders."""
        if not order_ids:
            return {}
        by_key = {order_key(i): i for i in order_ids}
        with self.store.engine.connect() as c:
            rows = c.execute(
                select(deliveries).where(
                    deliveries.c.chain_id == self.chain_id,
                    func.lower(deliveries.c.market) == self.market.address.lower(),
                    deliveries.c.order_id.in_(list(by_key)),
                )
            ).all()
        return {by_key[r.order_id]: dict(r._mapping) for r in rows}

    def trade_facts(self, order: OrderView, record: dict | None,
                    positions: list[PositionView]) -> TradeFacts | None:
        """The facts `judge_trade` needs, or None when the agent cannot know what was delivered."""
        delivery = self._delivery(order, record)
        if delivery is None:
            return None
        mode = Mode.STAKE if order.mode == STAKE else Mode.FILE
        slot = self.slots(order) if self.slots else None
        mine = [p for p in positions if p.staker == order.buyer]
        if slot is not None:
            mine = [p for p in mine if p.model_id == slot.lower()]
        backing = [p for p in mine if p.position.submission_hash == delivery.prediction_hash]
        buyer = backing[0] if backing else mine[0] if len(mine) == 1 else None
        if slot is None and buyer is not None:
            slot = buyer.model_id
        seller = next((p for p in positions if p.model_id == order.model_id), None)
        sold_scores = seller_scores = None
        if seller is None and self.scores is not None:
            sold_scores, seller_scores = self.scores(order, slot)
        return TradeFacts(
            order_id=order.id, round=order.round, model_id=order.model_id, mode=mode,
            delivery=delivery, deadline=order.deliver_by,
            allowance=order.units * NMR if mode is Mode.STAKE else None,
            buyer_position=buyer.position if buyer and mode is Mode.STAKE else None,
            seller_position=seller.position if seller else None,
            sold_scores=sold_scores, seller_scores=seller_scores,
            score_tolerance=self.config.score_tolerance,
        )

    def _delivery(self, order: OrderView, record: dict | None) -> Delivery | None:
        if record is not None and record.get("prediction_hash"):
            at = record.get("submitted_at")
            when = int(at) if at is not None else self.block_time(order.delivered_block)
            return Delivery(_b32(record["prediction_hash"]), when)
        if order.mode == STAKE and order.delivery_hash is not None:
            return Delivery(_b32(order.delivery_hash), self.block_time(order.delivered_block))
        return None

    def plan(self, orders: Mapping[int, OrderView], stakes: list[StakeEvent], now: int) -> int:
        """Judge every order ready for a verdict and plan its job; returns how many planned."""
        ready = [
            o for o in orders.values()
            if o.open and o.state == DELIVERED and o.mode != FILE
            and o.deliver_by < now <= o.deadline
        ]
        if not ready:
            return 0
        done = existing_jobs(self.store, [self.key(o.id) for o in ready])
        ready = [o for o in ready if self.key(o.id) not in done]
        records = self.records([o.id for o in ready])
        by_round: dict[int, list[PositionView]] = {}
        planned = 0
        for order in ready:
            if order.round not in by_round:
                by_round[order.round] = positions_of_round(stakes, order.round, self.block_time)
            try:
                facts = self.trade_facts(order, records.get(order.id), by_round[order.round])
            except InvalidTradeFacts as exc:
                _event("verdict.bad_facts", logging.ERROR, order=order.id, reason=str(exc))
                continue
            if facts is None:
                _event("verdict.no_record", logging.WARNING, order=order.id,
                       detail="no delivery record for a verified file; the buyer may dispute")
                continue
            verdict = judge_trade(facts)
            if not verdict.is_final:
                _event("verdict.pending", order=order.id, reason=verdict.reason)
                continue
            planned += self._plan_one(order, verdict)
        return planned

    def _plan_one(self, order: OrderView, verdict: Verdict) -> int:
        code = VERDICT_CODES[verdict.outcome]
        fn = self.market.functions.postVerdict(order.struct, code, verdict.evidence_hash)
        payload = {
            **call_payload(fn, gas=self.config.gas),
            "order": str(order.id), "verdict": verdict.outcome.value, "reason": verdict.reason,
            "evidence": "0x" + verdict.evidence_hash.hex(),
        }
        with self.store.begin() as conn:
            store_evidence(self.store, conn, self.chain_id, self.market.address, order.id,
                           verdict)
            job = self.store.plan(self.key(order.id), "verdict", payload, conn=conn)
        new = job.payload.get("evidence") == payload["evidence"]
        _event("verdict.planned", order=order.id, outcome=verdict.outcome.value,
               reason=verdict.reason, evidence=payload["evidence"])
        return int(new)


def existing_jobs(store: Store, keys: list[str]) -> dict[str, str]:
    """key → state of the jobs that exist among `keys`."""
    if not keys:
        return {}
    out: dict[str, str] = {}
    with store.engine.connect() as c:
        for i in range(0, len(keys), 500):
            rows = c.execute(
                select(jobs.c.key, jobs.c.state).where(jobs.c.key.in_(keys[i:i + 500]))
            ).all()
            out.update({k: s for k, s in rows})
    return out
