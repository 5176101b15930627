"""POST /v1/pool/{policies,allocations,withdrawals}: signed pool messages relayed by the agent,
on a real ganache, with every way a signature can be wrong refused before anything is planned."""

from web3 import HTTPProvider

from agent.notify import Notifier, pool_owners
from agent.notify.schema import notifications
from agent.store import CONFIRMED
from agent.staking import sign_pool_message

from .conftest import FAR, NMR, fund, local


def relay_jobs(stack):
    return [j for j in stack.store.jobs() if j.kind.startswith(("relay", "withdrawal"))]


def test_signed_policy_change_is_relayed_and_applied_on_chain(stack_for, store_url, models,
                                                               alice, pool):
    s = stack_for(store_url)
    a, _b = models
    body = s.sign_policy(local(alice), a, 7 * NMR, 1)
    r = s.client.post("/v1/pool/policies", json=body)
    assert r.status_code == 202, r.text
    job = s.store.job(r.json()["job_key"])
    assert job.kind == "relay-policy" and job.payload["owner"] == alice.address
    s.send_all()
    assert s.store.job(job.key).state == CONFIRMED
    view = pool.balancesOf([], [a])[1][0]
    assert (view[0], view[3], view[4]) == (alice.address, 7 * NMR, 1)

    # The same signed message again: its nonce is spent on chain, so it is a replay.
    again = s.client.post("/v1/pool/policies", json=body)
    assert again.status_code == 409 and "already used" in again.json()["detail"]

    # The applied change is a notification for alice (derived from the confirmed job).
    Notifier(s.store, owners=pool_owners(s.pool)).poll()
    with s.store.engine.connect() as c:
        rows = c.execute(notifications.select()).all()
    applied = [n for n in rows if n.kind == "policy.applied"]
    assert len(applied) == 1 and applied[0].addresses == [alice.address.lower()]


def test_bad_and_badly_signed_policies_are_refused_with_nothing_planned(
    stack_for, sqlite_url, models, alice, bob
):
    s = stack_for(sqlite_url)
    a, _b = models
    key = local(alice)

    def refused(body, status, words):
        r = s.client.post("/v1/pool/policies", json=body)
        assert r.status_code == status, r.text
        detail = r.json()["detail"]
        assert isinstance(detail, str) and words in detail, detail
        assert relay_jobs(s) == []

    good = s.sign_policy(key, a, 5 * NMR, 0)
    # forged: bob signs a message that names alice as the owner
    refused(s.sign_policy(local(bob), a, 5 * NMR, 0, owner=alice.address), 401,
            f"not {alice.address}'s")
    # tampered: alice's signature over 5 NMR, sent as 6 NMR
    refused({**good, "per_round": 6 * NMR}, 401, "not")
    # expired (chain time)
    refused(s.sign_policy(key, a, 5 * NMR, 0, deadline=1_000), 401, "expired")
    # signed for another chain
    refused(s.sign_policy(key, a, 5 * NMR, 0, chain_id=1), 400, "chain 1")
    # a nonce the pool has not reached
    refused(s.sign_policy(key, a, 5 * NMR, 0, nonce=9), 400, "current nonce")
    # bad input: one sentence, 422
    refused({**good, "mode": 5}, 422, "mode")
    refused({**good, "model": "0x1234"}, 422, "model")
    refused({**good, "signature": "0xzz"}, 422, "signature")
    refused({k: v for k, v in good.items() if k != "owner"}, 422, "owner")

    first = s.client.post("/v1/pool/policies", json=good)
    assert first.status_code == 202
    # replayed before it was even sent: one job, and the replay is told so
    second = s.client.post("/v1/pool/policies", json=good)
    assert second.status_code == 409 and "already submitted" in second.json()["detail"]
    assert len(relay_jobs(s)) == 1

    # The chain stops answering: a 503 that says so, nothing planned.
    body = s.sign_policy(key, a, 4 * NMR, 0)
    provider = s.w3.provider
    s.w3.provider = HTTPProvider("http://127.0.0.1:9", request_kwargs={"timeout": 2})
    try:
        down = s.client.post("/v1/pool/policies", json=body)
    finally:
        s.w3.provider = provider
    assert down.status_code == 503 and "does not answer" in down.json()["detail"]
    assert len(relay_jobs(s)) == 1


