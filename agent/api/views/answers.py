"""Serving rendered answers (`agent.readmodel.service.Answer`): with their ETag, `304 Not Modified`
when the client already holds the answer, and, for a request line a route answered before while
its data is unchanged, straight from the read model's cache without routing, parameter parsing
or validation (`CachedAnswers`): the payouts question is asked again and again with the same URL,
and FastAPI's per-request work costs many times what sending the cached bytes does."""

from __future__ import annotations

import time

from fastapi import Request
from fastapi.responses import Response

from agent.api.views.metrics import LATENCY, REQUESTS
from agent.readmodel.service import Answer, ReadModel


def respond(request: Request, answer: Answer) -> Response:
    """The route's answer: 304 (no body) when `If-None-Match` holds its ETag, else 200."""
    headers = {k.decode(): v.decode() for k, v in answer.headers if k != b"content-length"}
    if answer.matches(request.headers.get("if-none-match")):
        return Response(status_code=304,
                        headers={k.decode(): v.decode() for k, v in answer.validators})
    return Response(answer.body, headers=headers)


def remember(request: Request, read: ReadModel, owner: str, version: tuple,
             answer: Answer) -> None:
    """Let `CachedAnswers` serve this exact request line again while `version` is the newest."""
    read.remember(request.scope["path"], request.scope["query_string"], owner,
                  request.scope["route"].path, version, answer)


class CachedAnswers:
    """The app's front door (see `agent.api.main.AgentApp`): a GET whose request line (raw path
    and query) a route answered before is served from the read model when the owner's data
    version is unchanged (`ReadModel.answered` checks the store first, as the route would), before
    any middleware, routing or validation. Everything else, and any request line not seen yet or
    whose data changed, goes to `app`. Counted in the same Prometheus series as the route, so
    /metrics still shows every answer."""

    def __init__(self, app, state):
        self.app = app
        self.state = state  # the FastAPI app's state, where the read model lives
        self._counters: dict = {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        read: ReadModel | None = getattr(self.state, "read", None)
        found = read.answered(scope["path"], scope["query_string"]) if read else None
        if found is None:
            return await self.app(scope, receive, send)
        route, answer = found
        status, headers, body = 200, answer.headers, answer.body
        for name, value in scope["headers"]:
            if name == b"if-none-match" and answer.matches(value.decode("latin-1")):
                status, headers, body = 304, answer.validators, b""
                break
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        counter, latency = self._series(route, status)
        counter.inc()
        latency.observe(time.perf_counter() - started)

    def _series(self, route: str, status: int):
        """The route's Prometheus children, looked up once (labels() takes a lock each call)."""
        key = (route, status)
        series = self._counters.get(key)
        if series is None:
            series = self._counters[key] = (REQUESTS.labels(route, str(status)),
                                            LATENCY.labels(route))
        return series
