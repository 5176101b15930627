"""The agent inside `nmrx run`: the core (store, Sender with the agent key, lease-free single
replica) with the staking flows and the market flows (verdicts, batched settlement, delivery
bookkeeping) installed, run by its Lifecycle in a background thread and stopped with the stack.

Delegated Numerai keys live encrypted in `<data_dir>/delegations.json` under the master key of
`<data_dir>/vault.key` (created on first use); `Delegations.add` registers one.
"""

from __future__ import annotations

import logging
import threading
from contextlib import ExitStack

from web3 import Web3

from agent.chain import ContractBook, Deployments
from agent.config import Settings
from agent.sender import RevertDecoder, Sender
from agent.service import AgentCore
from agent.staking import Delegations, StakingAgent
from agent.store import Store
from agent.vault import Vault, load_or_create_master_key

log = logging.getLogger(__name__)


def build(
    settings: Settings, w3: Web3, deployments: Deployments, account
) -> tuple[AgentCore, StakingAgent]:
    """An AgentCore for `account` (the pool's operator) with the staking flows installed."""
    store = Store(settings.store_database_url).migrate()
    book = ContractBook(w3, deployments, settings.build_dir)
    vault = Vault(load_or_create_master_key(settings.data_dir / "vault.key"))
    delegations = Delegations(vault, settings.data_dir / "delegations.json")
    agent = StakingAgent(
        w3,
        store,
        book.contract("PayoutPool"),
        book.contract("TournamentStaking"),
        delegations,
        settings.numerai_url,
    )
    sender = Sender(w3, account, store, decoder=RevertDecoder.from_build_dir(settings.build_dir))
    core = AgentCore(settings, w3, store, sender)
    agent.install(core)
    install_market(settings, w3, store, book, vault, core)
    return core, agent


def install_market(settings: Settings, w3: Web3, store: Store, book: ContractBook, vault: Vault,
                   core: AgentCore) -> None:
    """The market flows: verdicts and settlement batches each tick (the agent is the
    Marketplace's verifier), and delivery rows moved on as their deliver jobs finish."""
    from agent.market.blobs import BlobStore
    from agent.market.buyers import BuyerKeys
    from agent.market.delivery import DeliveryFlow
    from agent.market.settlement import MarketSettlement
    from agent.tournament.client import NumeraiClient

    market = book.contract("Marketplace")
    MarketSettlement(
        w3, store, market, book.contract("TournamentStaking"), numerai_url=settings.numerai_url
    ).install(core)
    delivery = DeliveryFlow(
        w3, store, market, NumeraiClient(settings.numerai_url), BuyerKeys(store, vault),
        BlobStore(settings.data_dir / "blobs"),
    )
    core.life.every(core.settings.poll_interval, delivery.sync, name="market:deliveries")


def start(
    settings: Settings, w3: Web3, deployments: Deployments, account, stack: ExitStack
) -> AgentCore:
    """Run the staking agent in a daemon thread until the stack closes."""
    core, _agent = build(settings, w3, deployments, account)

    def run():
        try:
            core.life.run()
        except Exception:
            log.exception("the staking agent stopped")

    thread = threading.Thread(target=run, name="nmrx-staking-agent", daemon=True)
    thread.start()

    def stop():
        core.life.stop("stack stopping")
        thread.join(timeout=15)
        core.store.dispose()

    stack.callback(stop)
    return core
