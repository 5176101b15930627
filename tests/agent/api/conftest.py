"""One seeded local stack for every read-API test of a module: brownie's ganache with the pool,
the tournament's staking contract and a marketplace; `nmrx simulate`'s story run for a few days
(real users, models, stakes, checked claims, relays, withdrawals) against the tournament simulator;
a marketplace listing with a posted ladder, bids and orders in several states; then the read
indexer run into a SQLite store AND a real PostgreSQL store, the rates and round calendar jobs run
from the simulator, and the API served from each store (parametrized)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from eth_account import Account
from fastapi.testclient import TestClient

from agent.api.deps import Service
from agent.api.main import create_app
from agent.chain import Deployments, connect
from agent.config import Settings
from agent.rates import Rates, SimulatorPrices, day_of
from agent.readmodel import indexer as indexing
from agent.readmodel import rounds
from agent.readmodel.service import ReadModel
from agent.simulate import Contracts, Simulation
from agent.store import Store
from agent.tournament.client import NumeraiClient
from tests.agent.core.conftest import fresh_pg_database, pg_url  # noqa: F401 (fixtures)
from tests.agent.staking.conftest import numerai_key  # noqa: F401 (fixture)
from tests.unitary.market_fixtures import (
    BOUNDS,
    DAY,
    NMR,
    VERIFIED_FILE,
    deploy_market,
    fund,
    ladder,
    make_seller,
    order_of,
    signer_account,
)
from tests.unitary.PayoutPool.helpers import private_key

CURRENCIES = ["USD", "EUR"]
SELLER_MODEL = "0x" + "00" * 16 + "5e11e45e11e45e11e45e11e45e11e4aa"
LISTED_ROUND = 600


@dataclass
class Stack:
    sim: Simulation
    w3: object
    contracts: Contracts
    deployments: Deployments
    market: object  # brownie contract
    seller: object
    buyers: tuple
    orders: dict  # name → order id
    bids: dict  # name → bid id
    listing: int
    stores: dict  # "sqlite" | "postgresql" → Store


@pytest.fixture(scope="package")
def stack(MockNMR, ModelRegistry, MockTournamentStaking, PayoutPool, Marketplace, operator,
          attestor, numerai_key, accounts, admin, treasury, bob, carol, chain, pg_url,  # noqa: F811
          tmp_path_factory):
    """Built once for the package (before any module's chain snapshot, so it stays)."""
    from brownie import web3

    folder = tmp_path_factory.mktemp("api-stack")
    nmr = MockNMR.deploy({"from": admin})
    registry = ModelRegistry.deploy(admin, attestor, {"from": admin})
    admin.transfer(numerai_key.address, 100 * 10**18)
    staking = MockTournamentStaking.deploy(nmr, 8, numerai_key.address, numerai_key.address,
                                           {"from": admin})
    pool = PayoutPool.deploy(nmr, registry, staking, admin, operator, treasury, {"from": admin})
    w3 = connect(web3.provider.endpoint_uri)
    c = Contracts(
        w3,
        w3.eth.contract(address=nmr.address, abi=nmr.abi),
        w3.eth.contract(address=registry.address, abi=registry.abi),
        w3.eth.contract(address=staking.address, abi=staking.abi),
        w3.eth.contract(address=pool.address, abi=pool.abi),
        operator=Account.from_key(private_key(operator)),
        attestor=Account.from_key(private_key(attestor)),
        numerai=numerai_key,
        funder=str(accounts[0]),
    )
    market = deploy_market(Marketplace, nmr, registry, admin, treasury, accounts[8], accounts[9])
    sim = Simulation(c, users=2, models=3, seed=13, folder=folder, out=io.StringIO())
    sim.run(3)
    # One more round staked and not resolved: open positions (pending payouts).
    sim.submit_all()
    sim.agent.stake_round()
    sim.agent_round()

    # The marketplace: a verified-file listing with a posted two-level ladder, two fills, bids.
    seller = signer_account(accounts, 13, admin)
    listing = make_seller(nmr, market, registry, attestor, seller, SELLER_MODEL,
                          mode=VERIFIED_FILE, rounds=(LISTED_ROUND, LISTED_ROUND + 5))
    for buyer in (bob, carol):
        fund(nmr, market, buyer, 1_000 * NMR)
    t = chain.time()
    lad = ladder(listing, (10 * NMR, 12 * NMR), (3, 4), round_=LISTED_ROUND,
                 deliver_by=t + 2 * DAY, expiry=t + 30 * DAY)
    market.postLadder(lad, {"from": seller})
    zero = "0x" + "00" * 32
    paid = order_of(market.fill(lad, zero, zero, 2, 10 * NMR, *BOUNDS, {"from": bob}),
                    market=market)
    second = order_of(market.fill(lad, zero, zero, 1, 10 * NMR, *BOUNDS, {"from": carol}),
                      market=market)
    delivered = order_of(market.deliver(second, "0x" + "ab" * 32, {"from": seller}),
                         "OrderDelivered")
    bid_tx = market.postBid(listing, LISTED_ROUND, 5, 8 * NMR, t + 2 * DAY, t + 20 * DAY,
                            *BOUNDS, {"from": bob})
    open_bid = bid_tx.events["BidPosted"]["bidId"]
    low_tx = market.postBid(listing, LISTED_ROUND, 2, 7 * NMR, t + 2 * DAY, t + 20 * DAY,
                            *BOUNDS, {"from": carol})
    cancelled_bid = low_tx.events["BidPosted"]["bidId"]
    market.cancelBid(cancelled_bid, {"from": carol})
    chain.mine()

    deployments = Deployments(w3.eth.chain_id, {
        "NMR": nmr.address, "ModelRegistry": registry.address, "TournamentStaking": staking.address,
        "PayoutPool": pool.address, "Marketplace": market.address,
    })
    stores = {"sqlite": sim.store,
              "postgresql": Store(fresh_pg_database(pg_url)).migrate()}
    settings = Settings(data_dir=folder)
    client = NumeraiClient(sim.server.url)
    chain_day = day_of(w3.eth.get_block("latest")["timestamp"])  # ahead of the wall clock
    for store in stores.values():
        indexing.indexer(w3, store, deployments, settings.build_dir,
                         confirmations=0).run_until_caught_up()
        Rates(store).refresh(SimulatorPrices(sim.server.url), CURRENCIES, days=40,
                             today=chain_day)
        rounds.refresh(store, client)
    s = Stack(sim, w3, c, deployments, market, seller, (bob, carol),
              {"paid": paid[0], "delivered": delivered[0]},
              {"open": open_bid, "cancelled": cancelled_bid}, listing, stores)
    yield s
    sim.close()
    stores["postgresql"].dispose()


@pytest.fixture(scope="package", params=["sqlite", "postgresql"])
def api(request, stack):
    """A TestClient of the app, its read model on one of the stores."""
    store = stack.stores[request.param]
    settings = Settings(data_dir=stack.sim.folder)
    service = Service(settings, stack.w3, stack.deployments, stack.contracts.operator.address)
    app = create_app(service)
    app.state.read = ReadModel(service, store, min_interval=0)
    client = TestClient(app)
    client.read = app.state.read
    client.store_kind = request.param
    return client


@pytest.fixture(autouse=True)
def isolation():
    """These tests only read: no per-test rewind and no per-module chain reset (brownie's
    `fn_isolation` resets the chain at every module start), so the package's stack stays."""
