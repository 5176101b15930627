"""The store on SQLite and PostgreSQL: migrations, idempotent jobs, states, cursors."""

import threading

import pytest
from sqlalchemy import inspect

from agent.store import CONFIRMED, FAILED, PLANNED, SENT, Store, StoreError


def test_migrations_create_the_tables_and_rerun_as_no_op(store):
    store.migrate()
    assert {"jobs", "cursors", "events", "leases", "alembic_version"} <= set(inspect(store.engine).get_table_names())


def test_planning_a_key_twice_returns_the_first_job(store):
    first = store.plan("claim:1:0xpool:m1:7", "claim", {"round": 7})
    again = store.plan("claim:1:0xpool:m1:7", "claim", {"round": 8})
    assert again.id == first.id
    assert again.payload == {"round": 7}
    assert store.job_counts() == {PLANNED: 1}


def test_concurrent_planners_on_separate_connections_make_one_row_per_key(store_url, store):
    # Two Store objects = two engines, as two replicas would have.
    stores = [store, Store(store_url)]
    ids: dict[str, set[int]] = {f"k{i}": set() for i in range(20)}
    barrier = threading.Barrier(8)

    def plan(n):
        barrier.wait()
        for key in ids:
            ids[key].add(stores[n % 2].plan(key, "tx", {"by": n}).id)

    threads = [threading.Thread(target=plan, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(len(v) == 1 for v in ids.values())
    assert store.job_counts() == {PLANNED: 20}
    stores[1].dispose()


def test_plan_many_counts_only_new_keys(store):
    assert store.plan_many([("a", "tx", {}), ("b", "tx", {})]) == 2
    assert store.plan_many([("a", "tx", {}), ("c", "tx", {})]) == 1


def test_jobs_move_planned_sent_confirmed_and_terminal_states_stick(store):
    job = store.plan("k", "tx", {})
    with store.begin() as conn:
        assert store.mark_sent(conn, job.id, sender="0xabc", nonce=4, tx_hash="0x1", tx_hashes=["0x1"], raw_tx="0x")
        assert not store.mark_sent(conn, job.id, sender="0xabc", nonce=5)
    store.finish(job.id, CONFIRMED, tx_hash="0x1", block_number=9)
    store.finish(job.id, FAILED, reason="late")
    done = store.job("k")
    assert (done.state, done.nonce, done.block_number, done.reason, done.attempts) == (CONFIRMED, 4, 9, None, 1)
    assert store.max_nonce("0xabc") == 4


def test_sent_jobs_are_listed_in_nonce_order(store):
    for i, nonce in enumerate([7, 5, 6]):
        job = store.plan(f"k{i}", "tx", {})
        with store.begin() as conn:
            store.mark_sent(conn, job.id, sender="0xabc", nonce=nonce)
    assert [j.nonce for j in store.jobs(SENT, sender="0xabc")] == [5, 6, 7]


def test_cursor_upserts(store):
    assert store.cursor("w") is None
    store.set_cursor("w", 10)
    store.set_cursor("w", 12)
    assert store.cursors() == {"w": 12}


def test_unreachable_postgres_is_one_clear_message():
    store = Store("postgresql://nobody@127.0.0.1:9/nmrx")
    with pytest.raises(StoreError, match="does not answer"):
        store.check()


def test_unsupported_url_is_refused():
    with pytest.raises(StoreError, match="unsupported store"):
        Store("mysql://localhost/x")
