"""When the seller has no position, hashes cannot decide: the agent compares the live scores of
the sold predictions (the buyer's slot) with the seller model's, read through numerapi from the
tournament simulator, and the verdict waits until scores exist."""

from datetime import UTC, datetime

import numerapi
import pandas as pd
import pytest
from numerapi import base_api

from agent.models import model_id_from_uuid
from agent.store import CONFIRMED
from agent.tournament.simulator import ManualClock, Simulator, SimulatorServer
from agent.verify.predictions import prediction_hash_hex, write_predictions
from tests.agent.staking.conftest import keys_of, sim_config
from tests.unitary.market_fixtures import DAY, NMR, STAKE

from .conftest import sleep


@pytest.fixture
def tournament(onchain, tmp_path, monkeypatch):
    """The simulator serving numerapi, with a seller and a buyer of one model each."""
    simulator = Simulator(sim_config({"seller": 1, "buyer": 1}), ManualClock(datetime.now(UTC)),
                          onchain)
    server = SimulatorServer(simulator, tick_seconds=0).start()
    monkeypatch.setattr(base_api, "API_TOURNAMENT_URL", server.url)
    apis = {u: numerapi.NumerAPI(*keys_of(u), verbosity="CRITICAL", show_progress_bars=False)
            for u in ("seller", "buyer")}
    path = apis["seller"].download_dataset("v5.0/live_ids.csv", str(tmp_path / "live_ids.csv"))
    yield simulator, server, apis, list(pd.read_csv(path)["id"])
    server.stop()


def upload(api, ids, values, reverse=False):
    """Upload predictions (rows reversed: another file, the same predictions); returns the
    model's UUID and the canonical hash."""
    (uuid,) = api.get_models().values()
    rows = list(zip(ids, values))[:: -1 if reverse else 1]
    api.upload_predictions(df=pd.DataFrame(rows, columns=["id", "prediction"]), model_id=uuid)
    return uuid, prediction_hash_hex(write_predictions(dict(rows)))


@pytest.mark.parametrize("seller_copies", [True, False])
def test_live_scores_decide_when_the_seller_has_no_position(
    make_trades, sqlite_url, tournament, bob, market, seller_copies
):
    simulator, server, apis, ids = tournament
    sold = [(i * 37 % len(ids)) / len(ids) for i in range(len(ids))]
    own = sold if seller_copies else [1 - v for v in sold]
    seller_uuid, _ = upload(apis["seller"], ids, own)
    slot_uuid, sold_hash = upload(apis["buyer"], ids, sold, reverse=True)
    seller_model, slot = model_id_from_uuid(seller_uuid), model_id_from_uuid(slot_uuid)
    t = make_trades(sqlite_url, round_=simulator.tournament.current_round().number,
                    numerai_url=server.url, slots=lambda order: slot)
    order = t.buy(t.listing(seller_model, STAKE), bob)
    t.deliver(order, sold_hash)  # no position anywhere: only scores can tell
    sleep(DAY + 1)
    t.run()
    assert not t.jobs("verdict")  # the round is not scored yet: the verdict waits

    simulator.clock.advance(DAY + 3600)  # the round closed and its first daily scores are out
    t.run()
    (verdict,) = t.jobs("verdict")
    assert verdict.state == CONFIRMED, verdict.reason
    assert verdict.payload["verdict"] == ("consistent" if seller_copies else "seller_fault")
    (body,) = [e["body"] for e in t.agent.evidence_for_order(order[0])]
    (seller_check,) = [c for c in body["checks"] if c["check"] == "seller"]
    assert seller_check["reason"] == ("scores_match" if seller_copies else "scores_differ")
    assert seller_check["facts"]["sold_scores"] and seller_check["facts"]["seller_scores"]
    sleep(2 * DAY + 1)
    t.run()
    (event,) = t.market.events.OrderSettled().get_logs(from_block=0)
    assert event["args"]["outcome"] == (0 if seller_copies else 2)
    assert market.balanceOf(t.seller) == (10 * NMR * 975 // 1000 if seller_copies else 0)
