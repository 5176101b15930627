"""RPC faults between the agent and the node (late answers, 502s, connections dropped before and
after the node acted, refused wide log ranges): sends are retried or re-checked, the watcher
resumes, and nothing is lost or done twice."""

import requests

import pytest

from agent.sender import SendError, Sender, call_payload, connect
from agent.store import CONFIRMED, PENDING, Store
from agent.watcher import Source, Watcher

from .conftest import recipient
from .faultproxy import FaultProxy

UNIT = 10**16
KINDS = ["5xx", "drop", "drop_after", "timeout"]


def every_ninth(n, method):
    return KINDS[(n // 9) % len(KINDS)] if n % 9 == 0 else None


@pytest.fixture
def store(tmp_path):
    """Faults are between agent and node: one store backend is enough here (SQLite)."""
    s = Store(f"sqlite:///{tmp_path / 'agent.db'}").migrate()
    yield s
    s.dispose()


def test_faulty_rpc_loses_nothing_and_repeats_nothing(node_url, w3, store, agent_account, token, decoder):
    start = w3.eth.block_number + 1
    count = 30
    for i in range(count):
        store.plan(f"transfer:{i}", "transfer", call_payload(token.functions.transfer(recipient(i), (i + 1) * UNIT)))
    with FaultProxy(node_url, schedule=every_ninth, max_log_range=5, delay=0.8) as proxy:
        flaky = connect(proxy.url, timeout=0.5, retries=4, backoff=0.05)
        sender = Sender(flaky, agent_account, store, decoder=decoder)
        watcher = Watcher(flaky, store, "nmr", Source({token.address: token.abi}, names={"Transfer"}),
                          start_block=start, confirmations=0, max_range=50)
        for _ in range(200):
            try:
                sender.run_once(batch_size=10)
                watcher.poll()
            except (requests.RequestException, SendError):
                sender.recover()  # whatever was in flight is re-checked by hash, never re-signed
            counts = store.job_counts()
            if not any(counts.get(s) for s in PENDING) and watcher.cursor >= w3.eth.block_number:
                break
        faults = dict(proxy.faults)
    assert set(faults) == set(KINDS) and proxy.refused_ranges > 0
    assert store.job_counts() == {CONFIRMED: count}
    assert [token.functions.balanceOf(recipient(i)).call() for i in range(count)] == [(i + 1) * UNIT for i in range(count)]
    assert w3.eth.get_transaction_count(agent_account.address) == count
    transfer = w3.keccak(text="Transfer(address,address,uint256)")
    logs = w3.eth.get_logs({"fromBlock": start, "toBlock": "latest", "address": token.address, "topics": [transfer]})
    assert sorted((e["block_hash"], e["log_index"]) for e in store.events("nmr")) == sorted(
        (entry["blockHash"].to_0x_hex(), entry["logIndex"]) for entry in logs
    )
