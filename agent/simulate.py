"""`nmrx simulate`: several users with several models each, driven through the pool and the
staking agent for a number of simulated days, against the tournament simulator.

Each day: every model submits to the open round, the agent stakes by the owners' policies, users
act (deposits, policies direct and signed, allocations signed, moveStake, unstake, a signed free
withdrawal in the agent's batch, a direct free withdrawal, an express withdrawal), then the clock
jumps a day (the chain with `evm_increaseTime`, the simulator's clock with it), Numerai resolves
what is due (gains and burns by the round's rule), and the agent claims every position after
checking it. At the end the agent drains what is still at risk and prints a summary whose
balances must add up to the contracts' NMR holdings (it says whether they do).
"""

from __future__ import annotations

import random
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numerapi
import pandas as pd
from eth_account import Account
from numerapi import base_api
from web3 import Web3

from agent.models import model_id_from_uuid
from agent.sender import Sender
from agent.staking import (
    COMPOUND,
    FIXED,
    Delegations,
    StakingAgent,
    StakingConfig,
    sign_pool_message,
)
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

NMR = 10**18
DAY = 86_400
FAR = 2**40


@dataclass
class Contracts:
    """web3.py contracts and the roles the simulation acts as."""

    w3: Web3
    nmr: object
    registry: object
    staking: object
    pool: object
    operator: object  # LocalAccount: the pool's operator (the agent's sending key)
    attestor: object  # LocalAccount allowed to attest models in the registry
    numerai: object  # LocalAccount: the staking contract's signer and resolver
    funder: str  # an unlocked node account with ether for the users' gas


@dataclass
class User:
    name: str
    account: object
    models: list[str] = field(default_factory=list)
    uuids: list[str] = field(default_factory=list)
    deposited: int = 0

    @property
    def keys(self) -> tuple[str, str]:
        return (f"SIM{self.name.upper()}PUBLIC", f"SIM{self.name.upper()}SECRET")


class Progress:
    """A plain progress bar on stderr (no extra dependency)."""

    def __init__(self, total: int, out=sys.stderr, width: int = 30, name: str = "nmrx simulate"):
        self.total, self.out, self.width, self.done = total, out, width, 0
        self.name = name

    def step(self, note: str = "") -> None:
        self.done += 1
        filled = int(self.width * self.done / max(self.total, 1))
        self.out.write(
            f"\r{self.name} [{'#' * filled}{'.' * (self.width - filled)}] "
            f"{self.done}/{self.total} {note:<40}"
        )
        self.out.flush()
        if self.done >= self.total:
            self.out.write("\n")


def send(w3: Web3, account, fn, gas: int = 600_000) -> dict:
    tx = fn.build_transaction(
        {
            "from": account.address,
            "nonce": w3.eth.get_transaction_count(account.address),
            "gas": gas,
            "chainId": w3.eth.chain_id,
        }
    )
    signed = account.sign_transaction(tx)
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(signed.raw_transaction)
    )
    if receipt["status"] != 1:
        raise RuntimeError(f"{fn.fn_name} by {account.address} reverted")
    return receipt


