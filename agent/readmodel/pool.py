"""A staker's pool account from one batch of chain views (`balancesOf`, `allocationOf` per model,
`params`) plus what the store knows: its models (the read model's `ModelBound` events), its open
positions and its queued free-withdrawal requests (jobs)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from web3 import Web3

from agent.readmodel.payouts import nmr
from agent.readmodel.projection import model_key
from agent.store import jobs

MODES = {0: "fixed", 1: "compound"}
KINDS = {0: "model", 1: "wallet", 2: "pool"}
ZERO32 = "0x" + "00" * 32


def _b32(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def _iso(ts: int | float | None) -> str | None:
    return None if not ts else datetime.fromtimestamp(ts, UTC).isoformat()


def batch_views(w3: Web3, calls: list) -> list:
    """Several eth_calls in one JSON-RPC batch (one round trip)."""
    if not calls:
        return []
    with w3.batch_requests() as batch:
        for call in calls:
            batch.add(call)
        return list(batch.execute())


def account(read, user: str) -> dict:
    pool = read.contract("PayoutPool")
    models = read.projection.models_of(user)
    calls = [pool.functions.balancesOf([user], [_b32(m) for m in models]), pool.functions.params()]
    calls += [pool.functions.allocationOf(_b32(m)) for m in models]
    results = batch_views(read.service.w3, calls)
    (user_views, model_views), params = results[0], results[1]
    allocations = results[2:]
    liquid, last_free, withdrawal_nonce, nonce = user_views[0]
    period = params[0]
    items = []
    for m, view, targets in zip(models, model_views, allocations):
        owner, idle, at_risk, per_round, mode, credit = view
        if owner.lower() != user.lower():
            continue  # rebound since the events were read
        allocation = [
            {"target": "self" if k == 0 and "0x" + bytes(t).hex() == m else
             (model_key("0x" + bytes(t).hex()) if k == 0 else KINDS[k]),
             "kind": KINDS[k], "model_id": "0x" + bytes(t).hex() if k == 0 else None, "bps": b}
            for k, t, b in targets
        ] or [{"target": "self", "kind": "model", "model_id": m, "bps": 10_000}]
        items.append({
            "model_id": m, "name": None, "uuid": model_key(m),
            "idle": nmr(idle), "at_risk": nmr(at_risk),
            "policy": {"mode": MODES.get(mode, str(mode)), "per_round": nmr(per_round),
                       "compound_credit": nmr(credit)},
            "allocation": allocation,
        })
    queued = []
    with read.store.engine.connect() as c:
        rows = c.execute(
            select(jobs.c.key, jobs.c.state, jobs.c.payload, jobs.c.reason, jobs.c.created_at)
            .where(jobs.c.kind == "withdrawal-request").order_by(jobs.c.id)
        ).all()
    for r in rows:
        if str(r.payload.get("user", "")).lower() == user.lower():
            queued.append({"job_key": r.key, "state": r.state,
                           "amount": nmr(int(r.payload["amount"])),
                           "deadline": r.payload.get("deadline"), "batch": r.reason,
                           "requested_at": _iso(r.created_at)})
    next_free = last_free + period if last_free else 0
    return {
        "address": user,
        "liquid": nmr(liquid),
        "models": items,
        "withdrawal": {
            "last_free_at": _iso(last_free),
            "next_free_at": _iso(next_free) if next_free else None,
            "free_period_seconds": period,
            "withdrawal_nonce": withdrawal_nonce,
            "requests": queued,
        },
        "nonce": nonce,
    }


def positions(read, user: str, model: str | None, round_: int | None) -> list[dict]:
    """Open positions (staked, not booked) with the round's resolve time from the round calendar
    and whether Numerai already resolved it on-chain."""
    from agent.readmodel.tables import round_times

    p = read.projection
    open_ = [x for x in p.positions_of(user)
             if (model is None or x.model == model) and (round_ is None or x.round == round_)]
    rounds = sorted({x.round for x in open_})
    times = {}
    if rounds:
        with read.store.engine.connect() as c:
            times = {(r.tournament, r.number): r for r in c.execute(
                select(round_times).where(round_times.c.number.in_(rounds)))}
    out = []
    for x in open_:
        t = times.get((x.tournament, x.round))
        out.append({
            "model_id": x.model, "uuid": model_key(x.model), "round": x.round,
            "tournament": x.tournament, "stake_nmr": nmr(x.stake), "staked_block": x.block,
            "staked_at": _iso(p.time_of(x.block)),
            "resolve_time": _iso(t.resolve_time) if t else None,
            "resolved": x.round in p.state.resolved,
        })
    return out
