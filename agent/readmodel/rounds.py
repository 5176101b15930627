"""Numerai's round calendar (open, close, resolve times) in the store's `round_times`, refreshed
by a periodic job so the API shows when open positions resolve without calling Numerai."""

from __future__ import annotations

import time
from datetime import datetime

from agent.readmodel.tables import round_times
from agent.store import Store
from agent.tournament.client import NumeraiClient


def _ts(value) -> float | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def refresh(store: Store, client: NumeraiClient, limit: int = 60) -> int:
    """Upsert the last `limit` rounds Numerai lists (each row names its tournament); returns how
    many rows were written."""
    rows = []
    now = time.time()
    tournament = client.tournament
    for r in client.rounds(limit=limit):
        rows.append(dict(tournament=int(r.get("tournament") or tournament),
                         number=int(r["number"]),
                         open_time=_ts(r.get("openTime")), close_time=_ts(r.get("closeTime")),
                         resolve_time=_ts(r.get("resolveTime")), updated_at=now))
    if not rows:
        return 0
    with store.begin() as conn:
        insert = store._insert(round_times)
        conn.execute(insert.on_conflict_do_update(
            index_elements=["tournament", "number"],
            set_={k: getattr(insert.excluded, k)
                  for k in ("open_time", "close_time", "resolve_time", "updated_at")},
        ), rows)
    return len(rows)


def install(core, numerai_url: str, *, every: float = 3600.0) -> None:
    """Add the calendar refresh to an `AgentCore`'s loop."""
    core.life.every(every, lambda: refresh(core.store, NumeraiClient(numerai_url)),
                    name="rounds:refresh")