class Simulation:
    def __init__(
        self,
        c: Contracts,
        *,
        users: int = 3,
        models: int = 2,
        seed: int = 1,
        store_url: str | None = None,
        folder: Path | None = None,
        out=sys.stderr,
        extra_accounts: tuple[AccountSpec, ...] = (),
    ):
        self.c, self.w3, self.out = c, c.w3, out
        self.rng = random.Random(seed)
        self.folder = Path(folder or tempfile.mkdtemp(prefix="nmrx-simulate-"))
        self.users = [
            User(f"u{i}", Account.from_key(Web3.keccak(text=f"nmrx-simulate/{seed}/{i}")))
            for i in range(users)
        ]
        config = SimulatorConfig(
            seed=seed,
            genesis=datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0),
            overlap=2,
            accounts=tuple(
                AccountSpec(
                    u.name,
                    tuple(f"sim{seed}_{u.name}_m{j}" for j in range(models)),
                    (TokenSpec(*u.keys),),
                )
                for u in self.users
            )
            + tuple(extra_accounts),  # the market story's parties (agent/simulate_market.py)
        )
        chain = OnChainNumerai(self.w3, c.numerai, c.staking, c.nmr, faucet=True)
        self.simulator = Simulator(config, ManualClock(datetime.now(UTC)), chain)
        self.server = SimulatorServer(self.simulator, tick_seconds=0).start()
        base_api.API_TOURNAMENT_URL = self.server.url
        self.store = Store(store_url or f"sqlite:///{self.folder / 'agent.db'}").migrate()
        self.delegations = Delegations(Vault(Web3.keccak(text=f"vault/{seed}")), None)
        self.agent = StakingAgent(
            self.w3,
            self.store,
            c.pool,
            c.staking,
            self.delegations,
            self.server.url,
            StakingConfig(claim_batch_size=20),
        )
        self.sender = Sender(self.w3, c.operator, self.store)
        self.watcher = self.agent.watcher(confirmations=0, start_block=self.w3.eth.block_number)
        self.minted = 0
        self.ids = None

    # -- helpers ------------------------------------------------------------------------------

    def api(self, user: User):
        return numerapi.NumerAPI(*user.keys, verbosity="CRITICAL", show_progress_bars=False)

    def agent_round(self) -> None:
        self.watcher.poll()
        self.agent.claim_resolved()
        self.agent.reconcile_finalized()
        self.agent.withdrawal_batch()
        for _ in range(20):
            self.sender.run_once(200)
            counts = self.store.job_counts()
            if not counts.get("planned") and not counts.get("sent"):
                break
        self.watcher.poll()

    def advance(self, seconds: int = DAY) -> None:
        self.w3.provider.make_request("evm_increaseTime", [seconds])
        self.w3.provider.make_request("evm_mine", [])
        self.simulator.clock.advance(seconds)
        self.simulator.tick()

    def submit_all(self) -> None:
        number = self.simulator.tournament.current_round().number
        for user in self.users:
            api = self.api(user)
            if self.ids is None or self._ids_round != number:
                path = api.download_dataset(
                    "v5.0/live_ids.csv", str(self.folder / f"live_ids_{number}.csv")
                )
                self.ids = pd.read_csv(path)["id"]
                self._ids_round = number
            for uuid in user.uuids:
                values = [self.rng.random() for _ in range(len(self.ids))]
                api.upload_predictions(
                    df=pd.DataFrame({"id": self.ids, "prediction": values}), model_id=uuid
                )

    # -- the story ----------------------------------------------------------------------------

    def setup(self) -> None:
        c, w3 = self.c, self.w3
        for user in self.users:
            w3.eth.send_transaction(
                {"from": c.funder, "to": user.account.address, "value": 10 * 10**18}
            )
            for name, uuid in sorted(self.api(user).get_models().items()):
                model = model_id_from_uuid(uuid)
                send(w3, c.attestor, c.registry.functions.attest(model, user.account.address, 8))
                user.models.append(model)
                user.uuids.append(uuid)
                self.delegations.add(model, user.account.address, NumeraiKey(*user.keys))
            amount = self.rng.randint(200, 400) * NMR
            send(w3, user.account, c.nmr.functions.faucet(user.account.address, amount))
            self.minted += amount
            send(w3, user.account, c.nmr.functions.approve(c.pool.address, 2**256 - 1))
            deposit = amount * 3 // 4
            send(w3, user.account, c.pool.functions.deposit(deposit))
            user.deposited = deposit
            for j, model in enumerate(user.models):
                send(
                    w3,
                    user.account,
                    c.pool.functions.increaseStake(model, deposit // (2 * len(user.models))),
                )
                per_round = self.rng.randint(5, 20) * NMR
                mode = COMPOUND if j % 2 else FIXED
                if j == 0:
                    send(w3, user.account, c.pool.functions.setPolicy(model, per_round, mode))
                else:  # a signed policy, relayed by the agent
                    self._relay_policy(user, model, per_round, mode)
            if (
                len(user.models) > 1
            ):  # half of the first model's payouts to the second, the rest liquid
                self._relay_allocation(
                    user, user.models[0], [(0, user.models[1], 5000), (2, "0x" + "00" * 32, 5000)]
                )

    def _nonce(self, user: User) -> int:
        (view,), _ = self.c.pool.functions.balancesOf([user.account.address], []).call()
        return view

    def _relay_policy(self, user, model, per_round, mode):
        nonce = self._nonce(user)[3]
        message = {
            "owner": user.account.address,
            "model": bytes.fromhex(model[2:]),
            "perRound": per_round,
            "mode": mode,
            "nonce": nonce,
            "deadline": FAR,
        }
        sig = sign_pool_message(
            user.account.key, self.agent.chain_id, self.c.pool.address, "SetPolicy", message
        )
        self.agent.relay_policy(model, user.account.address, per_round, mode, FAR, sig)
        self.agent_round()

    def _relay_allocation(self, user, model, targets):
        nonce = self._nonce(user)[3]
        message = {
            "owner": user.account.address,
            "model": bytes.fromhex(model[2:]),
            "targets": [
                {"kind": k, "model": bytes.fromhex(m[2:]), "bps": b} for k, m, b in targets
            ],
            "nonce": nonce,
            "deadline": FAR,
        }
        sig = sign_pool_message(
            user.account.key, self.agent.chain_id, self.c.pool.address, "SetAllocation", message
        )
        self.agent.relay_allocation(model, user.account.address, targets, FAR, sig)
        self.agent_round()

    def user_actions(self, day: int) -> None:
        c, w3 = self.c, self.w3
        user = self.users[day % len(self.users)]
        liquid = self._nonce(user)[0]
        _, views = c.pool.functions.balancesOf(
            [], [bytes.fromhex(m[2:]) for m in user.models]
        ).call()
        idle = [v[1] for v in views]
        action = day % 4
        if action == 0 and len(user.models) > 1 and idle[0] > NMR:
            send(
                w3,
                user.account,
                c.pool.functions.moveStake(user.models[0], user.models[1], idle[0] // 4),
            )
        elif action == 1 and idle[-1] > NMR:
            send(w3, user.account, c.pool.functions.unstake(user.models[-1], idle[-1] // 4))
        elif action == 2 and liquid > NMR:
            amount = liquid // 3
            (wview,), _ = c.pool.functions.balancesOf([user.account.address], []).call()
            message = {
                "user": user.account.address,
                "amount": amount,
                "nonce": wview[2],
                "deadline": FAR,
            }
            sig = sign_pool_message(
                user.account.key, self.agent.chain_id, c.pool.address, "Withdrawal", message
            )
            self.agent.request_free_withdrawal(user.account.address, amount, FAR, sig)
        elif action == 3 and liquid > NMR:
            amount = liquid // 4
            fee = c.pool.functions.expressFee(amount).call()
            send(w3, user.account, c.pool.functions.withdrawExpress(amount, fee))
        if day == 1 and liquid > NMR:  # a direct free withdrawal by another user
            other = self.users[(day + 1) % len(self.users)]
            other_liquid = self._nonce(other)[0]
            if other_liquid > NMR:
                send(w3, other.account, c.pool.functions.withdrawFree(other_liquid // 5))

    def run(self, days: int) -> dict:
        progress = Progress(days + 3, self.out)
        self.setup()
        progress.step("users, models, deposits, policies")
        for day in range(days):
            self.submit_all()
            self.agent.stake_round()
            self.agent_round()
            self.user_actions(day)
            self.agent_round()
            self.advance()
            self.agent_round()
            progress.step(
                f"day {day + 1}: round {self.simulator.tournament.current_round().number}"
            )
        # Drain: let every open position resolve and be claimed.
        for _ in range(3):
            self.advance()
            self.agent_round()
        progress.step("drained: every position resolved and claimed")
        summary = self.summary()
        progress.step("summary")
        return summary

    def summary(self) -> dict:
        c = self.c
        addresses = [u.account.address for u in self.users]
        models = [m for u in self.users for m in u.models]
        user_views, model_views = c.pool.functions.balancesOf(
            addresses, [bytes.fromhex(m[2:]) for m in models]
        ).call()
        liquid = sum(v[0] for v in user_views)
        idle = sum(v[1] for v in model_views)
        at_risk = sum(v[2] for v in model_views)
        fees = c.pool.functions.accruedFees().call()
        pool_holds = c.nmr.functions.balanceOf(c.pool.address).call()
        at_tournament = sum(
            c.staking.functions.stakeOf(r, c.pool.address, bytes.fromhex(m[2:])).call()
            for r in self.agent.positions()
            for m in models
        )
        wallets = sum(c.nmr.functions.balanceOf(a).call() for a in addresses)
        claimed = [e for e in self.store.events(self.watcher.name) if e["name"] == "RoundClaimed"]
        payouts = sum(int(e["args"]["payout"]) for e in claimed)
        burns = sum(int(e["args"]["burn"]) for e in claimed)
        to_wallets = sum(int(e["args"]["toWallet"]) for e in claimed)
        jobs = self.store.job_counts()
        result = {
            "users": [
                {
                    "user": u.name,
                    "wallet": c.nmr.functions.balanceOf(u.account.address).call(),
                    "liquid": v[0],
                }
                for u, v in zip(self.users, user_views)
            ],
            "liquid": liquid,
            "idle": idle,
            "at_risk": at_risk,
            "fees": fees,
            "pool_holds": pool_holds,
            "tournament_at_risk": at_tournament,
            "wallets": wallets,
            "minted": self.minted,
            "payouts": payouts,
            "burns": burns,
            "to_wallets": to_wallets,
            "positions": len(claimed),
            "jobs": jobs,
        }
        result["pool_adds_up"] = pool_holds == liquid + idle + fees
        result["risk_adds_up"] = at_risk == at_tournament
        result["total_adds_up"] = (
            self.minted + payouts - burns == wallets + liquid + idle + at_risk + fees
        )
        result["adds_up"] = (
            result["pool_adds_up"] and result["risk_adds_up"] and result["total_adds_up"]
        )
        return result

    def close(self) -> None:
        self.server.stop()
        self.store.dispose()


def nmr(wei: int) -> str:
    return f"{wei / NMR:,.6f} NMR"


def render(s: dict) -> list[str]:
    def verdict(ok: bool) -> str:
        return "adds up" if ok else "DOES NOT ADD UP"

    lines = ["", "nmrx simulate: summary"]
    for u in s["users"]:
        lines.append(f"  {u['user']}: wallet {nmr(u['wallet'])}, liquid in pool {nmr(u['liquid'])}")
    lines += [
        (
            f"  positions claimed {s['positions']}: payouts {nmr(s['payouts'])}, "
            f"burns {nmr(s['burns'])} ({nmr(s['to_wallets'])} routed to wallets)"
        ),
        (
            f"  pool holds {nmr(s['pool_holds'])} = liquid {nmr(s['liquid'])} + idle "
            f"{nmr(s['idle'])} + fees {nmr(s['fees'])}: {verdict(s['pool_adds_up'])}"
        ),
        (
            f"  at risk in the tournament {nmr(s['tournament_at_risk'])} = pool's at-risk "
            f"{nmr(s['at_risk'])}: {verdict(s['risk_adds_up'])}"
        ),
        (
            f"  minted {nmr(s['minted'])} + payouts - burns = wallets + liquid + idle + at risk"
            f" + fees: {verdict(s['total_adds_up'])}"
        ),
        f"  jobs: {s['jobs']}",
    ]
    return lines


def fresh_chain(folder: Path, out=sys.stderr, port: int | None = None):
    """A throwaway ganache on `port` (default: a free loopback port) with every contract
    deployed and one key for the agent (attestor, operator, Numerai's signer); returns
    (chain, Contracts)."""
    import socket

    from agent.config import Settings
    from agent.localchain import LocalChain

    if port is None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
    settings = Settings(data_dir=folder, chain_port=port, rpc_url=None)
    chain = LocalChain(settings)
    out.write(f"nmrx simulate: starting a fresh chain at {settings.chain_url} ...\n")
    chain.start()
    try:
        contracts = deploy_contracts(settings.chain_url, folder, out)
    except BaseException:
        chain.stop()
        raise
    return chain, contracts


def deploy_contracts(rpc_url: str, folder: Path, out=sys.stderr) -> Contracts:
    """Every contract deployed on the empty chain at `rpc_url` (any node whose first unlocked
    account has ether, e.g. a benchmark's other chain), the deployments book in
    `folder`/deployments, and a fresh key for the agent funded from that account."""
    from agent import deploy
    from agent.chain import ContractBook, Deployments, connect
    from agent.config import Settings

    w3 = connect(rpc_url)
    agent = Account.from_key(Web3.keccak(text=f"nmrx-simulate-agent/{rpc_url}"))
    funder = w3.eth.accounts[0]
    w3.eth.wait_for_transaction_receipt(
        w3.eth.send_transaction({"from": funder, "to": agent.address, "value": 100 * 10**18})
    )
    out.write("nmrx simulate: deploying ...\n")
    deploy.deploy(
        rpc_url,
        {
            "NMRX_AGENT_ADDRESS": agent.address,
            "NMRX_DEPLOYMENTS_DIR": str(folder / "deployments"),
        },
    )
    book = ContractBook(
        w3, Deployments.load(folder / "deployments", w3.eth.chain_id), Settings().build_dir
    )
    return Contracts(
        w3,
        book.contract("NMR"),
        book.contract("ModelRegistry"),
        book.contract("TournamentStaking"),
        book.contract("PayoutPool"),
        operator=agent,
        attestor=agent,
        numerai=agent,
        funder=funder,
    )


def main(
    days: int,
    users: int,
    models: int,
    seed: int = 1,
    out=sys.stdout,
    err=sys.stderr,
    market: bool = True,
    store_url: str | None = None,
) -> bool:
    """`nmrx simulate`: a fresh chain + simulator, the staking story for `days` days, then (with
    `market`) the Marketplace story (agent/simulate_market.py) on the same chain; the summaries.
    The agent's store is `store_url` (an empty database) or a SQLite file in the run's folder.
    True when the balances add up and every scripted market outcome is the chain's."""
    from agent import simulate_market

    folder = Path(tempfile.mkdtemp(prefix="nmrx-simulate-"))
    chain, contracts = fresh_chain(folder, err)
    market_summary = None
    try:
        sim = Simulation(
            contracts,
            users=users,
            models=models,
            seed=seed,
            folder=folder,
            out=err,
            store_url=store_url,
            extra_accounts=simulate_market.account_specs(seed) if market else (),
        )
        try:
            summary = sim.run(days)
            if market:
                marketplace, lens = simulate_market.load_market(contracts.w3, folder)
                story = simulate_market.MarketStory(sim, marketplace, lens, seed=seed)
                progress = Progress(story.STEPS, err, name="nmrx simulate market")
                market_summary = story.run(progress)
        finally:
            sim.close()
    finally:
        chain.stop()
    for line in render(summary):
        print(line, file=out, flush=True)
    if market_summary is not None:
        for line in simulate_market.render(market_summary):
            print(line, file=out, flush=True)
    return summary["adds_up"] and (market_summary is None or market_summary["ok"])
