"""An in-memory projection of the read model's events, caught up from the store by event id.

One cheap query (`count`, `max(id)` of the source's events) tells whether anything changed; new
rows are folded in, and a lower count (the watcher removed events of a reorg) rebuilds from
scratch. Each API process keeps its own copy, so replicas answer from the same store."""

from __future__ import annotations

import threading
import time
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from agent.models import model_uuid_from_id
from agent.readmodel.tables import block_times
from agent.store import Store, events

CLASSIC = 8


def hex32(value) -> str:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    return str(value).lower()


@dataclass(frozen=True)
class Claim:
    """One booked round result (`RoundClaimed`) of one model."""

    model: str
    round: int
    owner: str  # lower-case; the bucket's owner when it was booked
    tournament: int
    block: int
    log_index: int
    tx_hash: str
    stake: int
    payout: int
    burn: int
    reconciled: bool = False


@dataclass(frozen=True)
class Position:
    """A pool stake of one model in one round not booked yet."""

    model: str
    round: int
    owner: str
    tournament: int
    stake: int
    block: int


@dataclass
class State:
    """Everything folded from the events, in event order."""

    last_id: int = 0
    count: int = 0
    bound: dict[str, list[tuple[tuple[int, int], str]]] = field(
        default_factory=lambda: defaultdict(list))  # model → [((block, log), owner)]
    tournament: dict[str, int] = field(default_factory=dict)
    staked: dict[tuple[str, int], list] = field(default_factory=dict)  # → [amount, block, owner]
    claims: list[Claim] = field(default_factory=list)
    claimed: set[tuple[str, int]] = field(default_factory=set)
    resolved: dict[int, int] = field(default_factory=dict)  # round → block of RoundResolved
    times: dict[int, int] = field(default_factory=dict)  # block → timestamp
    by_owner: dict[str, list[Claim]] = field(default_factory=lambda: defaultdict(list))
    touched: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # owner → changes
    market: list[dict] = field(default_factory=list)  # the marketplace's events, in order
    pool_events: list[dict] = field(default_factory=list)  # the pool's own events, in order

    def owner_at(self, model: str, at: tuple[int, int]) -> str | None:
        timeline = self.bound.get(model)
        if not timeline:
            return None
        i = bisect_right([k for k, _ in timeline], at)
        return timeline[i - 1][1] if i else timeline[0][1]


