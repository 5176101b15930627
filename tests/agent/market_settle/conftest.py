"""Fixtures of the verdict and settlement tests: brownie's ganache with a Marketplace whose
verifier is the agent's key, a MockTournamentStaking whose Numerai signer is the simulator's
(`OnChainNumerai`), and a `Trades` helper that lists, buys, delivers and stakes like the parties
would, then runs the agent (watcher → `MarketSettlement.tick` → Sender) until nothing is
pending.
"""

import time

import pytest
from brownie import chain, web3
from eth_account import Account

from agent.market.orders import order_key
from agent.market.settlement import MarketSettlement, SettlementConfig
from agent.sender import RevertDecoder, Sender, connect
from agent.store import Store
from agent.store.schema import deliveries
from tests.agent.core.conftest import BUILD, fresh_pg_database, pg_url  # noqa: F401 (fixtures)
from tests.agent.staking.conftest import numerai_key, onchain, staking  # noqa: F401 (fixtures)
from tests.unitary.market_fixtures import (
    BOUNDS,
    DAY,
    NMR,
    deploy_market,
    fund,
    ladder,
    make_seller,
    order_of,
    sign_ladder,
    signer_account,
)
from tests.unitary.PayoutPool.helpers import private_key

ROUND = 500


@pytest.fixture(scope="session")
def verifier(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def arbiter(accounts):
    return accounts[8]


@pytest.fixture(scope="session")
def verifier_key(verifier):
    return Account.from_key(private_key(verifier))


@pytest.fixture(scope="module")
def market(Marketplace, nmr, registry, admin, treasury, verifier, arbiter):
    return deploy_market(Marketplace, nmr, registry, admin, treasury, verifier, arbiter)


@pytest.fixture(scope="module")
def seller(accounts, admin):
    return signer_account(accounts, 21, admin)


@pytest.fixture(scope="module")
def funded(market, nmr, staking, seller, bob, carol):
    """1,000 NMR in the market for bob and carol; NMR approved to the tournament for stakes."""
    for buyer in (bob, carol):
        fund(nmr, market, buyer, 1_000 * NMR)
    for staker in (seller, bob, carol):
        nmr.faucet(staker, 1_000 * NMR, {"from": staker})
        nmr.approve(staking, 2**255, {"from": staker})


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'agent.db'}"
    return fresh_pg_database(request.getfixturevalue("pg_url"))


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'agent.db'}"


class Trades:
    """The parties' moves on chain and the agent that judges and settles them."""

    def __init__(self, market, staking, nmr, registry, attestor, seller, onchain, verifier_key,
                 store_url, batch=40, round_=ROUND, **agent_kw):
        self.bmarket, self.bstaking, self.nmr = market, staking, nmr
        self.registry, self.attestor = registry, attestor
        self.seller, self.onchain = seller, onchain
        self.w3 = connect(web3.provider.endpoint_uri)
        self.market = self.w3.eth.contract(address=market.address, abi=market.abi)
        self.staking = self.w3.eth.contract(address=staking.address, abi=staking.abi)
        self.store = Store(store_url).migrate()
        self.sender = Sender(self.w3, verifier_key, self.store,
                             decoder=RevertDecoder.from_build_dir(BUILD))
        self.round = round_
        self.agent = MarketSettlement(self.w3, self.store, self.market, self.staking,
                                      config=SettlementConfig(batch_size=batch), **agent_kw)
        self.watcher = self.agent.watcher(confirmations=0, start_block=web3.eth.block_number)
        self.chain_id = self.w3.eth.chain_id

    # -- the parties --------------------------------------------------------------------------

    def listing(self, model, mode, bond=100 * NMR):
        return make_seller(self.nmr, self.bmarket, self.registry, self.attestor, self.seller,
                           model, bond=bond, mode=mode, rounds=(self.round, self.round + 10))

    def buy(self, listing, buyer, units=10, unit_price=NMR, deliver_in=DAY):
        t = chain.time()
        lad = ladder(listing, (unit_price,), (1_000,), round_=self.round, deliver_by=t + deliver_in,
                     expiry=t + deliver_in)
        r, vs = sign_ladder(self.bmarket, self.seller, lad, chain_id=chain.id)
        tx = self.bmarket.fill(lad, r, vs, units, unit_price, *BOUNDS, {"from": buyer})
        return order_of(tx, market=self.bmarket)

    def deliver(self, order, delivery_hash, by=None):
        tx = self.bmarket.deliver(order, delivery_hash, {"from": by or self.seller})
        return order_of(tx, "OrderDelivered")

    def record(self, order, mode, model, prediction_hash, delivery_hash, submitted_at):
        """The row the delivery flow writes once it delivered `order`."""
        now = time.time()
        with self.store.begin() as conn:
            conn.execute(deliveries.insert().values(
                chain_id=self.chain_id, market=self.market.address, order_id=order_key(order[0]),
                mode=mode, round=self.round, model_id=model, seller=str(order[1]),
                buyer=str(order[2]),
                state="delivered", delivery_hash=delivery_hash, prediction_hash=prediction_hash,
                submitted_at=submitted_at, created_at=now, updated_at=now,
            ))

    def stake(self, staker, model, submission_hash, amount):
        """A position (or more stake on it) authorized by the simulator's Numerai signer."""
        auth = self.onchain.authorize(self.round, str(staker), model, submission_hash, amount,
                                      3 * DAY)
        values = (auth.tournament, auth.round, auth.staker, model, submission_hash,
                  auth.max_amount, auth.nonce, auth.deadline)
        self.bstaking.stake(values, amount, auth.signature, {"from": staker})

    # -- the agent ----------------------------------------------------------------------------

    def run(self, rounds=20):
        """Watch, plan and send until no job is pending; returns the tick reports."""
        reports = []
        for _ in range(rounds):
            self.watcher.poll()
            reports.append(self.agent.tick())
            self.sender.run_once(200)
            counts = self.store.job_counts()
            if not counts.get("planned") and not counts.get("sent"):
                self.watcher.poll()
                return reports
        raise AssertionError(f"jobs still pending: {self.store.job_counts()}")

    def jobs(self, kind):
        return [j for j in self.store.jobs() if j.kind == kind]

    def close(self):
        self.store.dispose()


@pytest.fixture
def make_trades(market, staking, nmr, registry, attestor, seller, onchain, verifier_key, funded):
    made = []

    def make(store_url, **kw):
        t = Trades(market, staking, nmr, registry, attestor, seller, onchain, verifier_key,
                   store_url, **kw)
        made.append(t)
        return t

    yield make
    for t in made:
        t.close()


def sleep(seconds):
    """Move the chain's clock and mine a block, so the agent (reading block time) sees it."""
    chain.sleep(seconds)
    chain.mine()
