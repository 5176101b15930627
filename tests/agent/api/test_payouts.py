"""Payouts across all of a user's models, by model and by round, in NMR and in a currency, and the
per-claim CSV: checked against the pool's RoundClaimed logs read straight from the chain, the
block times and the simulator's own price series."""

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

from agent.models import model_uuid_from_id
from agent.tournament.simulator.prices import nmr_price

WEI = Decimal(10) ** 18


def chain_claims(stack, user):
    """The user's RoundClaimed logs, straight from the node (not from the store)."""
    pool = stack.contracts.pool
    mine = set(user.models)
    logs = pool.events.RoundClaimed().get_logs(from_block=0)
    return [e for e in logs if "0x" + e["args"]["model"].hex().removeprefix("0x") in mine]


def tournament_stakes(stack):
    """(model, round) → the pool's stake, from the tournament's own Staked logs (the pool's
    RoundClaimed leaves the stake out)."""
    pool = stack.contracts.pool.address
    total = defaultdict(int)
    for e in stack.contracts.staking.events.Staked().get_logs(from_block=0):
        if e["args"]["staker"] == pool:
            total[(bytes(e["args"]["modelId"]), e["args"]["round"])] += e["args"]["amount"]
    return total


def nmr(wei):
    return str((Decimal(wei) / WEI).quantize(Decimal("0.000000000000000001")))


def test_grouped_by_model_and_by_round_match_the_chain(api, stack):
    for user in stack.sim.users:
        claims = chain_claims(stack, user)
        assert claims, "the simulation booked claims for every user"
        by_model, by_round = defaultdict(int), defaultdict(int)
        for e in claims:
            by_model[model_uuid_from_id("0x" + e["args"]["model"].hex().removeprefix("0x"))] += \
                e["args"]["payout"]
            by_round[str(e["args"]["round"])] += e["args"]["payout"]
        address = user.account.address.lower()  # lower-case accepted and normalized
        got = api.get(f"/v1/users/{address}/payouts?group=model").json()
        assert got["address"] == user.account.address and got["group"] == "model"
        assert {i["key"] for i in got["items"]} == set(user.uuids)  # every model, staked or not
        assert {i["key"]: i["payout_nmr"] for i in got["items"] if i["claims"]} == \
            {k: nmr(v) for k, v in by_model.items()}
        assert got["totals"]["claims"] == len(claims)
        assert got["totals"]["payout_nmr"] == nmr(sum(by_model.values()))
        rounds = api.get(f"/v1/users/{address}/payouts", params={"group": "round"}).json()
        assert {i["key"]: i["payout_nmr"] for i in rounds["items"] if i["claims"]} == \
            {k: nmr(v) for k, v in by_round.items()}
        assert rounds["totals"]["payout_nmr"] == got["totals"]["payout_nmr"]


def test_pending_is_the_open_positions(api, stack):
    user = stack.sim.users[0]
    pool = stack.contracts.pool
    _, views = pool.functions.balancesOf([], [bytes.fromhex(m[2:]) for m in user.models]).call()
    at_risk = sum(v[2] for v in views)
    assert at_risk > 0, "the fixture leaves the last round staked and unresolved"
    got = api.get(f"/v1/users/{user.account.address}/payouts").json()
    assert got["totals"]["pending_nmr"] == nmr(at_risk)
    by_model = {i["model_id"]: i["pending_nmr"] for i in got["items"]}
    assert by_model == {m: nmr(v[2]) for m, v in zip(user.models, views)}


def test_currency_values_each_claim_at_its_day_price(api, stack):
    user = stack.sim.users[1]
    claims = chain_claims(stack, user)
    expected = Decimal(0)
    for e in claims:
        stamp = stack.w3.eth.get_block(e["blockNumber"])["timestamp"]
        day = datetime.fromtimestamp(stamp, UTC).date()
        expected += Decimal(e["args"]["payout"]) / WEI * nmr_price("USD", day)
    got = api.get(f"/v1/users/{user.account.address}/payouts?currency=usd").json()
    assert got["currency"] == "USD"
    assert Decimal(got["totals"]["value"]) == expected.quantize(Decimal("0.00000001"))
    in_nmr = api.get(f"/v1/users/{user.account.address}/payouts").json()
    assert Decimal(in_nmr["totals"]["value"]) == \
        Decimal(in_nmr["totals"]["payout_nmr"]).quantize(Decimal("0.00000001"))


