"""The service loop (lifecycle, circuit breaker, signals), start-up checks with one clear
message per problem, and the core's fields in GET /health."""

import json
import os
import signal
import threading

import pytest
from eth_account import Account
from fastapi.testclient import TestClient

from agent.api.deps import Service
from agent.api.main import create_app
from agent.chain import ChainError, Deployments
from agent.config import Settings
from agent.keys import KeystoreError
from agent.sender import Sender, call_payload
from agent.service import AgentCore, CircuitOpen, Lifecycle, check_startup
from agent.store import StoreError
from agent.watcher import Source

from .conftest import BUILD, recipient


def test_startup_tasks_and_shutdown_run_in_order_until_stopped():
    life, calls = Lifecycle(), []
    life.on_startup(lambda: calls.append("start"))
    life.on_shutdown(lambda: calls.append("stop"))

    @life.every(0)
    def tick():
        calls.append("tick")
        if calls.count("tick") == 3:
            life.stop("done")

    life.run()
    assert calls == ["start", "tick", "tick", "tick", "stop"]
    assert life.status.stopped_reason == "done"


def test_circuit_breaker_stops_and_reports_after_repeated_failures():
    life, shut = Lifecycle(max_failures=3, backoff=0), []
    life.on_shutdown(lambda: shut.append(True))
    life.every(0, lambda: 1 / 0, name="divide")
    with pytest.raises(CircuitOpen, match="divide failed 3 times in a row"):
        life.run()
    assert shut == [True]
    assert life.status.last_error == "divide: ZeroDivisionError: division by zero"


def test_a_success_resets_the_failure_count():
    life, runs = Lifecycle(max_failures=2, backoff=0), []

    @life.every(0)
    def flaky():
        runs.append(1)
        if len(runs) == 6:
            life.stop("enough")
        if len(runs) % 2:
            raise RuntimeError("every other time")

    life.run()
    assert life.status.stopped_reason == "enough"


def test_sigterm_stops_the_loop_gracefully():
    life, finished = Lifecycle(), []
    life.every(0.01, lambda: None, name="idle")
    life.on_shutdown(lambda: finished.append(True))
    previous = signal.getsignal(signal.SIGTERM)
    threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM)).start()
    life.run()
    assert finished == [True] and life.status.stopped_reason == "signal SIGTERM"
    assert signal.getsignal(signal.SIGTERM) is previous


def test_health_reports_cursor_lag_jobs_pending_and_last_error(w3, store, agent_account, token, nmr, decoder):
    store.plan("t1", "transfer", call_payload(token.functions.transfer(recipient(0), 1)))
    store.plan("t2", "transfer", call_payload(token.functions.transfer(recipient(1), 10**30)))
    sender = Sender(w3, agent_account, store, decoder=decoder)
    core = AgentCore(Settings(confirmation_depth=0), w3, store, sender)
    watcher = core.watch("nmr", Source({token.address: token.abi}), start_block=w3.eth.block_number)
    sender.last_error = "node refused 0xabc"
    watcher.poll()
    client = TestClient(create_app(Service(Settings(), w3, Deployments(w3.eth.chain_id, {}), agent_account.address,
                                           core_health=core.health)))
    body = client.get("/health").json()["core"]
    assert body["cursor_lag"] == {"nmr": 0}
    assert body["jobs_pending"] == 2 and body["last_error"] == "node refused 0xabc" and body["leader"]
    core.send()
    body = client.get("/health").json()["core"]
    assert body["jobs"] == {"confirmed": 1, "failed": 1} and body["jobs_pending"] == 0


# -- start-up checks ----------------------------------------------------------------------------


@pytest.fixture
def deployed(tmp_path, node_url, w3, token):
    """Settings for a well-formed start: keystore + password file, deployments book, SQLite store."""
    account = Account.create()
    (tmp_path / "password").write_text("correct horse\n")
    (tmp_path / "keystore.json").write_text(
        json.dumps(Account.encrypt(account.key, "correct horse", kdf="pbkdf2", iterations=2))
    )
    deployments = tmp_path / "deployments"
    deployments.mkdir()
    (deployments / f"{w3.eth.chain_id}.json").write_text(json.dumps({"contracts": {"NMR": {"address": token.address}}}))
    return Settings(rpc_url=node_url, keystore=tmp_path / "keystore.json", password_file=tmp_path / "password",
                    deployments_dir=deployments, data_dir=tmp_path / "data", build_dir=BUILD)


def test_a_good_start_opens_and_migrates_the_default_store(deployed):
    checked = check_startup(deployed)
    assert checked.store.cursors() == {}
    assert (deployed.data_dir / "agent.db").exists()


def test_missing_keystore_is_named(deployed, tmp_path):
    with pytest.raises(KeystoreError, match="does not exist; set NMRX_KEYSTORE"):
        check_startup(Settings(**{**deployed.__dict__, "keystore": tmp_path / "nope.json"}))


def test_wrong_password_is_named(deployed, tmp_path):
    (tmp_path / "password").write_text("wrong\n")
    with pytest.raises(KeystoreError, match="does not open"):
        check_startup(deployed)


def test_unreachable_rpc_is_named(deployed):
    with pytest.raises(ChainError, match="no Ethereum node answers at http://127.0.0.1:9"):
        check_startup(Settings(**{**deployed.__dict__, "rpc_url": "http://127.0.0.1:9", "rpc_timeout": 2.0}))


def test_contracts_not_deployed_on_that_chain_are_named(deployed, tmp_path):
    for book in deployed.deployments_dir.iterdir():
        book.write_text(json.dumps({"contracts": {"NMR": {"address": recipient(3)}}}))
    with pytest.raises(ChainError, match="NMR is not deployed on chain"):
        check_startup(deployed)


def test_unreachable_store_is_named(deployed):
    with pytest.raises(StoreError, match="does not answer"):
        check_startup(Settings(**{**deployed.__dict__, "store_url": "postgresql://nobody@127.0.0.1:9/nmrx"}))
