"""A route class whose request validation errors answer `{"detail": "<one sentence>"}` (422), as
the API contract asks, instead of FastAPI's list of error objects."""

from __future__ import annotations

import time

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from agent.api.views.metrics import LATENCY, REQUESTS


def sentence(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body"))
        parts.append(f"{where or 'request'}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) + "; fix the parameter and retry"


class ReadRoute(APIRoute):
    def get_route_handler(self):
        original = super().get_route_handler()
        path = self.path

        async def handler(request: Request):
            started = time.perf_counter()
            status = 500
            try:
                response = await original(request)
                status = response.status_code
                return response
            except RequestValidationError as exc:
                status = 422
                return JSONResponse({"detail": sentence(exc)}, status_code=422)
            except HTTPException as exc:
                status = exc.status_code
                raise
            finally:
                REQUESTS.labels(path, str(status)).inc()
                LATENCY.labels(path).observe(time.perf_counter() - started)

        return handler