def test_signed_allocation_is_relayed_and_a_bad_one_refused(stack_for, sqlite_url, models,
                                                             alice, pool):
    s = stack_for(sqlite_url)
    a, _b = models
    key = local(alice)
    nonce = s.pool_nonce(alice)[0]

    def body(targets):
        message = {"owner": alice.address, "model": bytes.fromhex(a[2:]),
                   "targets": [{"kind": k, "model": bytes.fromhex(m[2:]), "bps": p}
                               for k, m, p in targets],
                   "nonce": nonce, "deadline": FAR}
        sig = sign_pool_message(key.key, s.chain_id, s.pool.address, "SetAllocation", message)
        return {"chain_id": s.chain_id, "owner": alice.address, "model": a, "nonce": nonce,
                "deadline": FAR, "signature": sig,
                "targets": [{"kind": k, "model": m, "bps": p} for k, m, p in targets]}

    zero = "0x" + "00" * 32
    bad = s.client.post("/v1/pool/allocations", json=body([(1, zero, 6000), (2, zero, 3000)]))
    assert bad.status_code == 400 and "10,000" in bad.json()["detail"]
    assert relay_jobs(s) == []
    targets = [(1, zero, 6000), (2, zero, 4000)]
    ok = s.client.post("/v1/pool/allocations", json=body(targets))
    assert ok.status_code == 202, ok.text
    s.send_all()
    assert [tuple(t) for t in pool.allocationOf(a)] == targets


def test_signed_free_withdrawal_is_queued_once(stack_for, sqlite_url, alice, nmr, pool):
    s = stack_for(sqlite_url)
    fund(nmr, pool, alice, 10 * NMR)
    key = local(alice)
    wnonce = s.pool_nonce(alice)[1]

    def body(amount, nonce=wnonce):
        message = {"user": alice.address, "amount": amount, "nonce": nonce, "deadline": FAR}
        sig = sign_pool_message(key.key, s.chain_id, s.pool.address, "Withdrawal", message)
        return {"chain_id": s.chain_id, "user": alice.address, "amount": amount,
                "nonce": nonce, "deadline": FAR, "signature": sig}

    too_much = s.client.post("/v1/pool/withdrawals", json=body(11 * NMR))
    assert too_much.status_code == 400 and "liquid" in too_much.json()["detail"]
    zero = s.client.post("/v1/pool/withdrawals", json=body(0))
    assert zero.status_code == 422
    assert relay_jobs(s) == []
    ok = s.client.post("/v1/pool/withdrawals", json=body(4 * NMR))
    assert ok.status_code == 202 and ok.json()["state"] == "queued"
    replay = s.client.post("/v1/pool/withdrawals", json=body(4 * NMR))
    assert replay.status_code == 409
    assert len(relay_jobs(s)) == 1
    # The batch pays it out; the request cannot be replayed after that either.
    assert s.agent.withdrawal_batch() == 1
    s.send_all()
    assert nmr.balanceOf(alice) == 4 * NMR
    after = s.client.post("/v1/pool/withdrawals", json=body(4 * NMR))
    assert after.status_code == 409 and "already used" in after.json()["detail"]

    # alice is told her withdrawal went out (derived from the confirmed batch job).
    Notifier(s.store).poll()
    with s.store.engine.connect() as c:
        told = [n for n in c.execute(notifications.select()).all() if n.kind == "withdrawal.sent"]
    assert len(told) == 1 and told[0].addresses == [alice.address.lower()]
    assert told[0].data["amount"] == str(4 * NMR)