def test_csv_has_one_row_per_claim_with_the_price_at_the_time(api, stack):
    user = stack.sim.users[0]
    claims = chain_claims(stack, user)
    response = api.get(f"/v1/users/{user.account.address}/payouts.csv?currency=EUR")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == len(claims)
    assert list(rows[0])[:11] == ["round", "model", "tournament", "block", "tx_hash", "time",
                                  "stake_nmr", "payout_nmr", "currency", "price_at_time", "value"]
    stakes = tournament_stakes(stack)
    for row, e in zip(rows, sorted(claims, key=lambda e: (e["blockNumber"], e["logIndex"]))):
        stamp = stack.w3.eth.get_block(e["blockNumber"])["timestamp"]
        price = nmr_price("EUR", datetime.fromtimestamp(stamp, UTC).date())
        assert int(row["block"]) == e["blockNumber"]
        assert row["tx_hash"] == "0x" + e["transactionHash"].hex().removeprefix("0x")
        assert int(row["round"]) == e["args"]["round"] and row["tournament"] == "8"
        assert row["payout_nmr"] == nmr(e["args"]["payout"])
        assert row["stake_nmr"] == nmr(stakes[(bytes(e["args"]["model"]), e["args"]["round"])])
        assert Decimal(row["price_at_time"]) == price.quantize(Decimal("0.00000001"))
        assert row["time"] == datetime.fromtimestamp(stamp, UTC).isoformat()
        assert Decimal(row["value"]) == (Decimal(e["args"]["payout"]) / WEI * price).quantize(
            Decimal("0.00000001"))
    # Days differ, so prices differ: the export is not one price for everything.
    assert len({r["price_at_time"] for r in rows}) > 1


def test_filters_model_tournament_rounds(api, stack):
    user = stack.sim.users[0]
    base = f"/v1/users/{user.account.address}/payouts"
    one = api.get(base, params={"model": user.uuids[1], "group": "round"}).json()
    claims = [e for e in chain_claims(stack, user)
              if "0x" + e["args"]["model"].hex().removeprefix("0x") == user.models[1]]
    assert one["totals"]["claims"] == len(claims) > 0
    by_id = api.get(base, params={"model": user.models[1], "group": "round"}).json()
    assert by_id == one
    assert api.get(base, params={"tournament": 11}).json()["items"] == []
    assert api.get(base, params={"tournament": 8}).json()["totals"]["claims"] == \
        len(chain_claims(stack, user))
    rounds = sorted({e["args"]["round"] for e in chain_claims(stack, user)})
    first = api.get(base, params={"group": "round", "round_from": rounds[1],
                                  "round_to": rounds[1]}).json()
    assert [i["round"] for i in first["items"]] == [rounds[1]]
    csv_rows = api.get(base + ".csv", params={"round_from": rounds[-1]}).text.strip().splitlines()
    assert len(csv_rows) - 1 == sum(1 for e in chain_claims(stack, user)
                                    if e["args"]["round"] >= rounds[-1])


def test_pagination_walks_every_item_once(api, stack):
    user = stack.sim.users[0]
    base = f"/v1/users/{user.account.address}/payouts"
    whole = api.get(base, params={"group": "round"}).json()
    assert len(whole["items"]) >= 3 and whole["next_cursor"] is None
    seen, cursor = [], None
    while True:
        params = {"group": "round", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get(base, params=params).json()
        assert len(page["items"]) <= 2
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == whole["items"]


def test_unknown_user_has_no_payouts(api):
    got = api.get("/v1/users/0x" + "12" * 20 + "/payouts").json()
    assert got["items"] == [] and got["totals"]["claims"] == 0


def test_bad_input_answers_4xx_with_a_sentence(api, stack):
    good = stack.sim.users[0].account.address
    cases = [
        ("/v1/users/0x123/payouts", 422, "not an address"),
        (f"/v1/users/{good[:-1] + ('a' if good[-1] != 'a' else 'b')}/payouts", 422, "checksum"),
        (f"/v1/users/{good}/payouts?group=week", 422, "group"),
        (f"/v1/users/{good}/payouts?limit=0", 422, "limit"),
        (f"/v1/users/{good}/payouts?limit=501", 422, "limit"),
        (f"/v1/users/{good}/payouts?cursor=nonsense", 400, "cursor"),
        (f"/v1/users/{good}/payouts?currency=XYZ", 404, "no XYZ rates"),
        (f"/v1/users/{good}/payouts?currency=U$D", 422, "currency"),
        (f"/v1/users/{good}/payouts?model=nope", 422, "model"),
        (f"/v1/users/{good}/payouts?round_from=9&round_to=3", 422, "round_from"),
        (f"/v1/users/{good}/payouts?tournament=-1", 422, "tournament"),
        (f"/v1/users/{good}/payouts.csv?currency=XYZ", 404, "no XYZ rates"),
        ("/v1/rates?currency=XYZ", 404, "no XYZ rates"),
    ]
    for url, status, words in cases:
        response = api.get(url)
        assert response.status_code == status, (url, response.text)
        detail = response.json()["detail"]
        assert isinstance(detail, str) and words in detail, (url, detail)
