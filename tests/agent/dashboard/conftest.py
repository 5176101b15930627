"""A seeded local stack for the dashboard's browser test, built once per module: brownie's ganache
with the pool and Numerai's staking contract, the tournament simulator playing Numerai on it, the
staking agent (its store on a real PostgreSQL) staking and claiming several rounds for alice's
models, the agent's API over uvicorn, and Debian's chromium driven by Playwright."""

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numerapi
import pandas as pd
import pytest
import uvicorn
from brownie import chain
from eth_account import Account

from agent.api.auth import Writes
from agent.api.deps import Service
from agent.api.main import create_app
from agent.chain import Deployments, connect
from agent.config import PROJECT_ROOT, Settings
from agent.notify import Notifier, Worker, pool_owners
from agent.rates import Rates, SimulatorPrices, day_of
from agent.readmodel import indexer as indexing
from agent.readmodel import rounds
from agent.readmodel.service import ReadModel
from agent.staking import COMPOUND, FIXED
from agent.tournament.client import NumeraiClient
from agent.tournament.simulator.onchain import OnChainNumerai
from tests.agent.core.conftest import fresh_pg_database, pg_url  # noqa: F401 (fixtures)
from tests.agent.staking.conftest import (  # noqa: F401 (fixtures)
    NMR,
    Setup,
    keys_of,
    numerai_key,
    operator_key,
    pool,
    staking,
    vault,
)
from tests.unitary.market_fixtures import BOUNDS, DAY, NO_SIG, deploy_market, fund, ladder
from tests.unitary.market_fixtures import make_seller
from tests.unitary.PayoutPool.helpers import private_key

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# The API's port: the dashboard helper's range is 8950-8999 (the chain takes NMRX_TEST_CHAIN_PORT).
API_PORT = int(os.environ.get("NMRX_TEST_DASHBOARD_PORT", "8961"))
SCREENSHOTS = PROJECT_ROOT / "reports" / "screenshots"
ROUNDS = 3  # rounds staked and resolved and claimed before the test; one more stays open


@dataclass
class Stack:
    setup: Setup  # simulator, store, staking agent, sender, watcher (tests/agent/staking)
    user: Account  # alice, who signs in the browser
    models: list[str]  # alice's on-chain model ids
    api: str  # the agent's API base URL
    open_round: int  # the round whose positions are still at risk
    market: object  # brownie Marketplace: alice's listing of her first model, with a book
    listing: int
    ladder: tuple  # the ask ladder alice posted on-chain for `open_round`
    bids: list[tuple[int, int]]  # bob's open bids: (units, total price wei)
    filled: int  # units bob bought from the ladder (one order, alice seller)


def _upload_all(s: Setup, user: str, folder: Path) -> None:
    """Every model of `user` submits to the open round (the agent stakes only submitted models)."""
    api = numerapi.NumerAPI(*keys_of(user), verbosity="CRITICAL", show_progress_bars=False)
    number = s.simulator.tournament.current_round().number
    ids = pd.read_csv(api.download_dataset("v5.0/live_ids.csv", str(folder / f"ids_{number}.csv")))
    for i, uuid in enumerate(sorted(api.get_models().values())):
        values = [((j * 7 + i * 13 + number) % len(ids)) / len(ids) for j in range(len(ids))]
        api.upload_predictions(df=pd.DataFrame({"id": ids["id"], "prediction": values}),
                               model_id=uuid)


def _serve(app, port: int) -> tuple[uvicorn.Server, threading.Thread]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           timeout_graceful_shutdown=5))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the agent API did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    return server, thread


