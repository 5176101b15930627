"""The write API and notifications inside `nmrx run`, beside the staking agent.

`start` gives the app its write context on the agent's store: a `StakingAgent` of its own on
the same pool and store validates signed pool messages and plans their relay jobs, which the
staking agent's Sender (lease holder of the store) sends like any other job, as it sends the
registry jobs of the ownership flow; and a `Worker`
thread derives notifications, posts webhooks and reads daily scores. Everything stops with the
stack.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from contextlib import ExitStack

from agent.api.auth import Writes
from agent.chain import ContractBook, Deployments
from agent.config import Settings
from agent.notify import DailyScores, Notifier, WebhookSender, Worker, pool_owners
from agent.ownership_flow import OwnershipFlow
from agent.staking import Delegations, StakingAgent
from agent.store import Store
from agent.tournament.client import NumeraiClient
from agent.vault import Vault, load_or_create_master_key

log = logging.getLogger(__name__)


def start(app, settings: Settings, w3, deployments: Deployments, stack: ExitStack, *,
          every: float = 1.0) -> Writes:
    """Serve writes from `app` and run the notifications until the stack closes."""
    store = Store(settings.store_database_url).migrate()
    book = ContractBook(w3, deployments, settings.build_dir)
    master = load_or_create_master_key(settings.data_dir / "vault.key")
    vault = Vault(master)
    delegations = Delegations(vault, settings.data_dir / "delegations.json")
    staking = StakingAgent(w3, store, book.contract("PayoutPool"),
                           book.contract("TournamentStaking"), delegations, settings.numerai_url)
    # Ownership codes are kept as HMACs under a key derived from the vault's master key, so they
    # survive restarts without another secret to manage. The registry writes go out under the
    # agent key (the local registry's attestor) through the staking agent's Sender.
    codes_key = hmac.new(master, b"nmrx ownership codes", hashlib.sha256).digest()
    ownership = OwnershipFlow(w3, store, book.contract("ModelRegistry"),
                              NumeraiClient(settings.numerai_url), codes_key)
    writes = Writes(store, staking.chain_id, deployments["ModelRegistry"], staking=staking,
                    ownership=ownership, vault=vault)
    app.state.writes = writes
    notifier = Notifier(store, owners=pool_owners(staking.pool))
    worker = Worker(notifier, WebhookSender(store, vault), every=every,
                    scores=DailyScores(notifier, delegations, staking.client)).start()

    def stop():
        worker.stop()
        store.dispose()

    stack.callback(stop)
    return writes
