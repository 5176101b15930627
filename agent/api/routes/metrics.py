"""GET /metrics: Prometheus' text format."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from agent.api.views.metrics import COLLECTOR, REGISTRY
from agent.api.views.params import ReadDep

router = APIRouter(tags=["health"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def metrics(read: ReadDep) -> Response:
    """Request counts and latencies, read model and indexer state, jobs by state, rate ages."""
    COLLECTOR.read = read
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
