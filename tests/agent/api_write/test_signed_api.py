"""The API's own signed requests (EIP-712 `Request` with a one-time nonce): webhooks and the
ownership flow, each refused with a one-sentence 4xx when forged, replayed, expired, signed for
another chain or malformed, and then nothing is written."""

import time
import pytest
from eth_account import Account
from sqlalchemy import func, select

from agent.notify.schema import api_nonces, webhooks
from agent.store import CONFIRMED

HOOK = {"url": "http://127.0.0.1:8852/hook", "kinds": ["claim", "policy.applied"],
        "secret": "correct horse battery staple"}


def count_hooks(stack) -> int:
    with stack.store.engine.connect() as c:
        return c.execute(select(func.count()).select_from(webhooks)).scalar()


def test_domain_and_nonces(stack_for, sqlite_url):
    s = stack_for(sqlite_url)
    domain = s.client.get("/v1/auth/domain").json()
    assert domain["chain_id"] == s.chain_id
    assert domain["api"]["domain"]["verifyingContract"] == s.writes.verifying_contract
    assert domain["pool"]["SetPolicy"]["domain"]["verifyingContract"] == s.pool.address
    user = Account.create()
    first, second = s.nonce(user), s.nonce(user)
    assert first != second
    bad = s.client.get("/v1/auth/nonce", params={"address": "0x123"})
    assert bad.status_code == 422 and "address" in bad.json()["detail"]


def test_webhook_writes_are_signed_and_refused_when_forged_replayed_expired_or_wrong_chain(
    stack_for, store_url
):
    s = stack_for(store_url)
    owner, other = Account.create(), Account.create()

    def refused(body, status, words, path="/v1/webhooks"):
        r = s.client.post(path, json=body)
        assert r.status_code == status, r.text
        assert isinstance(r.json()["detail"], str) and words in r.json()["detail"]
        assert count_hooks(s) == 0

    # forged: other signs with a nonce issued to owner
    refused(s.signed(other, "webhooks.create", HOOK, nonce=s.nonce(owner)), 401,
            f"not from {owner.address}")
    # tampered after signing
    body = s.signed(owner, "webhooks.create", HOOK)
    refused({**body, "params": {**HOOK, "url": "http://127.0.0.1:9/evil"}}, 401, "not from")
    # expired, and too far ahead
    refused(s.signed(owner, "webhooks.create", HOOK, expiry=int(time.time()) - 1), 401,
            "expired")
    refused(s.signed(owner, "webhooks.create", HOOK, expiry=int(time.time()) + 10**6), 400,
            "within the hour")
    # another chain
    refused(s.signed(owner, "webhooks.create", HOOK, chain_id=1), 400, "chain 1")
    # a nonce this API never issued
    refused(s.signed(owner, "webhooks.create", HOOK, nonce="0x" + "ab" * 16), 401,
            "not issued")
    # bad input
    refused(s.signed(owner, "webhooks.create", {**HOOK, "url": "ftp://x"}), 422, "url")
    refused(s.signed(owner, "webhooks.create", {**HOOK, "kinds": ["nope"]}), 422, "nope")
    refused(s.signed(owner, "webhooks.create", {**HOOK, "secret": "short"}), 422, "secret")
    # signed as another action (a delete's signature cannot create)
    wrong = s.signed(owner, "webhooks.delete", HOOK)
    refused(wrong, 401, "not from")

    created = s.client.post("/v1/webhooks", json=body)
    assert created.status_code == 201, created.text
    hook = created.json()
    assert hook["owner"] == owner.address and "secret" not in hook
    assert "correct horse" not in created.text
    replay = s.client.post("/v1/webhooks", json=body)
    assert replay.status_code == 409 and "already used" in replay.json()["detail"]
    assert count_hooks(s) == 1

    listed = s.client.get("/v1/webhooks", params={"owner": owner.address}).json()
    assert [h["id"] for h in listed["items"]] == [hook["id"]] and listed["next_cursor"] is None
    assert "correct horse" not in str(listed)
    log = s.client.get(f"/v1/webhooks/{hook['id']}/deliveries").json()
    assert log == {"items": [], "next_cursor": None}
    for cursor in ("²", "-1", "x" * 30):  # (schemathesis found "²" passing str.isdigit)
        bad = s.client.get("/v1/webhooks", params={"owner": owner.address, "cursor": cursor})
        assert bad.status_code in (400, 422) and "cursor" in bad.json()["detail"]

    # delete: only the owner, once
    def delete(account, **kw):
        signed = s.signed(account, "webhooks.delete", {"id": hook["id"]}, **kw)
        params = {k: signed[k] for k in ("nonce", "expiry", "chain_id", "signature")}
        return s.client.delete(f"/v1/webhooks/{hook['id']}", params=params)

    not_owner = delete(other)
    assert not_owner.status_code == 403 and "belongs to" in not_owner.json()["detail"]
    assert delete(owner, chain_id=1).status_code == 400
    gone = delete(owner)
    assert gone.status_code == 200 and gone.json()["deleted_at"] is not None
    again = delete(owner)
    assert again.status_code == 404
    assert s.client.get("/v1/webhooks", params={"owner": owner.address}).json()["items"] == []
    assert s.client.get("/v1/webhooks/wh_" + "0" * 24 + "/deliveries").status_code == 404
    assert s.client.get("/v1/webhooks/nope/deliveries").status_code == 422


