"""Rates, /metrics, the committed OpenAPI spec, and the proof that the read API never calls
Numerai (the simulator's request counter stays put while the routes are hammered)."""

from datetime import UTC, datetime

from agent.config import PROJECT_ROOT
from agent.tournament.simulator.prices import nmr_price
from tests.agent.api.conftest import LISTED_ROUND, SELLER_MODEL


def test_rates_answer_the_newest_day(api, stack):
    got = api.get("/v1/rates", params={"currency": "usd"}).json()
    newest = datetime.fromtimestamp(stack.w3.eth.get_block("latest")["timestamp"], UTC).date()
    assert got["currency"] == "USD" and got["source"] == "simulator"
    assert got["as_of"] == newest.isoformat() and got["price"] == str(nmr_price("USD", newest))
    assert set(got["currencies"]) == {"NMR", "USD", "EUR"}
    assert api.get("/v1/rates?currency=NMR").json()["price"] == "1"


def test_the_api_never_calls_numerai(api, stack):
    simulator = stack.sim.simulator
    user = stack.sim.users[0].account.address
    urls = [f"/v1/users/{user}/payouts", f"/v1/users/{user}/payouts?group=round&currency=USD",
            f"/v1/users/{user}/payouts.csv?currency=EUR", f"/v1/pool/users/{user}",
            f"/v1/pool/users/{user}/positions", "/v1/rates?currency=USD",
            f"/v1/market/book?model={SELLER_MODEL}&round={LISTED_ROUND}", "/v1/market/orders",
            "/metrics"]
    before = simulator.requests
    for url in urls:
        assert api.get(url).status_code == 200, url
    for _ in range(100):  # hammer the payouts
        assert api.get(urls[1 + _ % 2]).status_code == 200
    assert simulator.requests == before
    # ... and the counter does count: one numerapi call moves it.
    from agent.tournament.client import NumeraiClient

    NumeraiClient(stack.sim.server.url).current_round()
    assert simulator.requests == before + 1


def test_metrics_in_prometheus_text_format(api, stack):
    user = stack.sim.users[0].account.address
    api.get(f"/v1/users/{user}/payouts")
    api.get("/v1/users/0x1/payouts")
    text = api.get("/metrics")
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    body = text.text
    assert 'nmrx_api_requests_total{route="/v1/users/{address}/payouts",status="200"}' in body
    assert 'status="422"' in body
    assert "nmrx_api_request_seconds_bucket" in body
    claims = len(stack.contracts.pool.events.RoundClaimed().get_logs(from_block=0))
    assert f"nmrx_read_claims {float(claims)}" in body
    assert 'nmrx_jobs{state="confirmed"}' in body or api.store_kind == "postgresql"
    assert 'nmrx_rate_age_seconds{currency="USD"}' in body
    assert "nmrx_store_up 1.0" in body


def test_openapi_is_committed_and_fresh():
    """Fails when a route changed and docs/openapi.json was not regenerated."""
    from scripts.openapi import main, render

    assert main(["--check"]) == 0, "docs/openapi.json is stale: run python scripts/openapi.py"

    spec = (PROJECT_ROOT / "docs" / "openapi.json").read_text()
    assert spec == render()
    for path in ["/v1/users/{address}/payouts", "/v1/users/{address}/payouts.csv", "/v1/rates",
                 "/v1/pool/users/{address}", "/v1/pool/users/{address}/positions",
                 "/v1/market/book", "/v1/market/listings", "/v1/market/bids",
                 "/v1/market/orders", "/v1/market/orders/{order_id}",
                 "/v1/market/orders/{order_id}/evidence", "/v1/market/sellers/{address}/reputation",
                 "/metrics"]:
        assert f'"{path}"' in spec, path


def test_the_app_indexes_and_refreshes_on_its_own(stack, tmp_path):
    """`make run`'s path: the app's lifespan builds the read model on the configured store, its
    thread follows the chain (source api:<chain>) and runs the rates and round-calendar jobs from
    the simulator; the answers match the chain once caught up."""
    import time

    from fastapi.testclient import TestClient

    from agent.api.deps import Service
    from agent.api.main import create_app
    from agent.config import Settings
    from agent.readmodel.tables import round_times

    settings = Settings(data_dir=tmp_path, simulator_port=stack.sim.server.port,
                        confirmation_depth=0, poll_interval=0.2)
    app = create_app(Service(settings, stack.w3, stack.deployments,
                             stack.contracts.operator.address))
    user = stack.sim.users[1].account.address
    claims = [e for e in stack.contracts.pool.events.RoundClaimed().get_logs(from_block=0)
              if "0x" + e["args"]["model"].hex().removeprefix("0x") in stack.sim.users[1].models]
    with TestClient(app) as client:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            rates = client.get("/v1/rates?currency=GBP")
            got = client.get(f"/v1/users/{user}/payouts?currency=GBP").json()
            if rates.status_code == 200 and got.get("totals", {}).get("claims") == len(claims):
                break
            time.sleep(0.3)
        assert rates.status_code == 200, rates.text
        assert got["totals"]["claims"] == len(claims) and got["totals"]["value"] is not None
        read = app.state.read
        assert read.store.url == f"sqlite:///{tmp_path / 'agent.db'}"
        with read.store.engine.connect() as c:
            assert c.execute(round_times.select()).first() is not None
    assert read._stop.is_set()  # the lifespan stopped the thread


def test_rates_refresh_is_idempotent_and_all_or_nothing(stack, tmp_path):
    from agent.rates import Rates, RatesError, SimulatorPrices
    from agent.store import Store

    store = Store(f"sqlite:///{tmp_path / 'rates.db'}").migrate()
    rates = Rates(store)
    source = SimulatorPrices(stack.sim.server.url)
    try:
        rates.refresh(source, ["USD", "XYZ"], days=5)
    except RatesError as exc:
        assert "XYZ" in str(exc)
    else:
        raise AssertionError("an unknown currency must fail the refresh")
    assert rates.currencies() == []  # nothing half-written
    assert rates.refresh(source, ["USD"], days=5) == 5
    assert rates.refresh(source, ["USD"], days=7) == 2  # only the new days
    assert SimulatorPrices("http://127.0.0.1:8849").name == "simulator"
    try:
        rates.refresh(SimulatorPrices("http://127.0.0.1:8849", timeout=1), ["USD"])
    except RatesError as exc:
        assert "does not answer" in str(exc)
    else:
        raise AssertionError("a dead source must fail the refresh")
    store.dispose()
