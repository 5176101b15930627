"""Notifications derived from the store: chain events the watchers ingested, jobs that reached a
terminal state, and deliveries that changed state.

`Notifier.poll` reads what is new since its cursors (kept in the store's `cursors` table) and
inserts one `notifications` row per thing, keyed by what it is about, together with one pending
`webhook_deliveries` row per matching subscription, all in one transaction. Each poll also
re-reads a window behind its cursors (`rescan` events, `settle` seconds of jobs and deliveries):
on PostgreSQL a row may commit after a later id was already read, and the keys make re-reading
harmless. So across restarts and replicas nothing is missed and nothing is told twice.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, select

from agent.notify.schema import notifications, webhook_deliveries, webhooks
from agent.store import CONFIRMED, FAILED, Store, events, jobs
from agent.store.schema import deliveries

log = logging.getLogger(__name__)

EVENTS_CURSOR = "notify:events"
JOBS_CURSOR = "notify:jobs"  # milliseconds
DELIVERIES_CURSOR = "notify:deliveries"  # milliseconds

# The kinds a subscriber can ask for (webhooks' `kinds`, SSE's `kind` filter).
KINDS = (
    "round.resolved", "stake", "claim", "burn", "withdrawal", "withdrawal.sent",
    "withdrawal.failed",
    "policy", "allocation", "policy.applied", "allocation.applied", "relay.failed",
    "order.state", "verdict", "order.delivery", "delivery.failed", "claim.refused",
    "ownership", "ownership.verified", "ownership.revoked", "stake.failed", "job.failed",
    "scores.daily",
)

ORDER_EVENTS = {
    "OrderOpened": "opened", "BidAccepted": "accepted", "OrderDelivered": "delivered",
    "OrderDisputed": "disputed", "DisputeRuled": "ruled", "DisputeExpired": "dispute_expired",
    "OrderSettled": "settled",
}
SIMPLE_EVENTS = {
    "RoundResolved": "round.resolved", "RoundStaked": "stake", "PolicySet": "policy",
    "AllocationSet": "allocation", "FreeWithdrawn": "withdrawal",
    "ExpressWithdrawn": "withdrawal", "Withdrawn": "withdrawal", "VerdictPosted": "verdict",
    "ModelAttested": "ownership", "ModelReleased": "ownership", "ModelRevoked": "ownership",
}
CLAIM_EVENTS = {"RoundClaimed", "Finalized", "Claimed"}
BROADCAST = {"RoundResolved"}  # told to everybody who subscribes to the kind
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_MODEL = re.compile(r"^0x[0-9a-fA-F]{64}$")
JS_SAFE = 2**53


@dataclass(frozen=True)
class Note:
    """A notification before it is stored."""

    key: str
    kind: str
    addresses: tuple[str, ...]
    data: dict


def plain(value):
    """JSON a browser reads exactly: integers beyond 2**53 as strings, bytes as hex."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value) if abs(value) >= JS_SAFE else value
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def addresses_in(value, found: set[str] | None = None) -> set[str]:
    """Every address anywhere in an event's arguments (owners, buyers, sellers, users)."""
    found = set() if found is None else found
    if isinstance(value, str) and _ADDRESS.match(value):
        found.add(value.lower())
    elif isinstance(value, dict):
        for v in value.values():
            addresses_in(v, found)
    elif isinstance(value, (list, tuple)):
        for v in value:
            addresses_in(v, found)
    return found


def models_in(args: dict) -> list[str]:
    return [str(v).lower() for k, v in args.items()
            if k in ("model", "modelId") and isinstance(v, str) and _MODEL.match(v)]