@pytest.fixture
def ownership_stack(stack_for, sqlite_url, with_ownership):
    s = stack_for(sqlite_url)
    registry, owner_api = with_ownership(s)
    return s, registry, owner_api


def test_ownership_flow_over_signed_requests(ownership_stack):
    s, registry, owner_api = ownership_stack
    wallet, stranger = Account.create(), Account.create()
    name = sorted(owner_api.get_models())[0]

    unknown = s.client.post("/v1/ownership/start",
                            json=s.signed(wallet, "ownership.start", {"model": "no_such_model"}))
    assert unknown.status_code == 404 and "unknown model" in unknown.json()["detail"]
    early = s.client.post("/v1/ownership/check",
                          json=s.signed(wallet, "ownership.check", {"model": name}))
    assert early.status_code == 409 and "start first" in early.json()["detail"]

    body = s.signed(wallet, "ownership.start", {"model": name})
    started = s.client.post("/v1/ownership/start", json=body)
    assert started.status_code == 200, started.text
    code = started.json()["code"]
    assert started.json()["wallet"] == wallet.address and code in started.json()["instructions"]
    assert s.client.post("/v1/ownership/start", json=body).status_code == 409  # replay

    # A code in the bio verifies the signer, never an address the client names.
    assert owner_api.set_bio(owner_api.get_models()[name], f"hi {code}")
    forged = s.signed(stranger, "ownership.check", {"model": name}, nonce=s.nonce(wallet))
    assert s.client.post("/v1/ownership/check", json=forged).status_code == 401
    checked = s.client.post("/v1/ownership/check",
                            json=s.signed(wallet, "ownership.check", {"model": name}))
    assert checked.status_code == 200, checked.text
    jobs = checked.json()["jobs"]
    assert [j["kind"] for j in jobs] == ["registry-attest"]
    s.send_all()
    model_id = checked.json()["model_id"]
    assert registry.functions.ownerOf(bytes.fromhex(model_id[2:])).call() == wallet.address
    assert s.store.job(jobs[0]["key"]).state == CONFIRMED

    refused = s.client.post("/v1/ownership/release",
                            json=s.signed(stranger, "ownership.release", {"model": name}))
    assert refused.status_code == 403 and "not the verified owner" in refused.json()["detail"]
    released = s.client.post("/v1/ownership/release",
                             json=s.signed(wallet, "ownership.release", {"model": name}))
    assert released.status_code == 200 and released.json()["jobs"][0]["kind"] == "registry-revoke"
    s.send_all()
    assert int(registry.functions.ownerOf(bytes.fromhex(model_id[2:])).call(), 16) == 0

    # Only the three requests that did something spent their nonces: the refused ones (unknown
    # model, check before start, the stranger's release) gave theirs back.
    with s.store.engine.connect() as c:
        spent = c.execute(select(func.count()).select_from(api_nonces)
                          .where(api_nonces.c.used_at.is_not(None))).scalar()
    assert spent == 3
