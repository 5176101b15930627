"""The FastAPI application."""

from fastapi import FastAPI

from agent.api import auth
from agent.api.dashboard import router as dashboard_router
from agent.api.deps import Service
from agent.api.routes import (
    events,
    health,
    market,
    metrics,
    ownership,
    payouts,
    pool,
    rates,
    relay,
    webhooks,
)
from agent.api.views.answers import CachedAnswers


class AgentApp(FastAPI):
    """FastAPI with a front door: a URL a read route answered before, its data unchanged, is
    served from the read model's cache before the middleware stack and routing (the payouts
    question is asked again and again; see agent/api/views/answers.py)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._front_door = CachedAnswers(super().__call__, self.state)

    async def __call__(self, scope, receive, send) -> None:
        await self._front_door(scope, receive, send)


def create_app(service: Service) -> FastAPI:
    app = AgentApp(
        title="nmrx agent",
        description="Payouts, order books and settlement for the Numerai community.",
        version="0.1.0",
        # The API's own metrics are Prometheus (/metrics); FastAPI's native OpenTelemetry hooks
        # would look up the global providers on every request (tens of µs) to find none set.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.service = service
    app.include_router(health.router)
    for read_routes in (payouts, rates, pool, market, metrics):  # the read API (issue #13)
        app.include_router(read_routes.router)
    for write_routes in (auth, relay, ownership, events, webhooks):  # signed writes, notifications
        app.include_router(write_routes.router)
    app.include_router(dashboard_router)  # the dashboard's page and files (/dashboard)
    return app
