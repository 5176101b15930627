"""Two agent replicas on one PostgreSQL: one holds the lease and sends; SIGKILL it mid-batch and
the other takes over (a higher lease epoch) and finishes, every transfer exactly once."""

import signal
import time

from sqlalchemy import select

from agent.store import CONFIRMED, Store, leases

from .test_crash import COUNT, assert_each_transfer_once, progress, spawn


def lease_row(store):
    with store.engine.connect() as conn:
        return conn.execute(select(leases).where(leases.c.name == "sender")).first()


def test_leader_sigkilled_mid_batch_the_other_replica_finishes_without_repeats(
    pg_store_url, node_url, w3, agent_account, token, tmp_path
):
    env = {"STORE_URL": pg_store_url, "RPC_URL": node_url, "AGENT_KEY": agent_account.key.hex(),
           "TOKEN": token.address, "COUNT": str(COUNT), "BATCH": "10", "LEASE": "3"}
    store = Store(pg_store_url).migrate()
    log = open(tmp_path / "replicas.log", "ab")
    replicas = {p.pid: p for p in (spawn(env, log), spawn(env, log))}
    while progress(store) < 40 and all(p.poll() is None for p in replicas.values()):
        time.sleep(0.01)
    first = lease_row(store)
    leader = replicas.pop(int(first.holder.removeprefix("pid-")))
    leader.send_signal(signal.SIGKILL)
    leader.wait()
    (survivor,) = replicas.values()
    assert survivor.wait(timeout=120) == 0, (tmp_path / "replicas.log").read_text()[-3000:]
    last = lease_row(store)
    assert last.holder == f"pid-{survivor.pid}" and last.epoch == first.epoch + 1
    assert_each_transfer_once(w3, token, store, agent_account.address)
    senders_epochs = {j.lease_epoch for j in store.jobs(CONFIRMED) if j.kind == "transfer"}
    assert senders_epochs == {first.epoch, last.epoch}  # both leaders sent part of the batch
    store.dispose()
