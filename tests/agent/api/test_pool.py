"""A staker's pool account and open positions, checked against the pool's own views."""

from decimal import Decimal

WEI = Decimal(10) ** 18


def nmr(wei):
    return str((Decimal(wei) / WEI).quantize(Decimal("0.000000000000000001")))


def test_account_matches_the_pool_views(api, stack):
    pool = stack.contracts.pool
    for user in stack.sim.users:
        (uview,), mviews = pool.functions.balancesOf(
            [user.account.address], [bytes.fromhex(m[2:]) for m in user.models]).call()
        got = api.get(f"/v1/pool/users/{user.account.address}").json()
        assert got["liquid"] == nmr(uview[0]) and got["nonce"] == uview[3]
        assert got["withdrawal"]["withdrawal_nonce"] == uview[2]
        assert got["withdrawal"]["free_period_seconds"] == 14 * 86400
        models = {m["model_id"]: m for m in got["models"]}
        assert set(models) == set(user.models)
        for model, view in zip(user.models, mviews):
            m = models[model]
            assert (m["idle"], m["at_risk"]) == (nmr(view[1]), nmr(view[2]))
            assert m["policy"]["per_round"] == nmr(view[3])
            assert m["policy"]["mode"] == ("compound" if view[4] else "fixed")
    # The simulation's signed allocation of user 0's first model: half to model 1, half liquid.
    user = stack.sim.users[0]
    got = api.get(f"/v1/pool/users/{user.account.address}").json()
    first = next(m for m in got["models"] if m["model_id"] == user.models[0])
    assert [(t["kind"], t["model_id"], t["bps"]) for t in first["allocation"]] == [
        ("model", user.models[1], 5000), ("pool", None, 5000)]
    second = next(m for m in got["models"] if m["model_id"] == user.models[2])
    assert second["allocation"] == [
        {"target": "self", "kind": "model", "model_id": user.models[2], "bps": 10000}]


def test_withdrawal_requests_come_from_the_jobs(api, stack):
    requested = {}
    for job in stack.sim.store.jobs():
        if job.kind == "withdrawal-request":
            requested.setdefault(job.payload["user"].lower(), []).append(job.key)
    assert requested, "the simulation queued a signed free withdrawal"
    for user in stack.sim.users:
        got = api.get(f"/v1/pool/users/{user.account.address}").json()["withdrawal"]
        keys = [r["job_key"] for r in got["requests"]]
        if api.store_kind == "sqlite":  # the jobs live in the simulation's (SQLite) store
            assert keys == requested.get(user.account.address.lower(), [])
        if got["last_free_at"]:
            assert got["next_free_at"] > got["last_free_at"]


def test_open_positions_with_resolve_times(api, stack):
    user = stack.sim.users[0]
    pool = stack.contracts.pool
    got = api.get(f"/v1/pool/users/{user.account.address}/positions").json()
    assert got["items"], "the fixture leaves one round staked"
    for p in got["items"]:
        assert pool.functions.stakeOf(bytes.fromhex(p["model_id"][2:]), p["round"]).call() == \
            int(Decimal(p["stake_nmr"]) * WEI)
        assert p["resolve_time"] is not None and p["resolved"] is False
        assert p["resolve_time"] > p["staked_at"]
    round_ = got["items"][0]["round"]
    only = api.get(f"/v1/pool/users/{user.account.address}/positions",
                   params={"round": round_, "model": got["items"][0]["uuid"]}).json()
    assert [p["model_id"] for p in only["items"]] == [got["items"][0]["model_id"]]
    page = api.get(f"/v1/pool/users/{user.account.address}/positions?limit=1").json()
    assert len(page["items"]) == 1
    assert (page["next_cursor"] is None) == (len(got["items"]) == 1)


def test_bad_input(api):
    for url, status, words in [
        ("/v1/pool/users/nothex", 422, "not an address"),
        ("/v1/pool/users/0x" + "12" * 20 + "/positions?round=-2", 422, "round"),
        ("/v1/pool/users/0x" + "12" * 20 + "/positions?model=x", 422, "model"),
    ]:
        response = api.get(url)
        assert response.status_code == status and words in response.json()["detail"], url


def test_a_stranger_has_an_empty_account(api):
    got = api.get("/v1/pool/users/0x" + "34" * 20).json()
    assert got["liquid"] == nmr(0) and got["models"] == [] and got["withdrawal"]["requests"] == []
