"""Crash safety: an agent process SIGKILLed at random points while sending 200 transfers, then
restarted, 10 times; on chain, each transfer happened exactly once."""

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from agent.config import PROJECT_ROOT
from agent.store import CONFIRMED, SENT, Store

from .conftest import BUILD, recipient

UNIT = 10**16  # 0.01 NMR: 200 transfers stay within the agent's 10,000 NMR
COUNT = 200
KILLS = 10


def spawn(env_extra, log):
    env = {**os.environ, "BUILD_DIR": str(BUILD), "PYTHONPATH": str(PROJECT_ROOT), **env_extra}
    return subprocess.Popen([sys.executable, "-m", "tests.agent.core.agent_proc"], cwd=PROJECT_ROOT, env=env,
                            stdout=log, stderr=log)


def progress(store):
    counts = store.job_counts()
    return counts.get(SENT, 0) + counts.get(CONFIRMED, 0)


def assert_each_transfer_once(w3, token, store, agent_address):
    assert [token.functions.balanceOf(recipient(i)).call() for i in range(COUNT)] == [
        (i + 1) * UNIT for i in range(COUNT)
    ]
    transfer = w3.keccak(text="Transfer(address,address,uint256)")
    sender_topic = "0x" + "00" * 12 + agent_address[2:].lower()
    logs = w3.eth.get_logs({"fromBlock": 0, "toBlock": "latest", "address": token.address,
                            "topics": [transfer, sender_topic]})
    assert len(logs) == COUNT
    transfers = [j for j in store.jobs() if j.kind == "transfer"]
    assert len(transfers) == COUNT and all(j.state == CONFIRMED for j in transfers)


def test_sigkill_at_random_points_then_restart_sends_every_transfer_exactly_once(
    store_url, node_url, w3, agent_account, token, tmp_path
):
    rng = random.Random(11)
    env = {"STORE_URL": store_url, "RPC_URL": node_url, "AGENT_KEY": agent_account.key.hex(),
           "TOKEN": token.address, "COUNT": str(COUNT), "BATCH": "8"}
    store = Store(store_url).migrate()
    log = open(tmp_path / "agents.log", "ab")
    kills = 0
    for _ in range(KILLS):
        before = progress(store)
        target = before + rng.randint(1, 8)
        proc = spawn(env, log)
        while proc.poll() is None and progress(store) < target:
            time.sleep(0.01)
        time.sleep(rng.random() * 0.03)  # land anywhere: mid-record, mid-broadcast, mid-confirm
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    final = spawn(env, log)
    assert final.wait(timeout=120) == 0, (tmp_path / "agents.log").read_text()[-3000:]
    assert kills == KILLS
    assert_each_transfer_once(w3, token, store, agent_account.address)
    store.dispose()
