"""Cached payout answers are never stale: a request line answered before is served before routing
(`CachedAnswers`) only while the owner's data in the store is unchanged; a new claim or a new rate
in the store changes the answer and its ETag at once; `If-None-Match` with the current ETag
answers 304, with an old one the new 200. On SQLite and a real PostgreSQL.

The store is written the way the read indexer writes it (rows of `events`, `block_times`, `rates`),
on its own store per test, so the package's shared stack stays untouched."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from web3 import Web3

from agent.api.deps import Service
from agent.api.main import create_app
from agent.chain import Deployments
from agent.config import Settings
from agent.rates import day_number
from agent.readmodel.indexer import source_name
from agent.readmodel.service import ReadModel
from agent.readmodel.tables import block_times, rates
from agent.store import Store, events
from tests.agent.core.conftest import fresh_pg_database

CHAIN_ID = 1338
POOL, REGISTRY, STAKING = "0x" + "01" * 20, "0x" + "02" * 20, "0x" + "03" * 20
USER = Web3.to_checksum_address("0x" + "b1" * 20)
MODEL = "0x" + "00" * 16 + "be4c" * 8
DAY1 = datetime(2026, 3, 2, 12, tzinfo=UTC)  # the first claim's block time
DAY2 = datetime(2026, 3, 3, 12, tzinfo=UTC)


class Chain:
    """Writes events into the store as the read indexer would (one block per call)."""

    def __init__(self, store: Store):
        self.store, self.block = store, 100

    def add(self, address: str, name: str, args: dict, at: datetime) -> None:
        self.block += 1
        with self.store.begin() as conn:
            conn.execute(events.insert(), [dict(
                source=source_name(CHAIN_ID), block_number=self.block,
                block_hash=f"0x{self.block:064x}", log_index=0, tx_hash=f"0x{self.block:064x}",
                address=address, name=name, args=args)])
            conn.execute(block_times.insert(), [dict(chain_id=CHAIN_ID, block_number=self.block,
                                                     timestamp=int(at.timestamp()))])

    def claim(self, round_: int, payout_nmr: int, at: datetime) -> None:
        self.add(POOL, "RoundStaked", {"model": MODEL, "round": round_, "amount": str(10**19),
                                       "caller": POOL}, at)
        wei = str(payout_nmr * 10**18)
        self.add(POOL, "RoundClaimed", {
            "model": MODEL, "round": round_, "payout": wei, "burn": "0",
            "toSelf": "0", "toPool": wei, "toWallet": "0"}, at)

    def rate(self, day: date, price: str) -> None:
        with self.store.begin() as conn:
            conn.execute(rates.insert(), [dict(currency="USD", day=day_number(day), price=price,
                                               source="test", fetched_at=time.time())])


@pytest.fixture(params=["sqlite", "postgresql"])
def served(request, tmp_path):
    """(client, read model, chain) of an app on a fresh store holding one claim of USER."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'answers.db'}"
    else:
        url = fresh_pg_database(request.getfixturevalue("pg_url"))
    store = Store(url).migrate()
    chain = Chain(store)
    chain.add(REGISTRY, "ModelAttested", {"modelId": MODEL, "owner": USER, "tournament": 8,
                                          "attestor": REGISTRY}, DAY1)
    chain.add(POOL, "ModelBound", {"model": MODEL, "owner": USER}, DAY1)
    chain.claim(1000, 3, DAY1)
    chain.rate(DAY1.date().replace(day=1), "2.00")  # an earlier day's price only, for now
    deployments = Deployments(CHAIN_ID, {"PayoutPool": POOL, "ModelRegistry": REGISTRY,
                                         "TournamentStaking": STAKING})
    service = Service(Settings(data_dir=tmp_path), Web3(Web3.HTTPProvider("http://127.0.0.1:9")),
                      deployments, USER)
    app = create_app(service)
    read = app.state.read = ReadModel(service, store, min_interval=0)
    yield TestClient(app), read, chain
    store.dispose()


def test_a_new_claim_changes_the_answer_and_its_etag(served):
    client, read, chain = served
    url = f"/v1/users/{USER}/payouts?group=round"
    first = client.get(url)
    assert first.status_code == 200 and first.json()["totals"]["claims"] == 1
    etag = first.headers["etag"]
    assert read.lines.hits == 0  # rendered by the route

    again = client.get(url)  # the same line, nothing changed: served before routing
    assert (again.status_code, again.content, again.headers["etag"]) == (200, first.content, etag)
    assert again.headers["content-type"] == "application/json"
    assert read.lines.hits == 1
    for held in (etag, f"W/{etag}", f'"nope", {etag}', "*"):
        unchanged = client.get(url, headers={"If-None-Match": held})
        assert unchanged.status_code == 304 and unchanged.content == b"", held
        assert unchanged.headers["etag"] == etag
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200

    chain.claim(1001, 5, DAY2)  # a new claim lands in the store
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200, "the old ETag must not match the new answer"
    body = changed.json()
    assert body["totals"]["claims"] == 2 and [i["round"] for i in body["items"]] == [1000, 1001]
    assert body["totals"]["payout_nmr"].startswith("8.")
    assert changed.headers["etag"] != etag
    assert client.get(url).content == changed.content  # and that is what is served from now on
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_a_new_rate_changes_the_valued_answer(served):
    client, read, _chain = served
    url = f"/v1/users/{USER.lower()}/payouts?currency=USD"
    before = client.get(url)
    assert before.json()["totals"]["value"] == "6.00000000"  # 3 NMR at the earlier day's 2.00
    assert client.get(url).content == before.content
    _chain.rate(DAY1.date(), "2.50")  # the claim's own day is priced now
    after = client.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.json()["totals"]["value"] == "7.50000000"
    assert after.headers["etag"] != before.headers["etag"]


def test_the_csv_export_follows_the_store_too(served):
    client, _read, chain = served
    url = f"/v1/users/{USER}/payouts.csv?currency=USD"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/csv")
    assert "attachment" in first.headers["content-disposition"]
    assert len(first.text.splitlines()) == 2  # header + one claim
    assert client.get(url).content == first.content
    assert client.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    chain.claim(1001, 5, DAY2)
    second = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200 and len(second.text.splitlines()) == 3
    assert "attachment" in client.get(url).headers["content-disposition"]


def test_only_validated_answers_are_served_before_routing(served):
    """A 4xx is never remembered: the same bad line is validated (and refused) every time; and a
    line is remembered per exact spelling, each checked by the route once."""
    client, read, _chain = served
    for _ in range(2):
        bad = client.get(f"/v1/users/{USER}/payouts?limit=0")
        assert bad.status_code == 422 and "limit" in bad.json()["detail"]
    assert read.lines.hits == 0
    lower = client.get(f"/v1/users/{USER.lower()}/payouts")
    checksummed = client.get(f"/v1/users/{USER}/payouts")
    assert lower.content == checksummed.content and read.lines.hits == 0
    head = client.head(f"/v1/users/{USER}/payouts")  # not a GET: the app answers (405)
    assert head.status_code == 405 and read.lines.hits == 0
