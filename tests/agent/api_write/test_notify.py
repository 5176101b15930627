"""Notifications end to end: a running uvicorn serving the app, a real HTTP client reading its
server-sent events, and a real local HTTP receiver getting HMAC-signed webhooks (failing first,
so the delivery is retried with backoff and every attempt is in the delivery log).

What is notified comes from the store only: a relayed policy whose job the Sender confirmed, a
`PolicySet` event a Watcher ingested from the chain, and a delivery the market agent marked
`failed` (a failed auto-submission)."""

import base64
import json
import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import httpx
import pytest
import uvicorn
from eth_account import Account
from sqlalchemy import func, insert, select

from agent.config import Settings
from agent.notify import Notifier, WebhookSender, Worker, pool_owners, serve, verify
from agent.service import AgentCore
from agent.notify.schema import notifications, webhooks
from agent.store.schema import deliveries
from agent.vault import Vault, VaultError

# Order ids as the `deliveries` table keeps them (integers, or decimal strings since ids are
# 256-bit): whichever its column holds.
ORDER = deliveries.c.order_id.type.python_type
from agent.watcher import Source, Watcher

from .conftest import NMR, local

API_PORT = 8853
HOOK_PORT = 8852
SECRET = "a webhook secret of the subscriber"


class Receiver:
    """A local webhook receiver: answers 500 to the first `fail_first` POSTs, then 204."""

    def __init__(self, port: int, fail_first: int = 1):
        self.received: list[tuple[dict, bytes, int]] = []  # (headers, body, status answered)
        self.fail_first = fail_first
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 500 if len(outer.received) < outer.fail_first else 204
                outer.received.append((dict(self.headers), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class Api:
    """The app under a real uvicorn in a thread."""

    def __init__(self, app, port: int):
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                timeout_graceful_shutdown=1)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.time() + 20
        while not self.server.started:
            assert time.time() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


class SseClient:
    """Reads an SSE stream with httpx in a thread; parsed events land in `events`."""

    def __init__(self, url: str, params: dict, headers: dict | None = None):
        self.events: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        self.url, self.params, self.headers = url, params, headers or {}
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.status = None

    def _run(self):
        try:
            self._read()
        except httpx.HTTPError:
            if not self.stop.is_set():  # a stream cut before the test let go of it
                raise

    def _read(self):
        with httpx.Client(timeout=httpx.Timeout(5.0, read=30.0)) as client:
            with client.stream("GET", self.url, params=self.params, headers=self.headers) as r:
                self.status = r.status_code
                self.content_type = r.headers["content-type"]
                event: dict = {}
                for line in r.iter_lines():
                    if self.stop.is_set():
                        return
                    if not line:
                        if "data" in event:
                            self.events.put(event)
                        event = {}
                    elif not line.startswith(":"):
                        field, _, value = line.partition(":")
                        event[field] = value.strip()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()

    def next(self, timeout: float = 20.0) -> dict:
        return self.events.get(timeout=timeout)


def wait_for(predicate, timeout=20.0, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def count(store):
    with store.engine.connect() as c:
        return c.execute(select(func.count()).select_from(notifications)).scalar()


def test_sse_and_signed_webhooks_with_retry(stack_for, store_url, models, alice, bob):
    s = stack_for(store_url)
    a, _b = models
    owner = local(alice)
    notifier = Notifier(s.store, owners=pool_owners(s.pool))
    notifier.poll()  # nothing yet: the stream below starts at what is new
    watcher = Watcher(s.w3, s.store, "pool-settings",
                      Source({s.pool.address: s.pool.abi}, names={"PolicySet"}), confirmations=0)
    sender = WebhookSender(s.store, s.writes.vault, base_delay=0.3, timeout=5)
    with Receiver(HOOK_PORT) as receiver, Api(s.app, API_PORT) as api:
        http = httpx.Client(base_url=api.url, timeout=10)
        hook = http.post("/v1/webhooks", json=s.signed(owner, "webhooks.create", {
            "url": f"http://127.0.0.1:{HOOK_PORT}/nmrx", "kinds": ["*"], "secret": SECRET}))
        assert hook.status_code == 201, hook.text
        hook_id = hook.json()["id"]
        with s.store.engine.connect() as c:  # sealed by the vault, not kept as sent
            assert SECRET not in c.execute(select(webhooks.c.secret)).scalar_one()
        with SseClient(f"{api.url}/v1/events", {"address": alice.address}) as mine, \
                SseClient(f"{api.url}/v1/events", {"address": bob.address}) as bobs:
            worker = Worker(notifier, sender, every=0.2).start()
            try:
                r = http.post("/v1/pool/policies", json=s.sign_policy(owner, a, 3 * NMR, 0))
                assert r.status_code == 202, r.text
                s.send_all()
                first = mine.next()
                assert mine.status == 200 and mine.content_type.startswith("text/event-stream")
                assert first["event"] == "policy.applied"
                data = json.loads(first["data"])
                assert data["data"]["job_key"] == r.json()["job_key"]

                watcher.poll()  # the PolicySet event, from the chain into the store
                second = mine.next()
                assert second["event"] == "policy"
                assert json.loads(second["data"])["data"]["args"]["owner"] == alice.address

                # A failed auto-submission, as the market agent records it.
                now = time.time()
                with s.store.begin() as c:
                    c.execute(insert(deliveries).values(
                        chain_id=s.chain_id, market="0x" + "cc" * 20, order_id=ORDER(7),
                        mode="stake", round=900, model_id=a, seller=bob.address,
                        buyer=alice.address, state="failed", reason="numerai refused the upload",
                        created_at=now, updated_at=now))
                third = mine.next()
                assert third["event"] == "delivery.failed"
                assert json.loads(third["data"])["data"]["reason"] == "numerai refused the upload"
                assert json.loads(third["data"])["data"]["order_id"] == "7"  # as the API gives it
                assert int(first["id"]) < int(second["id"]) < int(third["id"])
                # bob sees the delivery (he is its seller), not alice's policy changes
                assert bobs.next()["event"] == "delivery.failed"
                with pytest.raises(queue.Empty):
                    bobs.next(timeout=0.5)

                # The webhook: three notifications, the first POST answered 500 and retried.
                wait_for(lambda: sum(1 for *_, st in receiver.received if st == 204) == 3,
                         what="three webhook deliveries")
            finally:
                worker.stop()

        headers, body, status = receiver.received[0]
        assert status == 500
        for headers, body, _ in receiver.received:
            assert verify(SECRET, body, headers["X-Nmrx-Signature"])
            assert headers["X-Nmrx-Signature"].startswith("sha256=")
            assert int(headers["X-Nmrx-Timestamp"]) == json.loads(body)["timestamp"]
            assert not verify("another secret", body, headers["X-Nmrx-Signature"])
        kinds = sorted(json.loads(b)["kind"] for _h, b, st in receiver.received if st == 204)
        assert kinds == ["delivery.failed", "policy", "policy.applied"]

        log = http.get(f"/v1/webhooks/{hook_id}/deliveries").json()["items"]
        assert sorted(d["state"] for d in log) == ["delivered"] * 3
        retried = [d for d in log if d["attempts"] == 2]
        assert len(retried) == 1
        attempts = retried[0]["log"]
        assert [a["status"] for a in attempts] == [500, 204]
        assert attempts[1]["at"] - attempts[0]["at"] >= 0.3  # backed off
        assert SECRET not in json.dumps(log)

        # Resuming with Last-Event-ID replays what came after it, nothing before.
        with SseClient(f"{api.url}/v1/events", {"address": alice.address},
                       {"Last-Event-ID": first["id"]}) as resumed:
            assert [resumed.next()["event"], resumed.next()["event"]] == [
                "policy", "delivery.failed"]
        with SseClient(f"{api.url}/v1/events", {"kinds": "delivery.failed", "after": 0}) as only:
            assert only.next()["event"] == "delivery.failed"
            with pytest.raises(queue.Empty):
                only.next(timeout=0.5)
        bad = http.get("/v1/events", params={"kinds": "nonsense"})
        assert bad.status_code == 400 and "unknown notification kind" in bad.json()["detail"]
        http.close()

    # A restarted notifier (fresh cursors from the store) tells nothing twice.
    before = count(s.store)
    assert Notifier(s.store, owners=pool_owners(s.pool)).poll() == 0
    assert count(s.store) == before == 3
    assert WebhookSender(s.store, s.writes.vault).run_once() == 0


def test_webhook_gives_up_after_max_attempts_and_logs_each(stack_for, sqlite_url, alice):
    s = stack_for(sqlite_url)
    owner = Account.create()
    with Receiver(HOOK_PORT + 1, fail_first=100) as receiver:
        hook = s.client.post("/v1/webhooks", json=s.signed(owner, "webhooks.create", {
            "url": f"http://127.0.0.1:{HOOK_PORT + 1}/x", "kinds": ["delivery.failed"],
            "secret": SECRET}))
        now = time.time()
        with s.store.begin() as c:
            c.execute(insert(deliveries).values(
                chain_id=s.chain_id, market="0x" + "cc" * 20, order_id=ORDER(8), mode="file",
                round=1, model_id="0x" + "11" * 32, seller=owner.address, buyer=alice.address,
                state="failed", reason="x", created_at=now, updated_at=now))
        assert Notifier(s.store).poll() == 1
        sender = WebhookSender(s.store, s.writes.vault, base_delay=0.05, max_attempts=3)
        wait_for(lambda: sender.run_once() == 0 and len(receiver.received) == 3, timeout=10,
                 what="three attempts")
        sender.close()
    log = s.client.get(f"/v1/webhooks/{hook.json()['id']}/deliveries").json()["items"]
    assert len(log) == 1 and log[0]["state"] == "failed" and log[0]["attempts"] == 3
    assert [a["status"] for a in log[0]["log"]] == [500, 500, 500]
    assert "answered 500" in log[0]["last_error"]
    failed = s.client.get(f"/v1/webhooks/{hook.json()['id']}/deliveries",
                          params={"state": "delivered"}).json()
    assert failed["items"] == []


def test_webhook_secret_is_sealed_in_the_store(stack_for, tmp_path, alice):
    """The HMAC key never reaches the SQLite file in plaintext (nor its journal), and a sender
    whose vault has another master key fails the delivery instead of posting it unsigned."""
    s = stack_for(f"sqlite:///{tmp_path / 'sealed.db'}")
    owner = Account.create()
    hook = s.client.post("/v1/webhooks", json=s.signed(owner, "webhooks.create", {
        "url": f"http://127.0.0.1:{HOOK_PORT + 2}/x", "kinds": ["*"], "secret": SECRET}))
    assert hook.status_code == 201, hook.text
    with s.store.engine.connect() as c:
        (stored,) = c.execute(select(webhooks.c.secret)).one()
    assert SECRET not in stored
    sealed = base64.b64decode(stored)
    assert s.writes.vault.decrypt_secret(sealed, owner.address, "webhook").reveal() == SECRET
    with pytest.raises(VaultError):  # bound to its owner
        s.writes.vault.decrypt_secret(sealed, alice.address, "webhook")
    s.store.engine.dispose()  # close the connections so everything is in the files
    files = list(tmp_path.glob("sealed.db*"))
    assert files
    for path in files:
        data = path.read_bytes()
        assert SECRET.encode() not in data and SECRET.encode("utf-16-le") not in data

    now = time.time()
    with s.store.begin() as c:
        c.execute(insert(deliveries).values(
            chain_id=s.chain_id, market="0x" + "cc" * 20, order_id=ORDER(9), mode="file",
            round=1, model_id="0x" + "11" * 32, seller=owner.address, buyer=alice.address,
            state="failed", reason="x", created_at=now, updated_at=now))
    assert Notifier(s.store).poll() == 1
    with Receiver(HOOK_PORT + 2) as receiver:
        stranger = WebhookSender(s.store, Vault(bytes(range(100, 132))), base_delay=0.05)
        assert stranger.run_once() == 1
        stranger.close()
        assert receiver.received == []
    (row,) = s.client.get(f"/v1/webhooks/{hook.json()['id']}/deliveries").json()["items"]
    assert row["state"] == "failed" and row["attempts"] == 1
    assert "does not open" in row["last_error"]


def test_webhooks_are_refused_without_a_vault(stack_for, sqlite_url):
    """No plaintext fallback: an agent without a vault does not take webhook secrets."""
    s = stack_for(sqlite_url)
    s.writes.vault = None
    r = s.client.post("/v1/webhooks", json=s.signed(Account.create(), "webhooks.create", {
        "url": "http://127.0.0.1:9/x", "kinds": ["*"], "secret": SECRET}))
    assert r.status_code == 503 and "vault" in r.json()["detail"]
    with s.store.engine.connect() as c:
        assert c.execute(select(func.count()).select_from(webhooks)).scalar() == 0


def test_serve_wires_writes_and_notifications_into_the_agent_core(stack_for, sqlite_url, models,
                                                                   alice, registry):
    """`nmrx run`'s wiring: the core's loop sends the relayed policy and tells alice."""
    s = stack_for(sqlite_url)
    a, _b = models
    s.app.state.writes = None
    settings = Settings(rpc_url=s.w3.provider.endpoint_uri, poll_interval=0.2)
    core = AgentCore(settings, s.w3, s.store, s.sender)
    serve(s.app, core, s.agent, registry=registry.address, every=0.2)
    assert {t.name for t in core.life._tasks} >= {"send", "notify:derive", "notify:webhooks",
                                                   "notify:scores"}
    thread = threading.Thread(target=core.life.run, daemon=True)
    thread.start()
    try:
        r = s.client.post("/v1/pool/policies", json=s.sign_policy(local(alice), a, 2 * NMR, 0))
        assert r.status_code == 202, r.text

        def told():
            with s.store.engine.connect() as c:
                return c.execute(select(notifications).where(
                    notifications.c.kind == "policy.applied")).all()

        (note,) = wait_for(told, what="policy.applied from the core's loop")
        assert note.data["job_key"] == r.json()["job_key"]
    finally:
        core.life.stop("test over")
        thread.join(timeout=10)


def test_nmrx_run_wiring_serves_writes_and_notifies(stack_for, sqlite_url, models, alice,
                                                    registry, pool, staking, nmr, tmp_path):
    """agent.notify.service.start, as `nmrx run` calls it: its own StakingAgent plans the relay
    on the agent's store, the staking agent's Sender sends it, its Worker tells alice."""
    from contextlib import ExitStack

    from agent.chain import Deployments
    from agent.notify import service as notify_service

    s = stack_for(sqlite_url)  # its Sender stands for the staking agent's
    a, _b = models
    s.app.state.writes = None
    settings = Settings(rpc_url=s.w3.provider.endpoint_uri, data_dir=tmp_path / "nmrx",
                        store_url=sqlite_url)
    deployments = Deployments(s.chain_id, {
        "NMR": nmr.address, "ModelRegistry": registry.address, "PayoutPool": pool.address,
        "TournamentStaking": staking.address})
    with ExitStack() as stack:
        writes = notify_service.start(s.app, settings, s.w3, deployments, stack, every=0.2)
        assert s.app.state.writes is writes and writes.ownership is not None
        r = s.client.post("/v1/pool/policies", json=s.sign_policy(local(alice), a, 2 * NMR, 0))
        assert r.status_code == 202, r.text
        s.send_all()

        def told():
            with s.store.engine.connect() as c:
                return c.execute(select(notifications).where(
                    notifications.c.kind == "policy.applied")).all()

        (note,) = wait_for(told, what="policy.applied from the stack's notifier")
        assert note.addresses == [alice.address.lower()]


def test_order_notes_carry_the_order_id_as_a_decimal_string():
    """Order ids are uint256 hashes: a note gives `order_id` as the read API does, a string, small
    or large (a JavaScript number would round the large ones)."""
    big = 2**255 + 1
    for oid in (5, big):
        row = SimpleNamespace(name="OrderSettled", source="market", block_number=1,
                              tx_hash="0x" + "11" * 32, address="0x" + "cc" * 20,
                              block_hash="0x" + "22" * 32, log_index=0,
                              args={"orderId": oid, "seller": "0x" + "aa" * 20, "outcome": 0})
        (note,) = Notifier(None)._from_event(row, {})
        assert note.kind == "order.state" and note.data["order_id"] == str(oid)
        assert json.loads(json.dumps(note.data))["order_id"] == str(oid)
