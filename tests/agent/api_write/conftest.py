"""Fixtures of the write-API tests: the real app (agent.api.main.create_app) with its write
context on a store (SQLite, real PostgreSQL), brownie's ganache with a MockTournamentStaking +
PayoutPool + ModelRegistry, the staking agent that relays signed pool messages and the Sender
that sends them under the pool operator's key."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import numerapi
import pytest
from brownie import web3
from eth_account import Account
from fastapi.testclient import TestClient
from numerapi import base_api

from agent.api.auth import Writes, sign_api_request
from agent.api.deps import Service
from agent.api.main import create_app
from agent.chain import Deployments, connect
from agent.config import Settings
from agent.ownership_flow import OwnershipFlow
from agent.sender import RevertDecoder, Sender
from agent.staking import Delegations, StakingAgent, sign_pool_message
from agent.store import Store
from agent.tournament.client import NumeraiClient
from agent.tournament.simulator import ManualClock, Simulator, SimulatorServer
from tests.agent.core.conftest import (  # noqa: F401 (fixtures)
    BUILD,
    agent_account,
    decoder,
    fresh_pg_database,
    pg_url,
)
from tests.agent.staking.conftest import (  # noqa: F401 (fixtures)
    CLASSIC,
    keys_of,
    make_setup,
    numerai_key,
    onchain,
    operator_key,
    pool,
    sim_config,
    staking,
    vault,
)
from tests.unitary.PayoutPool.helpers import private_key

NMR = 10**18
FAR = 2**40


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'agent.db'}"
    return fresh_pg_database(request.getfixturevalue("pg_url"))


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'agent.db'}"


@dataclass
class Stack:
    """The API with its collaborators, as `nmrx run` wires them."""

    app: object
    client: TestClient
    store: Store
    writes: Writes
    agent: StakingAgent
    sender: Sender
    w3: object
    pool: object  # web3.py contract
    chain_id: int

    def send_all(self, rounds: int = 20) -> None:
        for _ in range(rounds):
            self.sender.run_once(50)
            counts = self.store.job_counts()
            if not counts.get("planned") and not counts.get("sent"):
                return
        raise AssertionError(f"jobs still pending: {self.store.job_counts()}")

    def nonce(self, account) -> str:
        r = self.client.get("/v1/auth/nonce", params={"address": account.address})
        assert r.status_code == 200, r.text
        return r.json()["nonce"]

    def signed(self, account, action: str, params: dict, *, nonce: str | None = None,
               expiry: int | None = None, chain_id: int | None = None) -> dict:
        """A body signed by `account` the way the CLI and the dashboard sign it."""
        return sign_api_request(
            account.key, chain_id or self.chain_id, self.writes.verifying_contract, action,
            params, nonce or self.nonce(account), expiry or int(time.time()) + 300,
        )

    def pool_nonce(self, owner) -> tuple[int, int]:
        (view,), _ = self.pool.functions.balancesOf([str(owner)], []).call()
        return view[3], view[2]  # (message nonce, withdrawal nonce)

    def sign_policy(self, account, model: str, per_round: int, mode: int, *,
                    nonce: int | None = None, deadline: int = FAR,
                    chain_id: int | None = None, owner=None) -> dict:
        owner = str(owner or account.address)
        nonce = self.pool_nonce(owner)[0] if nonce is None else nonce
        message = {"owner": owner, "model": bytes.fromhex(model[2:]), "perRound": per_round,
                   "mode": mode, "nonce": nonce, "deadline": deadline}
        sig = sign_pool_message(account.key, chain_id or self.chain_id, self.pool.address,
                                "SetPolicy", message)
        return {"chain_id": chain_id or self.chain_id, "owner": owner, "model": model,
                "per_round": per_round, "mode": mode, "nonce": nonce, "deadline": deadline,
                "signature": sig}


def local(account) -> Account:
    """An eth-account LocalAccount for a brownie test account (to sign typed data)."""
    return Account.from_key(private_key(account))


def make_stack(store_url, pool, staking, registry, nmr, operator_key, vault, tmp_path) -> Stack:
    w3 = connect(web3.provider.endpoint_uri)
    chain_id = w3.eth.chain_id
    store = Store(store_url).migrate()
    pool_c = w3.eth.contract(address=pool.address, abi=pool.abi)
    staking_c = w3.eth.contract(address=staking.address, abi=staking.abi)
    agent = StakingAgent(w3, store, pool_c, staking_c, Delegations(vault, tmp_path / "d.json"),
                         "http://127.0.0.1:9")
    sender = Sender(w3, operator_key, store, decoder=RevertDecoder.from_build_dir(BUILD))
    deployments = Deployments(chain_id, {"NMR": nmr.address, "ModelRegistry": registry.address,
                                         "PayoutPool": pool.address,
                                         "TournamentStaking": staking.address})
    service = Service(Settings(rpc_url=web3.provider.endpoint_uri), w3, deployments,
                      operator_key.address)
    app = create_app(service)
    writes = Writes(store, chain_id, registry.address, staking=agent, vault=vault, sse_poll=0.1)
    app.state.writes = writes
    return Stack(app, TestClient(app), store, writes, agent, sender, w3, pool_c, chain_id)


@pytest.fixture
def stack_for(pool, staking, registry, nmr, operator_key, vault, tmp_path):
    made = []

    def make(store_url):
        s = make_stack(store_url, pool, staking, registry, nmr, operator_key, vault, tmp_path)
        made.append(s)
        return s

    yield make
    for s in made:
        s.client.close()
        s.store.dispose()


@pytest.fixture
def with_ownership(ModelRegistry, accounts, agent_account, decoder, monkeypatch):
    """Give a stack an OwnershipFlow: a registry whose attestor and admin is the agent key, the
    tournament simulator serving Numerai's public profiles, and a Sender with the agent key.
    Returns (registry, numerapi under alice's Numerai key)."""
    monkeypatch.setattr(base_api, "API_TOURNAMENT_URL", base_api.API_TOURNAMENT_URL)
    servers = []

    def give(s: Stack):
        deployed = ModelRegistry.deploy(agent_account.address, agent_account.address,
                                        {"from": accounts[0]})
        registry = s.w3.eth.contract(address=deployed.address, abi=deployed.abi)
        simulator = Simulator(sim_config({"alice": 1}), ManualClock(datetime.now(UTC)))
        server = SimulatorServer(simulator, tick_seconds=0).start()
        servers.append(server)
        s.writes.ownership = OwnershipFlow(s.w3, s.store, registry, NumeraiClient(server.url),
                                           bytes(range(32)))
        s.sender = Sender(s.w3, agent_account, s.store, decoder=decoder)
        base_api.API_TOURNAMENT_URL = server.url
        owner_api = numerapi.NumerAPI(*keys_of("alice"), verbosity="CRITICAL",
                                      show_progress_bars=False)
        return registry, owner_api

    yield give
    for server in servers:
        server.stop()


@pytest.fixture
def models(registry, attestor, alice, bob):
    """alice owns model A, bob owns model B (attested in the registry)."""
    a, b = "0x" + "a1" * 32, "0x" + "b2" * 32
    registry.attest(a, alice, CLASSIC, {"from": attestor})
    registry.attest(b, bob, CLASSIC, {"from": attestor})
    return a, b


def fund(nmr, pool, account, amount):
    nmr.faucet(account, amount, {"from": account})
    nmr.approve(pool, amount, {"from": account})
    pool.deposit(amount, {"from": account})
