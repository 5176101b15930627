"""Fixtures of the staking-agent tests: the core's stores (SQLite, real PostgreSQL), brownie's
ganache with a MockTournamentStaking + PayoutPool, a tournament simulator playing Numerai on it,
and a `Setup` that registers users' models, funds them and uploads their submissions."""

from datetime import UTC, datetime

import numerapi
import pandas as pd
import pytest
from brownie import web3
from eth_account import Account
from numerapi import base_api

from agent.chain import connect
from agent.models import model_id_from_uuid
from agent.sender import RevertDecoder, Sender
from agent.staking import Delegations, StakingAgent, StakingConfig
from agent.store import Store
from agent.tournament.simulator import (
    AccountSpec,
    ManualClock,
    Simulator,
    SimulatorConfig,
    SimulatorServer,
    TokenSpec,
)
from agent.tournament.simulator.onchain import OnChainNumerai
from agent.vault import NumeraiKey, Vault
from tests.agent.core.conftest import BUILD, fresh_pg_database, pg_url  # noqa: F401 (fixtures)
from tests.unitary.PayoutPool.helpers import private_key

NMR = 10**18
CLASSIC = 8
DAY = 86_400
GRACE = 7 * DAY


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'agent.db'}"
    return fresh_pg_database(request.getfixturevalue("pg_url"))


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'agent.db'}"


@pytest.fixture(scope="session")
def numerai_key():
    return Account.from_key("0x" + "4e" * 32)


@pytest.fixture(scope="module")
def staking(MockTournamentStaking, nmr, numerai_key, admin):
    admin.transfer(numerai_key.address, 100 * 10**18)
    return MockTournamentStaking.deploy(
        nmr, CLASSIC, numerai_key.address, numerai_key.address, {"from": admin}
    )


@pytest.fixture(scope="module")
def pool(PayoutPool, nmr, registry, staking, admin, operator, treasury):
    return PayoutPool.deploy(nmr, registry, staking, admin, operator, treasury, {"from": admin})


@pytest.fixture(scope="session")
def operator_key(operator):
    return Account.from_key(private_key(operator))


@pytest.fixture(scope="session")
def vault():
    return Vault(bytes(range(32)))


def keys_of(user: str) -> tuple[str, str]:
    return (f"{user.upper()}PUBLICID", f"{user.upper()}SECRETKEY")


def sim_config(users: dict[str, int], **overrides) -> SimulatorConfig:
    now = datetime.now(UTC)
    values = dict(
        seed=5,
        genesis=now.replace(hour=0, minute=0, second=0, microsecond=0),
        overlap=3,
        accounts=tuple(
            AccountSpec(u, tuple(f"{u}_m{i}" for i in range(n)), (TokenSpec(*keys_of(u)),))
            for u, n in users.items()
        ),
    )
    values.update(overrides)
    return SimulatorConfig(**values)


