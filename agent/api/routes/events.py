"""GET /v1/events: notifications as server-sent events, from the store's `notifications` table.

Each event is `id: <notification id>`, `event: <kind>`, `data: <JSON>`. A client that reconnects
with `Last-Event-ID` (browsers' EventSource do) or `?after=` resumes after that id, so nothing is
lost between connections; without either the stream starts with what is new. `address` keeps
what concerns that wallet (and what concerns everybody, like a resolved round); `kinds` keeps
those kinds. A comment line every `KEEPALIVE` seconds keeps proxies from closing the stream.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select

from agent.api.auth import ADDRESS_PATTERN, OneSentenceErrors, WritesDep, fail
from agent.notify.derive import KINDS
from agent.notify.schema import notifications

router = APIRouter(prefix="/v1", tags=["notifications"], route_class=OneSentenceErrors)

KEEPALIVE = 15.0
BATCH = 200


def _kinds(value: str | None) -> set[str] | None:
    if not value:
        return None
    wanted = {k.strip() for k in value.split(",") if k.strip()}
    unknown = sorted(wanted - set(KINDS))
    if unknown:
        raise fail(400, f"unknown notification kind {unknown[0]!r}; use any of {', '.join(KINDS)}")
    return wanted


def _start(store, after: int | None, last_event_id: str | None) -> int:
    if after is not None:
        return after
    if last_event_id is not None:
        if not last_event_id.strip().isdigit():
            raise fail(400, "Last-Event-ID must be the id of an event this stream sent")
        return int(last_event_id.strip())
    with store.engine.connect() as conn:
        return conn.execute(select(func.max(notifications.c.id))).scalar() or 0


def _read(store, cursor: int) -> list:
    with store.engine.connect() as conn:
        return conn.execute(
            select(notifications).where(notifications.c.id > cursor)
            .order_by(notifications.c.id).limit(BATCH)
        ).all()


def frame(row) -> str:
    data = {"id": row.id, "kind": row.kind, "created_at": row.created_at,
            "addresses": row.addresses, "data": row.data}
    return f"id: {row.id}\nevent: {row.kind}\ndata: {json.dumps(data, sort_keys=True)}\n\n"


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}},
                     "description": "server-sent events, one per notification"}},
)
async def events(
    request: Request,
    writes: WritesDep,
    address: Annotated[str | None, Query(pattern=ADDRESS_PATTERN)] = None,
    kinds: Annotated[str | None, Query(max_length=500, description="comma-separated")] = None,
    after: Annotated[int | None, Query(ge=0, lt=2**63)] = None,
    last_event_id: Annotated[str | None, Header(max_length=30)] = None,
):
    """Server-sent events of the notifications that concern `address` (all without it)."""
    wanted = _kinds(kinds)
    store = writes.store
    cursor = await run_in_threadpool(_start, store, after, last_event_id)
    who = address.lower() if address else None

    async def stream():
        nonlocal cursor
        yield "retry: 2000\n: connected\n\n"
        quiet_since = time.monotonic()
        while not await request.is_disconnected():
            rows = await run_in_threadpool(_read, store, cursor)
            for row in rows:
                cursor = row.id
                if wanted is not None and row.kind not in wanted:
                    continue
                if who is not None and row.addresses and who not in row.addresses:
                    continue
                quiet_since = time.monotonic()
                yield frame(row)
            if len(rows) == BATCH:
                continue
            if time.monotonic() - quiet_since > KEEPALIVE:
                quiet_since = time.monotonic()
                yield ": keepalive\n\n"
            await asyncio.sleep(writes.sse_poll)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