class Projection:
    """Folds the events of `source` (one chain) into a `State`; `sync()` catches up."""

    def __init__(self, store: Store, source: str, chain_id: int, addresses: dict[str, str], *,
                 min_interval: float = 0.5):
        self.store, self.source, self.chain_id = store, source, chain_id
        lower = {k: v.lower() for k, v in addresses.items()}
        self.pool = lower.get("PayoutPool")
        self.registry = lower.get("ModelRegistry")
        self.staking = lower.get("TournamentStaking")
        self.market = lower.get("Marketplace")
        self.min_interval = min_interval
        self.state = State()
        self.version = 0  # bumps on every change (the API's caches key on it)
        self.generation = 0  # bumps on every rebuild
        self._checked = 0.0
        self._lock = threading.Lock()

    def sync(self, force: bool = False) -> int:
        """Catch up with the store (at most every `min_interval` seconds unless forced)."""
        now = time.monotonic()
        if not force and now - self._checked < self.min_interval:
            return self.version
        with self._lock:
            if not force and now - self._checked < self.min_interval:
                return self.version
            with self.store.engine.connect() as c:
                count, top = c.execute(
                    select(func.count(), func.max(events.c.id))
                    .where(events.c.source == self.source)
                ).one()
                count, top = count or 0, top or 0
                if count != self.state.count or top != self.state.last_id:
                    state = self.state
                    self._fold(c, state)
                    if state.count != count:  # the watcher removed events (a reorg): rebuild
                        state = State()
                        self._fold(c, state)
                        self.generation += 1
                    self.state = state
                    self.version += 1
            self._checked = time.monotonic()
            return self.version

    def _fold(self, conn, state: State) -> None:
        rows = conn.execute(
            select(events.c.id, events.c.block_number, events.c.log_index, events.c.tx_hash,
                   events.c.address, events.c.name, events.c.args)
            .where(events.c.source == self.source, events.c.id > state.last_id)
            .order_by(events.c.id)
        ).all()
        blocks = set()
        for r in rows:
            self._apply(state, r)
            state.last_id = max(state.last_id, r.id)
            blocks.add(r.block_number)
        state.count += len(rows)
        missing = [b for b in blocks if b not in state.times]
        for i in range(0, len(missing), 500):
            chunk = missing[i:i + 500]
            state.times.update(conn.execute(
                select(block_times.c.block_number, block_times.c.timestamp).where(
                    block_times.c.chain_id == self.chain_id,
                    block_times.c.block_number.in_(chunk))
            ).all())

    def _apply(self, s: State, r) -> None:
        address, name, a = r.address.lower(), r.name, r.args
        at = (r.block_number, r.log_index)
        if address == self.pool:
            s.pool_events.append({"name": name, "block": r.block_number, "log_index": r.log_index,
                                  "tx_hash": r.tx_hash, "args": a})
            if name == "ModelBound":
                s.bound[hex32(a["model"])].append((at, a["owner"].lower()))
            elif name == "RoundStaked":
                model, round_ = hex32(a["model"]), int(a["round"])
                entry = s.staked.setdefault((model, round_), [0, r.block_number, None])
                entry[0] += int(a["amount"])
                entry[2] = s.owner_at(model, at)
                s.touched[entry[2]] += 1
            elif name == "RoundClaimed":
                model, round_ = hex32(a["model"]), int(a["round"])
                # The event leaves the stake out (gas): it is the sum of the position's RoundStaked
                # amounts, which the pool emitted before any claim of it could succeed.
                stake = s.staked[(model, round_)][0] if (model, round_) in s.staked else 0
                claim = Claim(
                    model, round_, s.owner_at(model, at) or "", s.tournament.get(model, CLASSIC),
                    r.block_number, r.log_index, r.tx_hash, stake, int(a["payout"]),
                    int(a["burn"]))
                s.claims.append(claim)
                s.by_owner[claim.owner].append(claim)
                s.touched[claim.owner] += 1
                s.claimed.add((model, round_))
            elif name == "Reconciled" and s.claims:
                last = s.claims[-1]
                if (last.model, last.round) == (hex32(a["model"]), int(a["round"])):
                    s.claims[-1] = s.by_owner[last.owner][-1] = Claim(
                        **{**last.__dict__, "reconciled": True})
                    s.touched[last.owner] += 1
        elif address == self.registry and name == "ModelAttested":
            s.tournament[hex32(a["modelId"])] = int(a["tournament"])
        elif address == self.staking and name == "RoundResolved":
            s.resolved.setdefault(int(a["round"]), r.block_number)
        elif address == self.market:
            s.market.append({"name": name, "block": r.block_number, "log_index": r.log_index,
                             "tx_hash": r.tx_hash, "args": a})

    # -- queries --------------------------------------------------------------------------------

    def claims_of(self, owner: str) -> list[Claim]:
        return list(self.state.by_owner.get(owner.lower(), ()))

    def owner_version(self, owner: str) -> tuple[int, int]:
        """Changes when anything the owner's payouts show changes (a new claim or position, or a
        rebuild), so cached answers survive other users' events."""
        return self.generation, self.state.touched.get(owner.lower(), 0)

    def positions_of(self, owner: str) -> list[Position]:
        """Open (staked, not booked) positions of the models `owner` staked through the pool."""
        owner, s = owner.lower(), self.state
        return [
            Position(m, r, o, s.tournament.get(m, CLASSIC), amount, block)
            for (m, r), (amount, block, o) in sorted(list(s.staked.items()),
                                                     key=lambda kv: kv[0][::-1])
            if o == owner and (m, r) not in s.claimed
        ]

    def models_of(self, owner: str) -> list[str]:
        """Models whose bucket is bound to `owner` now."""
        owner = owner.lower()
        # list(): one atomic copy, as a concurrent fold may add models meanwhile.
        return sorted(m for m, t in list(self.state.bound.items()) if t and t[-1][1] == owner)

    def time_of(self, block: int) -> int | None:
        return self.state.times.get(block)


def model_key(model: str) -> str:
    """The UUID of an on-chain model id when it is one, else the id."""
    try:
        return model_uuid_from_id(model)
    except ValueError:
        return model
