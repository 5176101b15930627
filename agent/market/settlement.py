"""Settling the Marketplace's orders (the second half of issue #12 item 5), as jobs in the core's
store, sent by its Sender; `MarketSettlement.tick()` is the periodic step a service loop runs.

Each tick reads the order book from the watcher's stored events (`agent.market.orders`) and the
chain's clock (the latest block's timestamp: the contract compares deadlines with block time)
and plans, each in one database transaction:

- `verdict:<chain>:<market>:<order>`: verdicts with evidence (`agent.market.verdicts`);
- `settle:<chain>:<market>:<hash of the batch>`: `settleBatch` over every order whose state timed
  out: a verdict final after its challenge window, a plain file's complaint window, a silent
  verifier's verdict and challenge windows, an arbiter's silence, and a missed delivery (a Paid
  order past its delivery deadline, which `settleBatch` reclaims exactly as `reclaim` does: the
  buyer is refunded and paid `MISSED_DELIVERY_BPS` of the order's locked seller bond; batched,
  a refund costs a fraction of a lone `reclaim` transaction). The key is the hash of the
  batch's (order id, order commitment) pairs, and the payload lists them: an order is planned
  again only when no planned, sent or confirmed batch holds its current commitment, so a crash
  at any point settles nothing twice and misses nothing (a batch holding a commitment that was
  meanwhile superseded, e.g. by a dispute, simply skips the order on-chain and the new
  commitment gets its own batch). The contract skips what is not open or not due, so a batch
  never reverts on a stale entry.

Disputed orders are surfaced for the arbiter by `disputes()`, each with its verdict's evidence.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field

from sqlalchemy import select
from web3 import Web3

from agent.sender import call_payload
from agent.store import CONFIRMED, FAILED, PLANNED, SENT, Store, jobs
from agent.watcher import Source, Watcher

from .orders import (
    DELIVERED,
    DISPUTED,
    JUDGED,
    MARKET_EVENTS,
    PAID,
    STAKING_EVENTS,
    OrderView,
    load_book,
)
from .verdicts import (
    NumeraiScores,
    ScoreSource,
    SlotLookup,
    VerdictConfig,
    VerdictPlanner,
    evidence_for_order,
    evidence_of,
    existing_jobs,
)

log = logging.getLogger(__name__)

VERDICT_NAMES = {0: "none", 1: "consistent", 2: "seller_fault", 3: "buyer_fault"}
# Only the windows are read from MarketTerms (a silent verifier's order waits a challenge window
# after its verdict deadline); a hand-written fragment keeps this module free of build files.
TERMS_ABI = [{
    "type": "function", "name": "windowsOf", "stateMutability": "view",
    "inputs": [{"name": "termsId", "type": "uint256"}],
    "outputs": [{"name": "", "type": "tuple", "components": [
        {"name": n, "type": "uint32"} for n in
        ("verdictWindow", "challengeWindow", "arbitrationWindow", "exitNotice", "complaintWindow")
    ]}],
}]


def _event(event: str, level: int = logging.INFO, **fields) -> None:
    log.log(level, "%s %s", event, json.dumps(fields, default=str, sort_keys=True))


@dataclass
class SettlementConfig:
    batch_size: int = 40
    settle_gas_base: int = 80_000
    settle_gas_each: int = 45_000  # a slash or a silent verifier's order reads MarketTerms
    verdict: VerdictConfig = field(default_factory=VerdictConfig)


@dataclass
class TickReport:
    verdicts: int = 0
    settlements: int = 0  # orders put into new settleBatch jobs
    batches: int = 0


class MarketSettlement:
    """Verdicts and batched settlement (missed deliveries included) of one Marketplace (web3.py
    contracts `market` and the tournament's `staking`, whose `Staked` events are the positions)."""

    def __init__(self, w3: Web3, store: Store, market, staking, *,
                 numerai_url: str | None = None, scores: ScoreSource | None = None,
                 slots: SlotLookup | None = None, config: SettlementConfig | None = None):
        self.w3, self.store, self.market, self.staking = w3, store, market, staking
        self.config = config or SettlementConfig()
        if scores is None and numerai_url is not None:
            scores = NumeraiScores(numerai_url)
        self.verdicts = VerdictPlanner(w3, store, market, scores=scores, slots=slots,
                                       config=self.config.verdict)
        self.chain_id = w3.eth.chain_id
        self.tag = f"{self.chain_id}:{market.address}"
        self.source_name = f"market:{market.address}"
        self._terms = None
        self._windows: dict[int, tuple] = {}

    # -- wiring -------------------------------------------------------------------------------

    def watcher(self, *, confirmations: int = 3, start_block: int = 0, **kw) -> Watcher:
        """The watcher of the market's order events and the tournament's `Staked` events."""
        source = Source(
            {self.market.address: self.market.abi, self.staking.address: self.staking.abi},
            names=MARKET_EVENTS | STAKING_EVENTS,
        )
        return Watcher(self.w3, self.store, self.source_name, source,
                       confirmations=confirmations, start_block=start_block, **kw)

    def install(self, core, *, every: float = 2.0, watcher: Watcher | None = None) -> Watcher:
        """Add `tick` (and, unless one is given, the market's watcher) to an `AgentCore`."""
        if watcher is None:
            watcher = self.watcher(confirmations=core.settings.confirmation_depth)
            core.watchers.append(watcher)
            core.life.every(core.settings.poll_interval, watcher.poll, name=f"watch:{watcher.name}")
        core.life.every(every, self.tick, name="market:settle")
        return watcher

    def book(self) -> dict[int, OrderView]:
        orders, _stakes = load_book(self.store, self.source_name, self.market.address,
                                    self.staking.address)
        return orders

    def chain_time(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    # -- the periodic step --------------------------------------------------------------------

    def tick(self) -> TickReport:
        """Plan whatever is due now: verdicts, then settlement batches (missed deliveries too)."""
        orders, stakes = load_book(self.store, self.source_name, self.market.address,
                                   self.staking.address)
        now = self.chain_time()
        report = TickReport()
        report.verdicts = self.verdicts.plan(orders, stakes, now)
        report.settlements, report.batches = self.plan_settlements(orders, now)
        return report

    # -- settlement batches -------------------------------------------------------------------

    def windows(self, terms_id: int) -> tuple:
        """The immutable windows of a terms version (cached: versions never change)."""
        if terms_id not in self._windows:
            if self._terms is None:
                self._terms = self.w3.eth.contract(address=self.market.functions.terms().call(),
                                                   abi=TERMS_ABI)
            self._windows[terms_id] = tuple(self._terms.functions.windowsOf(terms_id).call())
        return self._windows[terms_id]

    def due_at(self, order: OrderView) -> int:
        """When the order's current state times out (as the contract's `_dueAt`)."""
        if order.state == DELIVERED:
            return order.deadline + self.windows(order.struct[8])[1]
        return order.deadline

    def in_batches(self) -> set[tuple[int, str]]:
        """(order id, commitment) pairs held by a planned, sent or confirmed settle batch."""
        with self.store.engine.connect() as c:
            rows = c.execute(
                select(jobs.c.payload).where(
                    jobs.c.kind == "settle-batch", jobs.c.key.like(f"settle:{self.tag}:%"),
                    jobs.c.state.in_((PLANNED, SENT, CONFIRMED)),
                )
            ).all()
        return {(int(i), h) for (payload,) in rows for i, h in payload["orders"]}

    def plan_settlements(self, orders: dict[int, OrderView], now: int) -> tuple[int, int]:
        """Plan `settleBatch` jobs for every due order not already in a batch; returns (orders,
        batches) newly planned."""
        candidates = [
            o for o in orders.values()
            if o.open and o.state in (PAID, DELIVERED, JUDGED, DISPUTED)
        ]
        if not candidates:
            return 0, 0
        verdicts = self._existing([self.verdicts.key(o.id) for o in candidates
                                   if o.state == DELIVERED])
        due = [
            o for o in candidates
            if now > self.due_at(o)
            # a verdict on its way decides the order; the default must not race it
            and verdicts.get(self.verdicts.key(o.id)) not in (PLANNED, SENT)
        ]
        if not due:
            return 0, 0
        held = self.in_batches()
        todo = sorted((o for o in due if (o.id, o.struct_hash) not in held), key=lambda o: o.id)
        if not todo:
            return 0, 0
        size = self.config.batch_size
        specs = []
        for i in range(0, len(todo), size):
            chunk = todo[i:i + size]
            pairs = [[str(o.id), o.struct_hash] for o in chunk]
            digest = Web3.keccak(text=json.dumps(pairs)).hex().removeprefix("0x")[:32]
            fn = self.market.functions.settleBatch([o.struct for o in chunk])
            gas = self.config.settle_gas_base + self.config.settle_gas_each * len(chunk)
            specs.append((f"settle:{self.tag}:{digest}", "settle-batch",
                          {**call_payload(fn, gas=gas), "orders": pairs}))
        existing = self._existing([k for k, _kind, _p in specs])
        # A batch of the same content that failed before (out of gas?) is retried under a new key.
        specs = [(f"{k}:{int(time.time())}" if existing.get(k) == FAILED else k, kind, p)
                 for k, kind, p in specs]
        with self.store.begin() as conn:
            self.store.plan_many(specs, conn=conn)
        _event("settlements.planned", orders=len(todo), batches=len(specs))
        return len(todo), len(specs)

    # -- for the arbiter and the API ----------------------------------------------------------

    def disputes(self) -> list[dict]:
        """Every open disputed order with what the arbiter needs to `rule` on it: the parties,
        the disputer, the verdict, the arbitration deadline, the Order struct to pass back, and
        the evidence the agent posted with its verdict (None if the verifier was silent)."""
        out = []
        for o in sorted(self.book().values(), key=lambda o: o.id):
            if not o.open or o.state != DISPUTED:
                continue
            body = evidence_of(self.store, o.evidence_hash) if o.evidence_hash else None
            out.append({
                "order_id": o.id, "buyer": o.buyer, "seller": o.seller, "disputer": o.disputer,
                "verdict": VERDICT_NAMES[o.verdict], "arbitration_deadline": o.deadline,
                "round": o.round, "model_id": o.model_id, "evidence_hash": o.evidence_hash,
                "evidence": body, "order": list(o.struct),
            })
        return out

    def evidence(self, digest: str) -> dict | None:
        return evidence_of(self.store, digest)

    def evidence_for_order(self, order_id: int) -> list[dict]:
        return evidence_for_order(self.store, self.chain_id, self.market.address, order_id)

    def _existing(self, keys: list[str]) -> dict[str, str]:
        return existing_jobs(self.store, keys)
