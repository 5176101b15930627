"""schemathesis against the API's OpenAPI spec: at least 1,000 generated requests, 0 server
errors. The committed spec (docs/openapi.json) when it exists, else the app's live one.

schemathesis needs a newer hypothesis than brownie pins, so it runs from the tools environment
(.venv-tools, requirements-tools.lock) as a CLI, against the app under a real uvicorn in this
process on a seeded store (a webhook, notifications, a failed delivery, a funded pool user with
a relayed policy), with the chain of the test session and the tournament simulator behind it.
One worker: with two, Python 3.11.7's parser trips over hypothesis' concurrent lambda
descriptions ("AST constructor recursion depth mismatch"). The SSE stream (GET /v1/events) never
ends, so it is left out here and tested by test_notify.py."""

import json
import subprocess
import time

from eth_account import Account
from sqlalchemy import insert

from agent.config import PROJECT_ROOT
from agent.notify import Notifier
from agent.readmodel.service import ReadModel
from agent.store.schema import deliveries

# Order ids as the `deliveries` table keeps them (integers, or decimal strings since ids are
# 256-bit): whichever its column holds.
ORDER = deliveries.c.order_id.type.python_type

from .conftest import NMR, fund, local
from .test_notify import Api

PORT = 8854
SCHEMATHESIS = PROJECT_ROOT / ".venv-tools" / "bin" / "schemathesis"
SPEC = PROJECT_ROOT / "docs" / "openapi.json"
MIN_CASES = 1_000


def seed(s, alice, nmr, pool, models):
    fund(nmr, pool, alice, 5 * NMR)
    owner = Account.create()
    hook = s.client.post("/v1/webhooks", json=s.signed(owner, "webhooks.create", {
        "url": "http://127.0.0.1:9/unreachable", "kinds": ["*"],
        "secret": "seeded webhook secret"}))
    assert hook.status_code == 201, hook.text
    now = time.time()
    with s.store.begin() as c:
        c.execute(insert(deliveries).values(
            chain_id=s.chain_id, market="0x" + "cc" * 20, order_id=ORDER(1), mode="file", round=1,
            model_id=models[0], seller=owner.address, buyer=alice.address, state="failed",
            reason="seed", created_at=now, updated_at=now))
    r = s.client.post("/v1/pool/policies", json=s.sign_policy(local(alice), models[0], NMR, 0))
    assert r.status_code == 202, r.text
    s.send_all()
    assert Notifier(s.store).poll() >= 2


def test_schemathesis_finds_no_server_error(stack_for, sqlite_url, alice, nmr, pool, models,
                                            with_ownership, tmp_path):
    s = stack_for(sqlite_url)
    with_ownership(s)
    s.app.state.read = ReadModel(s.app.state.service, s.store, min_interval=0)
    seed(s, alice, nmr, pool, models)
    report = tmp_path / "schemathesis.json"
    with Api(s.app, PORT) as api:
        spec = str(SPEC) if SPEC.exists() else f"{api.url}/openapi.json"
        started = time.monotonic()
        run = subprocess.run(
            [str(SCHEMATHESIS), "run", spec, "--url", api.url,
             "--checks", "not_a_server_error", "--max-examples", "15", "--seed", "13",
             "--phases", "examples,coverage,fuzzing", "--exclude-path", "/v1/events",
             "--request-timeout", "20", "--workers", "1", "--no-shrink",
             "--report", "json", "--report-json-path", str(report)],
            capture_output=True, text=True, timeout=300, cwd=tmp_path,
        )
        took = time.monotonic() - started
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-6000:]
    summary = json.loads(report.read_text())
    cases = summary["test_cases"]
    print(f"schemathesis: {cases['generated']} cases in {took:.1f} s, {summary['operations']}")
    assert summary["complete"] and summary["exit_code"] == 0, out[-6000:]
    assert cases["generated"] >= MIN_CASES, (cases, out[-3000:])
    assert cases["with_failures"] == 0 and cases["errored"] == 0, out[-6000:]
    assert not summary["failures"] and not summary["errors"], out[-6000:]
    assert summary["operations"]["errored"] == 0
    assert took < 90, f"schemathesis took {took:.0f} s; keep it under 90 s"