class Setup:
    """A simulator on the test chain with `users` ({name: number of models}) registered, funded
    and submitted, and a StakingAgent (with its sender and watcher) on `store_url`."""

    def __init__(
        self,
        users,
        wallets,
        nmr,
        registry,
        attestor,
        pool,
        staking,
        onchain,
        store_url,
        operator_key,
        vault,
        folder,
        batch=40,
    ):
        self.simulator = Simulator(sim_config(users), ManualClock(datetime.now(UTC)), onchain)
        self.server = SimulatorServer(self.simulator, tick_seconds=0).start()
        base_api.API_TOURNAMENT_URL = self.server.url
        self.w3 = connect(web3.provider.endpoint_uri)
        self.pool = self.w3.eth.contract(address=pool.address, abi=pool.abi)
        self.staking = self.w3.eth.contract(address=staking.address, abi=staking.abi)
        self.bpool, self.bstaking, self.nmr = pool, staking, nmr
        self.registry = self.w3.eth.contract(address=registry.address, abi=registry.abi)
        self.token = self.w3.eth.contract(address=nmr.address, abi=nmr.abi)
        self.store = Store(store_url).migrate()
        self.delegations = Delegations(vault, folder / "delegations.json")
        self.models: dict[str, list[str]] = {}
        self.owner: dict[str, object] = {}
        ids = None
        for user, wallet in zip(users, wallets):
            api = numerapi.NumerAPI(*keys_of(user), verbosity="CRITICAL", show_progress_bars=False)
            models = api.get_models()
            if ids is None:
                path = api.download_dataset("v5.0/live_ids.csv", str(folder / "live_ids.csv"))
                ids = pd.read_csv(path)["id"]
            self.models[user] = []
            for i, name in enumerate(sorted(models)):
                model = model_id_from_uuid(models[name])
                self.tx(self.registry.functions.attest(model, str(wallet), CLASSIC), attestor)
                values = [((j * 7 + i * 13) % len(ids)) / len(ids) for j in range(len(ids))]
                api.upload_predictions(
                    df=pd.DataFrame({"id": ids, "prediction": values}), model_id=models[name]
                )
                self.delegations.add(model, str(wallet), NumeraiKey(*keys_of(user)))
                self.models[user].append(model)
                self.owner[model] = wallet
        self.agent = StakingAgent(
            self.w3,
            self.store,
            self.pool,
            self.staking,
            self.delegations,
            self.server.url,
            StakingConfig(claim_batch_size=batch),
        )
        self.sender = Sender(
            self.w3, operator_key, self.store, decoder=RevertDecoder.from_build_dir(BUILD)
        )
        self.watcher = self.agent.watcher(confirmations=0)
        self.wait()

    def tx(self, fn, sender, gas=300_000):
        """Send without waiting (ganache mines each at once, in order); `wait()` checks them all."""
        self._sent = getattr(self, "_sent", [])
        self._sent.append(fn.transact({"from": str(sender), "gas": gas}))

    def wait(self):
        for h in getattr(self, "_sent", []):
            assert self.w3.eth.wait_for_transaction_receipt(h)["status"] == 1
        self._sent = []

    def fund(self, wallet, amount):
        self.tx(self.token.functions.faucet(str(wallet), amount), wallet)
        if self.nmr.allowance(wallet, self.bpool) < amount:
            self.tx(self.token.functions.approve(self.pool.address, 0), wallet)
            self.tx(self.token.functions.approve(self.pool.address, 2**256 - 1), wallet)
        self.tx(self.pool.functions.deposit(amount), wallet)
        self.wait()

    def send_all(self, rounds=50):
        for _ in range(rounds):
            self.sender.run_once(200)
            counts = self.store.job_counts()
            if not counts.get("planned") and not counts.get("sent"):
                return
        raise AssertionError(f"jobs still pending: {self.store.job_counts()}")

    def resolve(self, days=3):
        self.simulator.clock.advance(days * DAY)
        return self.simulator.tick()

    def close(self):
        self.server.stop()
        self.store.dispose()


@pytest.fixture
def onchain(staking, nmr, numerai_key):
    w3 = connect(web3.provider.endpoint_uri)
    return OnChainNumerai(
        w3,
        numerai_key,
        w3.eth.contract(address=staking.address, abi=staking.abi),
        w3.eth.contract(address=nmr.address, abi=nmr.abi),
        faucet=True,
    )


@pytest.fixture
def make_setup(
    nmr, registry, attestor, pool, staking, onchain, operator_key, vault, tmp_path, monkeypatch
):
    made = []
    monkeypatch.setattr(base_api, "API_TOURNAMENT_URL", base_api.API_TOURNAMENT_URL)

    def make(users, wallets, store_url, **kw):
        s = Setup(
            users,
            wallets,
            nmr,
            registry,
            attestor,
            pool,
            staking,
            onchain,
            store_url,
            operator_key,
            vault,
            tmp_path,
            **kw,
        )
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()
