"""HTTP side of the simulator: the GraphQL endpoint numerapi posts to, the upload/download URLs
it hands out, and a server that runs on a loopback port in a background thread.

Like Numerai, every GraphQL answer is HTTP 200: numerapi only shows a server's message when it
comes as a 200 body with an `errors` list (a 4xx surfaces as `KeyError: 'data'`).
"""

from __future__ import annotations

import logging
import threading

import uvicorn
from ariadne import format_error, graphql_sync
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from agent.tournament.simulator.schema import build_schema
from agent.tournament.simulator.simulator import Simulator
from agent.tournament.simulator.tournament import ApiError

log = logging.getLogger(__name__)
# ariadne logs every error of a request; refusals are answers, not faults: it logs here, muted,
# and `_format_error` logs the unexpected ones.
QUIET_LOGGER = "agent.tournament.simulator.refusals"
# (A level, not `disabled`: uvicorn's logging setup re-enables existing loggers.)
logging.getLogger(QUIET_LOGGER).setLevel(logging.CRITICAL + 1)


def _format_error(error: GraphQLError, debug: bool = False) -> dict:
    original = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    if original is not None and not isinstance(original, ApiError):
        log.error("unexpected error in %s", error.path, exc_info=original)
    return format_error(error, debug)


def create_app(simulator: Simulator, base_url: str) -> Starlette:
    """The ASGI app of `simulator`, whose download/upload URLs start with `base_url`."""
    schema = build_schema()

    def execute(data: dict, authorization: str | None) -> dict:
        simulator.requests += 1  # every GraphQL call, so a test can prove nobody called Numerai
        context = {"simulator": simulator, "authorization": authorization, "base_url": base_url}
        with simulator.lock:
            _, result = graphql_sync(
                schema,
                data,
                context_value=context,
                logger=QUIET_LOGGER,
                error_formatter=_format_error,
            )
            simulator.persist()
        return result

    async def graphql_endpoint(request: Request) -> Response:
        try:
            data = await request.json()
        except ValueError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("query"), str):
            return JSONResponse(
                {"errors": [{"message": "Send a JSON body with a GraphQL 'query'"}]}
            )
        result = await run_in_threadpool(execute, data, request.headers.get("authorization"))
        return JSONResponse(result)

    async def put_upload(request: Request) -> Response:
        content = await request.body()
        with simulator.lock:
            accepted = simulator.tournament.put_upload(request.path_params["key"], content)
        return Response(status_code=200 if accepted else 403)

    async def download(request: Request) -> Response:
        sub = simulator.tournament.downloads.get(request.path_params["key"])
        if sub is None:
            return PlainTextResponse("no such download", status_code=404)
        return Response(sub.content, media_type="text/csv")

    async def live_ids(request: Request) -> Response:
        p = request.path_params
        with simulator.lock:
            content = simulator.tournament.live_csv(
                simulator.tournament.round(p["round"], p["tournament"])
            )
        return Response(content, media_type="text/csv")

    async def info(request: Request) -> Response:
        return PlainTextResponse(
            "nmrx tournament simulator: POST GraphQL here (numerapi.base_api.API_TOURNAMENT_URL)\n"
        )

    routes = [
        Route("/", graphql_endpoint, methods=["POST"]),
        Route("/", info, methods=["GET"]),
        Route("/graphql", graphql_endpoint, methods=["POST"]),
        Route("/uploads/{key}", put_upload, methods=["PUT"]),
        Route("/downloads/{key}", download, methods=["GET"]),
        Route("/datasets/{tournament:int}/{round:int}/live_ids.csv", live_ids, methods=["GET"]),
    ]
    return Starlette(routes=routes)


class SimulatorServer:
    """Serves a `Simulator` on `host:port` (0: any free port) from a daemon thread, and runs its
    daily job every `tick_seconds` (0: never; tests call `simulator.tick()` themselves)."""

    def __init__(
        self,
        simulator: Simulator,
        host: str = "127.0.0.1",
        port: int = 0,
        tick_seconds: float = 5.0,
    ):
        self.simulator = simulator
        self.host = host
        self._config = uvicorn.Config(
            lambda *a: None, host=host, port=port, log_level="warning", lifespan="off"
        )
        self._socket = self._config.bind_socket()
        self.port = self._socket.getsockname()[1]
        self._config.app = create_app(simulator, self.url)
        self._server = uvicorn.Server(self._config)
        self._threads: list[threading.Thread] = []
        self.tick_seconds = tick_seconds

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> SimulatorServer:
        self._socket.listen(self._config.backlog)
        serve = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )
        serve.start()
        self._threads.append(serve)
        if self.tick_seconds:
            ticker = threading.Thread(
                target=self.simulator.run_ticks, args=(self.tick_seconds,), daemon=True
            )
            ticker.start()
            self._threads.append(ticker)
        return self

    def stop(self) -> None:
        self.simulator.stop()
        self._server.should_exit = True
        for thread in self._threads:
            thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
