"""Fixtures of the ownership-flow tests: the core's stores (SQLite, real PostgreSQL), a
ModelRegistry on brownie's ganache whose attestor and admin is the agent key, the tournament
simulator serving Numerai's API, and an `OwnershipFlow` with the core `Sender`."""

from datetime import UTC, datetime, timedelta

import numerapi
import pytest
from numerapi import base_api

from agent.ownership_flow import OwnershipFlow
from agent.sender import Sender
from agent.store import CONFIRMED, FAILED, Store
from agent.tournament.client import NumeraiClient
from agent.tournament.simulator import ManualClock, Simulator, SimulatorServer
from tests.agent.core.conftest import (  # noqa: F401 (fixtures)
    agent_account,
    decoder,
    node_url,
    pg_url,
    store_url,
    w3,
)
from tests.agent.staking.conftest import keys_of, sim_config

HMAC_KEY = bytes(range(100, 132))
TTL = timedelta(hours=1)


class Clock:
    """The verifier's clock, moved by tests."""

    def __init__(self):
        self.now = datetime.now(UTC)

    def __call__(self):
        return self.now

    def advance(self, delta: timedelta):
        self.now += delta


class Env:
    def __init__(self, w3, store, registry, flow, sender, server, clock):
        self.w3, self.store, self.registry, self.flow = w3, store, registry, flow
        self.sender, self.server, self.clock = sender, server, clock

    def owner_api(self, user: str) -> numerapi.NumerAPI:
        """numerapi under the model owner's key (what the owner uses to edit the bio)."""
        base_api.API_TOURNAMENT_URL = self.server.url
        return numerapi.NumerAPI(*keys_of(user), verbosity="CRITICAL", show_progress_bars=False)

    def set_bio(self, user: str, model_name: str, bio: str) -> None:
        api = self.owner_api(user)
        assert api.set_bio(api.get_models()[model_name], bio)

    def send_all(self, rounds=30):
        for _ in range(rounds):
            self.sender.run_once(50)
            counts = self.store.job_counts()
            if not counts.get("planned") and not counts.get("sent"):
                return
        raise AssertionError(f"jobs still pending: {self.store.job_counts()}")

    def assert_confirmed(self, *jobs):
        for job in jobs:
            now = self.store.job(job.key)
            assert now.state == CONFIRMED, (now.state, now.reason)
            assert now.state != FAILED

    def owner_of(self, model_id: str) -> str:
        return self.registry.functions.ownerOf(bytes.fromhex(model_id[2:])).call()


@pytest.fixture
def make_env(ModelRegistry, accounts, w3, agent_account, decoder, monkeypatch):  # noqa: F811
    monkeypatch.setattr(base_api, "API_TOURNAMENT_URL", base_api.API_TOURNAMENT_URL)
    made = []

    def make(store_url):  # noqa: F811
        deployed = ModelRegistry.deploy(
            agent_account.address, agent_account.address, {"from": accounts[0]}
        )
        registry = w3.eth.contract(address=deployed.address, abi=deployed.abi)
        simulator = Simulator(
            sim_config({"alice": 1, "bob": 1}), ManualClock(datetime.now(UTC))
        )
        server = SimulatorServer(simulator, tick_seconds=0).start()
        store = Store(store_url).migrate()
        clock = Clock()
        flow = OwnershipFlow(
            w3, store, registry, NumeraiClient(server.url), HMAC_KEY, ttl=TTL, clock=clock
        )
        sender = Sender(w3, agent_account, store, decoder=decoder)
        env = Env(w3, store, registry, flow, sender, server, clock)
        made.append(env)
        return env

    yield make
    for env in made:
        env.server.stop()
        env.store.dispose()


@pytest.fixture
def env(make_env, store_url):  # noqa: F811
    return make_env(store_url)


@pytest.fixture
def sqlite_env(make_env, tmp_path):
    return make_env(f"sqlite:///{tmp_path / 'agent.db'}")
