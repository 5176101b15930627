"""Fixtures of the delivery tests: a Marketplace on brownie's ganache whose verifier is the agent
key, a seller with one listing per mode (FILE, VERIFIED_FILE, STAKE) and a ladder posted for the
simulator's current round, a funded buyer, the tournament simulator serving Numerai's API (the
buyer's slot), the core's stores (SQLite and real PostgreSQL) and a `DeliveryFlow` with the core
`Sender`.

Chain fixtures are module-scoped (every test is rewound by the suite's `isolation`), the
simulator is shared by the session (tests find their uploads by their random names); each test
gets a fresh store, blob folder and flow, so it starts with no delivery recorded."""

from datetime import UTC, datetime

import numerapi
import pytest
from eth_account import Account
from numerapi import base_api

from agent.market.blobs import BlobStore
from agent.market.buyers import BuyerKeys
from agent.market.delivery import DeliveryFlow
from agent.market.sealing import generate_buyer_keypair
from agent.models import model_id_from_uuid
from agent.sender import Sender
from agent.store import CONFIRMED, Store
from agent.tournament.client import NumeraiClient
from agent.tournament.simulator import (
    AccountSpec,
    ManualClock,
    Simulator,
    SimulatorConfig,
    SimulatorServer,
    TokenSpec,
)
from agent.vault import NumeraiKey, RedactingFilter, Vault
from agent.verify.predictions import write_predictions
from tests.agent.core.conftest import (  # noqa: F401 (fixtures)
    decoder,
    fresh_pg_database,
    node_url,
    pg_url,
    w3,
)
from tests.unitary.market_fixtures import (
    BOUNDS,
    DAY,
    FILE,
    NMR,
    STAKE,
    VERIFIED_FILE,
    deploy_market,
    fund,
    ladder,
    make_seller,
    order_of,
)

PRICE = 10 * NMR
SELLER_USER, BUYER_USER = "sally", "barry"
# The buyer's key for the agent: upload and read submissions, nothing else (no staking).
UPLOAD_SCOPES = ("upload_submission", "read_submission_info")
BUYER_KEY = NumeraiKey("BARRYUPLOADPUBLICID", "barry-upload-secret-7f3c9d2e1a")
BUYER_FULL = ("BARRYFULLPUBLICID", "barry-full-secret-0b8e4a6c")
READ_ONLY_KEY = NumeraiKey("BARRYREADPUBLICID", "barry-read-only-secret-55aa")


def sim_config() -> SimulatorConfig:
    now = datetime.now(UTC)
    return SimulatorConfig(
        seed=12,
        genesis=now.replace(hour=0, minute=0, second=0, microsecond=0),
        overlap=3,
        live_ids=25,
        accounts=(
            AccountSpec(SELLER_USER, ("sally_model",),
                        (TokenSpec("SALLYPUBLICID", "sally-secret-31d1"),)),
            AccountSpec(BUYER_USER, ("barry_model", "barry_second"), (
                TokenSpec(*BUYER_FULL),
                TokenSpec(BUYER_KEY.public_id, BUYER_KEY.secret_key.reveal(), UPLOAD_SCOPES),
                TokenSpec(READ_ONLY_KEY.public_id, READ_ONLY_KEY.secret_key.reveal(),
                          ("read_submission_info",)),
            )),
        ),
    )


@pytest.fixture(scope="session")
def simulator():
    sim = Simulator(sim_config(), ManualClock(datetime.now(UTC)))
    server = SimulatorServer(sim, tick_seconds=0).start()
    yield sim, server
    server.stop()


@pytest.fixture(autouse=True)
def numerai_url(simulator, monkeypatch):
    """numerapi reads its endpoint from a module global: point it at the simulator for each
    test and restore it afterwards, for the rest of the suite."""
    monkeypatch.setattr(base_api, "API_TOURNAMENT_URL", simulator[1].url)


@pytest.fixture(scope="session")
def round_number(simulator):
    return simulator[0].tournament.current_round().number


@pytest.fixture(scope="session")
def buyer_api(simulator):
    """numerapi under the buyer's full key: what the buyer itself sees in its slot."""
    return numerapi.NumerAPI(*BUYER_FULL, verbosity="CRITICAL", show_progress_bars=False)


@pytest.fixture(scope="session")
def slot(simulator):
    """The buyer's model the agent submits to (its API id, as numerapi's get_models gives)."""
    return simulator[0].config.model_uuid(BUYER_USER, "barry_model")


@pytest.fixture(scope="session")
def second_slot(simulator):
    return simulator[0].config.model_uuid(BUYER_USER, "barry_second")


@pytest.fixture(scope="session")
def live_ids(simulator, round_number):
    sim = simulator[0]
    return sim.tournament.live_ids(sim.tournament.current_round())


