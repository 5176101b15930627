"""The leader lease on SQLite and PostgreSQL: one holder, takeover after lapse with a higher
epoch, and fencing that refuses a stale leader's send."""

import pytest
from sqlalchemy import update

from agent.lease import Lease
from agent.sender import Sender, call_payload
from agent.store import PLANNED, LeaseLost, leases

from .conftest import recipient


def lapse(store):
    """Let the lease run out now (instead of waiting a period)."""
    with store.begin() as conn:
        conn.execute(update(leases).values(expires_at=0.0))


def test_one_holder_at_a_time_and_renewal_keeps_the_epoch(store):
    a, b = Lease(store, holder="a"), Lease(store, holder="b")
    assert a.acquire() and a.epoch == 1
    assert not b.acquire()
    assert a.acquire() and a.epoch == 1
    assert a.holder_now()[:2] == ("a", 1)


def test_a_lapsed_lease_is_taken_over_with_a_higher_epoch(store):
    a, b = Lease(store, holder="a"), Lease(store, holder="b")
    a.acquire()
    lapse(store)
    assert b.acquire() and b.epoch == 2
    assert not a.acquire() and a.epoch is None


def test_release_hands_over_at_once(store):
    a, b = Lease(store, holder="a"), Lease(store, holder="b")
    a.acquire()
    a.release()
    assert b.acquire() and b.epoch == 2


def test_a_stale_leader_cannot_send(store, w3, agent_account, token, decoder):
    stale, fresh = Lease(store, holder="stale"), Lease(store, holder="fresh")
    stale.acquire()
    lapse(store)
    fresh.acquire()
    store.plan("t", "transfer", call_payload(token.functions.transfer(recipient(0), 1)))
    sender = Sender(w3, agent_account, store, decoder=decoder, lease=stale)
    with pytest.raises(LeaseLost, match="no longer held by stale"):
        sender.submit(store.jobs())
    assert store.job("t").state == PLANNED
    assert w3.eth.get_transaction_count(agent_account.address, "pending") == 0
