"""A simulator served on a free loopback port, and numerapi clients pointed at it.

Each test gets a fresh simulator (its state is in memory, and brownie rewinds the chain after every
test) whose clock stands at the real now: numerapi's `check_round_open` compares with the real
clock. Tests move the simulator's clock with `simulator.clock.advance(seconds)` and run Numerai's
daily job with `simulator.tick()`.
"""

from datetime import UTC, datetime

import numerapi
import pytest
from numerapi import base_api

from agent.tournament.simulator import (
    AccountSpec,
    ManualClock,
    Simulator,
    SimulatorConfig,
    SimulatorServer,
    TokenSpec,
)

DAY = 86_400
ALICE = ("ALICEPUBLICID", "ALICESECRETKEY")
ALICE_READ_ONLY = ("ALICEREADONLY", "ALICEREADSECRET")
BOB = ("BOBPUBLICID", "BOBSECRETKEY")


def config(**overrides) -> SimulatorConfig:
    now = datetime.now(UTC)
    values = dict(
        seed=11,
        genesis=now.replace(hour=0, minute=0, second=0, microsecond=0),
        overlap=3,
        accounts=(
            AccountSpec(
                "alice",
                ("alice_model", "alice_second"),
                (
                    TokenSpec(*ALICE),
                    TokenSpec(*ALICE_READ_ONLY, scopes=("read_user_info",), name="read-only"),
                ),
            ),
            AccountSpec("bob", ("bob_model",), (TokenSpec(*BOB),), signals_models=("bob_signals",)),
        ),
    )
    values.update(overrides)
    return SimulatorConfig(**values)


@pytest.fixture
def make_simulator(monkeypatch):
    """Start a simulator (optionally with an on-chain Numerai) and point numerapi at it."""
    servers = []

    def make(chain=None, **overrides) -> Simulator:
        simulator = Simulator(config(**overrides), ManualClock(datetime.now(UTC)), chain)
        server = SimulatorServer(simulator, tick_seconds=0).start()
        servers.append(server)
        monkeypatch.setattr(base_api, "API_TOURNAMENT_URL", server.url)
        simulator.url = server.url
        return simulator

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def simulator(make_simulator):
    return make_simulator()


def client(keys=ALICE, cls=numerapi.NumerAPI):
    return cls(*keys, verbosity="CRITICAL", show_progress_bars=False)


@pytest.fixture
def alice_api(simulator):
    return client(ALICE)


def predictions_for(api, folder, model_id, skew=0.0):
    """Upload predictions for the current round's live ids; returns the submission id."""
    import pandas as pd

    path = api.download_dataset("v5.0/live_ids.csv", str(folder / "live_ids.csv"))
    ids = pd.read_csv(path)["id"]
    values = [((i * 7 + skew * 13) % len(ids)) / len(ids) for i in range(len(ids))]
    frame = pd.DataFrame({"id": ids, "prediction": values})
    return api.upload_predictions(df=frame, model_id=model_id)