def _seed_market(Marketplace, nmr, registry, attestor, admin, treasury, alice, bob, model,
                 round_):
    """alice lists `model`, posts an ask ladder for `round_` on-chain (1, 1.5, 2.5 NMR a unit),
    bob bids twice below it and buys 3 units from it: a book with both sides and one order."""
    market = deploy_market(Marketplace, nmr, registry, admin, treasury, admin, admin)
    listing = make_seller(nmr, market, registry, attestor, alice, model,
                          rounds=(round_ - 5, round_ + 20))
    t = chain.time()
    asks = ladder(listing, [NMR, 3 * NMR // 2, 5 * NMR // 2], [2, 3, 4], round_=round_,
                  deliver_by=t + 2 * DAY, expiry=t + DAY)
    market.postLadder(asks, {"from": alice})
    fund(nmr, market, bob, 50 * NMR)
    bids = [(2, 3 * NMR // 2), (5, 3 * NMR)]  # 0.75 and 0.6 NMR a unit
    for units, price in bids:
        market.postBid(listing, round_, units, price, t + 2 * DAY, t + DAY, *BOUNDS,
                       {"from": bob})
    market.fill(asks, *NO_SIG, 3, 2 * NMR, *BOUNDS, {"from": bob})  # 2 at 1 + 1 at 1.5 NMR
    return market, listing, asks, bids, 3


@pytest.fixture(scope="module")
def stack(
    nmr, registry, attestor, pool, staking, numerai_key, operator_key, vault, alice, bob,
    admin, treasury, Marketplace, pg_url, tmp_path_factory,
):
    from brownie import web3
    from numerapi import base_api

    folder = tmp_path_factory.mktemp("dashboard")
    saved_url = base_api.API_TOURNAMENT_URL
    w3 = connect(web3.provider.endpoint_uri)
    onchain = OnChainNumerai(
        w3,
        numerai_key,
        w3.eth.contract(address=staking.address, abi=staking.abi),
        w3.eth.contract(address=nmr.address, abi=nmr.abi),
        faucet=True,
    )
    store_url = fresh_pg_database(pg_url)
    s = Setup({"alice": 3, "bob": 1}, [alice, bob], nmr, registry, attestor, pool, staking,
              onchain, store_url, operator_key, vault, folder)
    server = notifier = None
    try:
        a1, a2, a3 = s.models["alice"]
        (b1,) = s.models["bob"]
        s.fund(alice, 300 * NMR)
        s.fund(bob, 100 * NMR)
        for model in (a1, a2, a3):
            s.bpool.increaseStake(model, 80 * NMR, {"from": alice})
        s.bpool.increaseStake(b1, 50 * NMR, {"from": bob})
        s.bpool.setPolicy(a1, 10 * NMR, FIXED, {"from": alice})
        s.bpool.setPolicy(a2, 6 * NMR, COMPOUND, {"from": alice})
        s.bpool.setPolicy(b1, 5 * NMR, FIXED, {"from": bob})  # another user's: never shown
        # Rounds staked and, days later, resolved and claimed: payouts in several rounds.
        for _ in range(ROUNDS):
            _upload_all(s, "alice", folder)
            _upload_all(s, "bob", folder)
            assert s.agent.stake_round() == 3
            s.send_all()
            s.resolve(days=1)
            s.watcher.poll()
            s.agent.claim_resolved()
            s.send_all()
        s.resolve(days=3)  # the last staked rounds resolve too
        s.watcher.poll()
        s.agent.claim_resolved()
        s.send_all()
        # One more round staked and left open: the positions timeline.
        _upload_all(s, "alice", folder)
        _upload_all(s, "bob", folder)
        assert s.agent.stake_round() == 3
        s.send_all()
        open_round = int(s.simulator.tournament.current_round().number)
        s.watcher.poll()
        market, listing, asks, bids, filled = _seed_market(
            Marketplace, nmr, registry, attestor, admin, treasury, alice, bob, a1, open_round
        )
        chain.mine()

        settings = Settings(
            data_dir=folder,
            rpc_url=web3.provider.endpoint_uri,
            store_url=store_url,
            numerai_api_url=s.server.url,
            api_port=API_PORT,
        )
        contracts = {
            "NMR": nmr.address,
            "ModelRegistry": registry.address,
            "TournamentStaking": staking.address,
            "PayoutPool": pool.address,
            "Marketplace": market.address,
        }
        deployments = Deployments(w3.eth.chain_id, contracts)
        service = Service(settings, w3, deployments, operator_key.address)
        # The read side's jobs, run to the end once (the service runs them periodically): the
        # API's indexer, the USD rates from the simulator's price source, the round calendar.
        indexing.indexer(w3, s.store, deployments, settings.build_dir,
                         confirmations=0).run_until_caught_up()
        chain_day = day_of(w3.eth.get_block("latest")["timestamp"])
        Rates(s.store).refresh(SimulatorPrices(s.server.url), ["USD"], days=10, today=chain_day)
        rounds.refresh(s.store, NumeraiClient(s.server.url))
        app = create_app(service)
        app.state.read = ReadModel(service, s.store, min_interval=0)
        # The write routes relay through this stack's staking agent, on its store.
        app.state.writes = Writes(s.store, s.agent.chain_id, pool.address, staking=s.agent)
        # The agent's notifications (the SSE stream's source), derived as the store changes.
        # Caught up first, so the page hears only what happens while it is open.
        notes = Notifier(s.store, owners=pool_owners(s.pool))
        while notes.poll():
            pass
        notifier = Worker(notes, None, every=0.2).start()
        server, thread = _serve(app, API_PORT)
        yield Stack(s, Account.from_key(private_key(alice)), [a1, a2, a3],
                    f"http://127.0.0.1:{API_PORT}", open_round, market, listing, asks, bids,
                    filled)
    finally:
        if server is not None:
            server.should_exit = True
            thread.join(10)
        if notifier is not None:
            notifier.stop()
        s.close()
        base_api.API_TOURNAMENT_URL = saved_url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/bootstrap.sh (installs Debian's chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