class Notifier:
    """Derives notifications from one store. `owners(model_ids) -> {model_id: owner}` names
    whom a model-keyed event concerns (the pool's or the registry's view; optional)."""

    def __init__(
        self,
        store: Store,
        *,
        owners: Callable[[list[str]], dict[str, str]] | None = None,
        rescan: int = 200,
        settle: float = 30.0,
        clock: Callable[[], float] = time.time,
    ):
        self.store, self.owners, self.rescan, self.settle = store, owners, rescan, settle
        self.clock = clock

    # -- the poll ---------------------------------------------------------------------------

    def poll(self) -> int:
        """Store what is new; returns how many notifications were new."""
        with self.store.begin() as conn:
            notes, cursors = self._derive(conn)
            new = self._insert(conn, notes)
            for name, value in cursors.items():
                self.store.set_cursor(name, value, conn=conn)
        if new:
            log.info("notify.derived %s", json.dumps({"new": new}))
        return new

    def on_failure(self, *_args, **_kwargs) -> None:
        """For the delivery workflow's `on_failure` callback: a failed auto-submission (its
        `deliveries` row already `failed`) is told at once, not at the next tick."""
        self.poll()

    def _derive(self, conn: Connection) -> tuple[list[Note], dict[str, int]]:
        cursors: dict[str, int] = {}
        notes: list[Note] = []
        last_event = self.store.cursor(EVENTS_CURSOR, conn) or 0
        rows = conn.execute(
            select(events).where(events.c.id > last_event - self.rescan).order_by(events.c.id)
        ).all()
        # Only events not told yet are mapped (the owners' lookup is a chain call).
        known = self._known(conn, [self._event_key(r) for r in rows])
        todo = [r for r in rows if self._event_key(r) not in known]
        models = {m for r in todo if r.name in CLAIM_EVENTS | {"RoundStaked"}
                  for m in models_in(r.args)}
        owners = self._owners(models)
        for r in todo:
            notes.extend(self._from_event(r, owners))
        if rows:
            cursors[EVENTS_CURSOR] = max(last_event, rows[-1].id)

        since = (self.store.cursor(JOBS_CURSOR, conn) or 0) / 1000 - self.settle
        rows = conn.execute(
            select(jobs).where(jobs.c.updated_at >= since, jobs.c.state.in_([CONFIRMED, FAILED]))
            .order_by(jobs.c.updated_at)
        ).all()
        for r in rows:
            notes.extend(self._from_job(conn, r))
        if rows:
            cursors[JOBS_CURSOR] = int(rows[-1].updated_at * 1000)

        since = (self.store.cursor(DELIVERIES_CURSOR, conn) or 0) / 1000 - self.settle
        rows = conn.execute(
            select(deliveries).where(deliveries.c.updated_at >= since)
            .order_by(deliveries.c.updated_at)
        ).all()
        for r in rows:
            notes.append(self._from_delivery(r))
        if rows:
            cursors[DELIVERIES_CURSOR] = int(rows[-1].updated_at * 1000)
        return notes, cursors

    def _owners(self, models: set[str]) -> dict[str, str]:
        if not models or self.owners is None:
            return {}
        try:
            return {m.lower(): o.lower() for m, o in self.owners(sorted(models)).items()
                    if o and int(o, 16) != 0}
        except Exception as exc:  # the chain view is a nicety: tell whom we can
            log.warning("notify.owners_unavailable %s", json.dumps({"error": str(exc)}))
            return {}

    # -- mappings ---------------------------------------------------------------------------

    @staticmethod
    def _event_key(r) -> str:
        # A log is one thing however many watchers (sources) ingested it.
        return f"event:{r.block_hash}:{r.log_index}"

    def _known(self, conn: Connection, keys: list[str]) -> set[str]:
        known: set[str] = set()
        for i in range(0, len(keys), 500):
            known.update(conn.execute(select(notifications.c.key)
                                      .where(notifications.c.key.in_(keys[i:i + 500]))).scalars())
        return known

    def _from_event(self, r, owners: dict[str, str]) -> list[Note]:
        args = r.args or {}
        base = self._event_key(r)
        data = {"event": r.name, "source": r.source, "block": r.block_number,
                "tx_hash": r.tx_hash, "contract": r.address, "args": plain(args)}
        who = addresses_in(args) | {owners[m] for m in models_in(args) if m in owners}
        if r.name in BROADCAST:
            who = set()
        if r.name in CLAIM_EVENTS:
            out = [Note(base, "claim", tuple(sorted(who)), data)]
            if int(args.get("burn") or 0) > 0:
                out.append(Note(base + ":burn", "burn", tuple(sorted(who)), data))
            return out
        if r.name in ORDER_EVENTS:
            # The order id as the read API gives it: a decimal string (a uint256 hash), always.
            return [Note(base, "order.state", tuple(sorted(who)),
                         {**data, "state": ORDER_EVENTS[r.name],
                          "order_id": str(int(args["orderId"]))})]
        if r.name in SIMPLE_EVENTS:
            return [Note(base, SIMPLE_EVENTS[r.name], tuple(sorted(who)), data)]
        return []

    def _from_job(self, conn: Connection, r) -> list[Note]:
        p = r.payload or {}
        base = f"job:{r.key}:{r.state}"
        data = {"job_key": r.key, "job_kind": r.kind, "state": r.state, "tx_hash": r.tx_hash,
                "block": r.block_number, "reason": r.reason}
        who = tuple(sorted(a.lower() for a in (p.get(k) for k in
                    ("owner", "user", "wallet", "buyer", "seller")) if isinstance(a, str)))
        ok = r.state == CONFIRMED
        if r.kind in ("relay-policy", "relay-allocation"):
            kind = (r.kind.removeprefix("relay-") + ".applied") if ok else "relay.failed"
            return [Note(base, kind, who, {**data, "model": p.get("model")})]
        if r.kind == "withdrawal-batch":
            return self._withdrawals(conn, r, data)
        if r.kind == "registry-attest" and ok:
            return [Note(base, "ownership.verified", who, {**data, "model": p.get("model")})]
        if r.kind == "registry-revoke" and ok:
            return [Note(base, "ownership.revoked", who, {**data, "model": p.get("model")})]
        if r.kind == "claim" and not ok:
            model = str(p.get("model", "")).lower()
            owner = self._owners({model}).get(model) if model else None
            return [Note(base, "claim.refused", (owner,) if owner else who,
                         {**data, "model": p.get("model"), "round": p.get("round")})]
        if r.kind == "stake" and not ok:
            return [Note(base, "stake.failed", who, {**data, "model": p.get("model")})]
        if not ok:
            return [Note(base, "job.failed", who, data)]
        return []

    def _withdrawals(self, conn: Connection, r, data: dict) -> list[Note]:
        keys = list((r.payload or {}).get("requests") or [])
        if not keys:
            return []
        requests = conn.execute(select(jobs.c.key, jobs.c.payload).where(jobs.c.key.in_(keys)))
        # (The pool's FreeWithdrawn event, when a watcher ingests it, is the `withdrawal`.)
        kind = "withdrawal.sent" if r.state == CONFIRMED else "withdrawal.failed"
        out = []
        for key, payload in requests:
            user = str(payload.get("user", "")).lower()
            out.append(Note(f"job:{key}:{r.state}", kind, (user,) if user else (),
                            {**data, "user": payload.get("user"),
                             "amount": str(payload.get("amount"))}))
        return out

    def _from_delivery(self, r) -> Note:
        kind = "delivery.failed" if r.state == "failed" else "order.delivery"
        data = {"chain_id": r.chain_id, "market": r.market, "order_id": str(r.order_id),
                "mode": r.mode, "round": r.round, "model_id": r.model_id, "state": r.state,
                "reason": r.reason, "submitted_at": r.submitted_at}
        key = f"delivery:{r.chain_id}:{r.market}:{r.order_id}:{r.state}"
        return Note(key, kind, tuple(sorted({r.buyer.lower(), r.seller.lower()})), data)

    # -- storing ----------------------------------------------------------------------------

    def _insert(self, conn: Connection, notes: Iterable[Note]) -> int:
        fresh: dict[str, Note] = {}
        for note in notes:
            fresh.setdefault(note.key, note)
        if not fresh:
            return 0
        known = self._known(conn, list(fresh))
        todo = [n for k, n in fresh.items() if k not in known]
        if not todo:
            return 0
        now = self.clock()
        stmt = (self.store._insert(notifications)
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(notifications.c.id, notifications.c.key))
        rows = conn.execute(stmt, [dict(key=n.key, kind=n.kind, addresses=list(n.addresses),
                                        data=n.data, created_at=now) for n in todo]).all()
        ids = {key: id_ for id_, key in rows}
        hooks = conn.execute(
            select(webhooks.c.id, webhooks.c.owner, webhooks.c.kinds)
            .where(webhooks.c.deleted_at.is_(None))
        ).all()
        planned = []
        for note in todo:
            if note.key not in ids:
                continue  # another replica inserted it (and planned its deliveries)
            for hook in hooks:
                if "*" not in hook.kinds and note.kind not in hook.kinds:
                    continue
                if note.addresses and hook.owner.lower() not in note.addresses:
                    continue
                planned.append(dict(webhook_id=hook.id, notification_id=ids[note.key],
                                    state="pending", attempts=0, next_attempt_at=now, log=[],
                                    created_at=now, updated_at=now))
        if planned:
            conn.execute(self.store._insert(webhook_deliveries)
                         .on_conflict_do_nothing(index_elements=["webhook_id", "notification_id"]),
                         planned)
        return len(ids)


def pool_owners(pool) -> Callable[[list[str]], dict[str, str]]:
    """Owners of models as the pool sees them (one `balancesOf` call for all of them)."""

    def owners(models: list[str]) -> dict[str, str]:
        _users, views = pool.functions.balancesOf(
            [], [bytes.fromhex(m.removeprefix("0x")) for m in models]).call()
        return {m: view[0] for m, view in zip(models, views)}

    return owners
