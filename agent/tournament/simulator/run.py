"""Starting the simulator for `nmrx simulator` (standalone) and `nmrx run` (with the stack): its
config from a TOML file or flags, its Numerai key and contracts from the local chain's
deployments, and what a user needs to point numerapi at it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from eth_account.signers.local import LocalAccount
from web3 import Web3

from agent.chain import ContractBook, Deployments
from agent.config import Settings
from agent.tournament.simulator.app import SimulatorServer
from agent.tournament.simulator.config import AccountSpec, SimulatorConfig, TokenSpec
from agent.tournament.simulator.onchain import OnChainError, OnChainNumerai
from agent.tournament.simulator.simulator import Simulator

# Without a config file: one account whose token opens everything (it opens only the simulator).
DEMO_ACCOUNT = AccountSpec(
    "demo", ("demo_model",), (TokenSpec("NMRXDEMOPUBLICID", "NMRXDEMOSECRETKEY", name="demo"),)
)


def load_config(path: Path | None, overrides: dict | None = None) -> SimulatorConfig:
    """The TOML file's config (or the defaults with the demo account), then `overrides`."""
    config = SimulatorConfig.from_toml(path) if path else SimulatorConfig(accounts=(DEMO_ACCOUNT,))
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    accounts = overrides.pop("accounts", None)
    if accounts:
        config = replace(config, accounts=config.accounts + tuple(accounts))
    return replace(config, **overrides) if overrides else config


def account_from_flag(text: str) -> AccountSpec:
    """`USER:MODEL[,MODEL...][:PUBLIC_ID:SECRET]` (token scopes: all)."""
    parts = text.split(":")
    if len(parts) not in (2, 4):
        raise ValueError(f"--account {text!r}: use USER:MODEL[,MODEL...][:PUBLIC_ID:SECRET]")
    username, models = parts[0], tuple(m for m in parts[1].split(",") if m)
    public_id, secret = (
        (parts[2], parts[3])
        if len(parts) == 4
        else (f"{username.upper()}PUBLICID", f"{username.upper()}SECRET")
    )
    return AccountSpec(username, models, (TokenSpec(public_id, secret),))


def on_chain(w3: Web3, settings: Settings, numerai: LocalAccount) -> OnChainNumerai:
    """Numerai's side of the deployed TournamentStaking, played with `numerai`'s key (on local
    chains the agent key is the contract's signer and resolver, see scripts/deploy.py)."""
    deployments = Deployments.load(settings.deployments_dir, w3.eth.chain_id)
    book = ContractBook(w3, deployments, settings.build_dir)
    staking = book.contract("TournamentStaking")
    signer = staking.functions.signer().call()
    if signer != numerai.address:
        raise OnChainError(
            f"the staking contract's signer is {signer}, not this key ({numerai.address}); "
            "start the simulator with the key that deployed as Numerai (NMRX_KEYSTORE)"
        )
    local = settings.local_chain or w3.eth.chain_id in (1337, 1338)
    return OnChainNumerai(w3, numerai, staking, book.contract("NMR"), faucet=local)


def state_file(settings: Settings, chain: OnChainNumerai | None) -> Path | None:
    """Where a simulator on `chain` keeps its state (none without a chain: nothing outlives it)."""
    return (
        None if chain is None else settings.data_dir / "simulator" / f"state-{chain.chain_id}.json"
    )


def start(
    config: SimulatorConfig,
    chain: OnChainNumerai | None,
    host: str,
    port: int,
    tick_seconds: float,
    state: Path | None = None,
) -> SimulatorServer:
    return SimulatorServer(
        Simulator(config, chain=chain, state_file=state), host, port, tick_seconds
    ).start()


def describe(server: SimulatorServer) -> list[str]:
    """Lines telling a user how to point numerapi at the running simulator."""
    sim = server.simulator
    lines = [f"tournament simulator at {server.url}"]
    for account in sim.tournament.accounts.values():
        models = ", ".join(m.name for m in account.models) or "no models"
        lines.append(f"  account {account.username} ({models})")
        for token in account.tokens:
            lines.append(
                f"    NUMERAI_PUBLIC_ID={token.public_id} NUMERAI_SECRET_KEY={token.secret_key}  scopes: {' '.join(token.scopes)}"
            )
    current = sim.tournament.current_round()
    rnd = f"round {current.number}" if current else "no round yet"
    chain = f"staking on {sim.chain.address}" if sim.chain else "no chain (staking v3 off)"
    lines.append(
        f"  {rnd}, overlap {sim.config.overlap}, {sim.config.round_seconds}s per round, {chain}"
    )
    lines.append(
        f'  numerapi: import numerapi.base_api; numerapi.base_api.API_TOURNAMENT_URL = "{server.url}"'
    )
    return lines