@pytest.fixture(scope="session")
def predictions(live_ids):
    """A valid file for the round, with an unmistakable row to scan for."""
    return write_predictions({i: 0.123456789 + k / 1000 for k, i in enumerate(live_ids)})


@pytest.fixture(scope="module")
def agent_key(accounts):
    """The agent's key: the market's verifier, so it may deliver for sellers."""
    key = Account.create()
    accounts[0].transfer(key.address, "20 ether")
    return key


@pytest.fixture(scope="module")
def seller(alice):
    return alice


@pytest.fixture(scope="module")
def buyer(bob):
    return bob


@pytest.fixture(scope="module")
def market(Marketplace, nmr, registry, admin, treasury, agent_key, accounts):
    return deploy_market(Marketplace, nmr, registry, admin, treasury, agent_key.address,
                         accounts[8])


@pytest.fixture(scope="module")
def ladders(market, nmr, registry, attestor, seller, buyer, simulator, round_number, chain):
    """{mode: posted Ladder tuple} of one listing per mode of the seller's simulator model
    (three listings of one model); the buyer holds 1,000 NMR in the market."""
    uuid = simulator[0].config.model_uuid(SELLER_USER, "sally_model")
    model = model_id_from_uuid(uuid)
    result = {}
    for i, mode in enumerate((FILE, VERIFIED_FILE, STAKE)):
        listing = make_seller(nmr, market, registry, attestor, seller, model,
                              bond=(200 * NMR if i == 0 else 0), mode=mode,
                              rounds=(round_number, round_number + 30))
        t = chain.time()
        lad = ladder(listing, (PRICE,), (500,), round_=round_number,
                     deliver_by=t + 20 * DAY, expiry=t + 20 * DAY)
        market.postLadder(lad, {"from": seller})
        result[mode] = lad
    fund(nmr, market, buyer, 1_000 * NMR)
    return result


@pytest.fixture
def buy(market, ladders, buyer):
    """Open a one-unit order of `mode`; returns its id."""

    def make(mode):
        zero = "0x" + "00" * 32
        tx = market.fill(ladders[mode], zero, zero, 1, PRICE, *BOUNDS, {"from": buyer})
        return order_of(tx, market=market)[0]

    return make


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'agent.db'}"
    return fresh_pg_database(request.getfixturevalue("pg_url"))


@pytest.fixture(scope="module")
def vault():
    return Vault(bytes(range(40, 72)), RedactingFilter())


@pytest.fixture(scope="module")
def buyer_keypair():
    return generate_buyer_keypair()


class Env:
    """One agent: store, flow and sender, restartable on the same store and blob folder."""

    def __init__(self, w3, store_url, market, simulator, vault, agent_key, decoder, folder):
        self.w3, self.store_url, self.simulator, self.vault = w3, store_url, simulator, vault
        self.market = w3.eth.contract(address=market.address, abi=market.abi)
        self.agent_key, self.decoder, self.folder = agent_key, decoder, folder
        self.failures = []
        self.store = Store(store_url).migrate()
        self.buyers = BuyerKeys(self.store, vault)
        self.flow = self.new_flow()
        self.sender = Sender(w3, agent_key, self.store, decoder=decoder)

    def new_flow(self) -> DeliveryFlow:
        """A fresh flow on the same store and blobs: what a restarted agent builds."""
        return DeliveryFlow(
            self.w3, self.store, self.market, NumeraiClient(self.simulator[1].url), self.buyers,
            BlobStore.under(self.folder), on_failure=self.failures.append,
        )

    def send_all(self, rounds=20):
        for _ in range(rounds):
            self.sender.run_once(20)
            counts = self.store.job_counts()
            if not counts.get("planned") and not counts.get("sent"):
                return
        raise AssertionError(f"jobs still pending: {self.store.job_counts()}")

    def delivered_hash(self, order_id: int) -> str:
        logs = self.market.events.OrderDelivered.get_logs(
            from_block=0, argument_filters={"orderId": order_id}
        )
        assert len(logs) == 1, logs
        return "0x" + bytes(logs[0]["args"]["deliveryHash"]).hex()

    def assert_confirmed(self, order_id: int):
        job = self.store.job(self.flow.key(order_id))
        assert job is not None and job.state == CONFIRMED, (job and job.state, job and job.reason)


@pytest.fixture
def make_env(w3, market, simulator, vault, agent_key, decoder, ladders, tmp_path):  # noqa: F811
    made = []

    def make(store_url):  # noqa: F811
        env = Env(w3, store_url, market, simulator, vault, agent_key, decoder, tmp_path / "data")
        made.append(env)
        return env

    yield make
    for env in made:
        env.store.dispose()


@pytest.fixture
def env(make_env, store_url):
    return make_env(store_url)


@pytest.fixture
def sqlite_env(make_env, tmp_path):
    return make_env(f"sqlite:///{tmp_path / 'agent.db'}")
