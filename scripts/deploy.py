"""Deploy the nmrx contracts to the active brownie network, skipping what is already there.

    brownie run scripts/deploy.py --network <network>

Addresses are recorded in deployments/<chainId>.json. A contract recorded there whose address
still has code is kept; anything missing is deployed and the file is rewritten atomically.

Environment (all optional):
    NMRX_NMR_ADDRESS               the NMR token to use (production: the real token); when unset a
                                   MockNMR is deployed, which only makes sense on test chains
    NMRX_ADMIN_ADDRESS             admin of every contract (production: a multisig); default deployer
    NMRX_AGENT_ADDRESS             the agent's address (attestor and operator roles; on test chains
                                   also Numerai's signer and round resolver); default deployer
    NMRX_TREASURY_ADDRESS          where the pool's fees go; default the admin
    NMRX_ARBITER_ADDRESS           who decides marketplace disputes
    NMRX_MARKET_TREASURY_ADDRESS   where the marketplace's fees go; default NMRX_TREASURY_ADDRESS
                                   when that is set and is not the admin
                                   The marketplace's arbiter and treasury are never the admin (the
                                   admin must not judge the disputes it could profit from): on a
                                   chain whose node unlocks accounts (local chains) they default to
                                   the first two node accounts that are neither the admin nor the
                                   agent; a keystore deployment without them stops and asks for
                                   them; set to the admin, the script stops too.
    NMRX_TOURNAMENT_ADDRESS        Numerai's staking v3 contract (production); when unset a
                                   MockTournamentStaking for tournament 8 is deployed
    NMRX_DEPLOYER_KEYSTORE         keystore JSON of the deployer, with
    NMRX_DEPLOYER_PASSWORD_FILE    a file holding its password; without them the node's first
                                   unlocked account deploys (local chains)
    NMRX_DEPLOYMENTS_DIR           where to write <chainId>.json; default ./deployments
"""

import json
import os
import sys
from pathlib import Path

from brownie import (
    MarketLens,
    Marketplace,
    MockNMR,
    MockTournamentStaking,
    ModelRegistry,
    PayoutPool,
    accounts,
    chain,
    web3,
)

PROJECT = Path(__file__).resolve().parent.parent
CLASSIC_TOURNAMENT = 8
DAY = 86_400
# Marketplace defaults (admin-adjustable within hard caps; see docs/market.md): fee 2.5%, bond
# 50% of open exposure, STAKE-mode buyer collateral 10% of the allowance, a seller at fault loses
# 100% of the order's price from its bond, half to the buyer; an over-staking buyer's collateral
# goes half to the seller; a dispute's loser forfeits half its 10 NMR bond to the winner.
MARKET_RATES = (250, 5_000, 1_000, 10_000, 5_000, 5_000, 5_000, 10 * 10**18)
# verdict window (raised per listing to the model tournament's first live score: 4 days for
# classic), challenge window, arbitration window, bond exit notice, plain-file complaint window.
# Changes take effect for listings created 3 days after they are set (MarketTerms.TERMS_DELAY).
MARKET_WINDOWS = (1 * DAY, 2 * DAY, 3 * DAY, 7 * DAY, 2 * DAY)


def deployments_path() -> Path:
    folder = Path(os.environ.get("NMRX_DEPLOYMENTS_DIR", PROJECT / "deployments"))
    return folder / f"{chain.id}.json"


def load_book(path: Path) -> dict:
    if not path.exists():
        return {"chainId": chain.id, "contracts": {}}
    try:
        book = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        sys.exit(f"deploy: {path} is not valid JSON ({exc}); fix it or delete it to redeploy")
    if book.get("chainId") != chain.id:
        sys.exit(f"deploy: {path} is for chain {book.get('chainId')}, connected to {chain.id}")
    return book


def save_book(path: Path, book: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(book, indent=2, sort_keys=True) + "\n")
    partial.replace(path)


def deployer_account():
    keystore = os.environ.get("NMRX_DEPLOYER_KEYSTORE")
    if keystore:
        password_file = os.environ.get("NMRX_DEPLOYER_PASSWORD_FILE")
        if not password_file:
            sys.exit("deploy: NMRX_DEPLOYER_KEYSTORE needs NMRX_DEPLOYER_PASSWORD_FILE")
        return accounts.load(keystore, Path(password_file).read_text().strip())
    if not len(accounts):
        sys.exit("deploy: the node has no unlocked account; set NMRX_DEPLOYER_KEYSTORE")
    return accounts[0]


def has_code(address: str | None) -> bool:
    return bool(address) and len(web3.eth.get_code(address)) > 0


def external(book: dict, name: str, variable: str) -> str | None:
    """Record a contract someone else deployed (named by `variable`), if configured."""
    address = os.environ.get(variable)
    if address:
        book["contracts"][name] = {"address": address, "args": [], "block": None}
    return address


def as_json(value):
    """A constructor argument as it is recorded in the book (tuples become lists)."""
    if isinstance(value, (list, tuple)):
        return [as_json(v) for v in value]
    return str(value)


def ensure(book: dict, name: str, container, *args) -> str:
    """Address of contract `name`: the recorded one if it still has code and was deployed with
    the same constructor arguments (so a redeployed dependency redeploys its dependents), else a
    new deployment."""
    *args, from_ = args
    recorded = [as_json(a) for a in args]
    entry = book["contracts"].get(name)
    if entry and entry.get("args") == recorded and has_code(entry["address"]):
        print(f"  {name}: kept {entry['address']}")
        return entry["address"]
    contract = container.deploy(*args, from_)
    book["contracts"][name] = {
        "address": contract.address,
        "args": recorded,
        "block": contract.tx.block_number,
    }
    print(f"  {name}: deployed {contract.address}")
    return contract.address


def grant_roles(contract, deployer, roles: dict[str, str]) -> None:
    """Grant each role once; when the deployer is not the admin, say what the admin must do."""
    for role_name, account in roles.items():
        role = web3.keccak(text=role_name)
        if contract.hasRole(role, account):
            continue
        if contract.hasRole(contract.DEFAULT_ADMIN_ROLE(), deployer):
            contract.grantRole(role, account, {"from": deployer})
            print(f"  {contract._name}: granted {role_name} to {account}")
        else:
            print(f"  {contract._name}: the admin must grant {role_name} to {account}")


def market_accounts(admin: str, agent: str) -> tuple[str, str]:
    """The marketplace's arbiter and treasury: configured, or spare node accounts, never the admin."""
    taken = {admin.lower(), agent.lower()}
    local = not os.environ.get("NMRX_DEPLOYER_KEYSTORE")
    spare = [a.address for a in accounts if a.address.lower() not in taken] if local else []
    pool_treasury = os.environ.get("NMRX_TREASURY_ADDRESS")
    chosen = {}
    for role, variable in (("arbiter", "NMRX_ARBITER_ADDRESS"), ("treasury", "NMRX_MARKET_TREASURY_ADDRESS")):
        value = os.environ.get(variable)
        if not value and role == "treasury" and pool_treasury and pool_treasury.lower() != admin.lower():
            value = pool_treasury
        if not value:
            spare = [a for a in spare if a.lower() not in {v.lower() for v in chosen.values()}]
            if not spare:
                sys.exit(f"deploy: set {variable}: the marketplace's {role} must be an account other than the admin")
            value = spare[0]
        if value.lower() == admin.lower():
            sys.exit(f"deploy: {variable} is the admin; the marketplace's {role} must be another account")
        chosen[role] = value
    return chosen["arbiter"], chosen["treasury"]


def main() -> dict:
    deployer = deployer_account()
    admin = os.environ.get("NMRX_ADMIN_ADDRESS") or deployer.address
    agent = os.environ.get("NMRX_AGENT_ADDRESS") or deployer.address
    treasury = os.environ.get("NMRX_TREASURY_ADDRESS") or admin
    path = deployments_path()
    book = load_book(path)
    print(f"deploy: chain {chain.id}, deployer {deployer.address}, book {path}")
    tx = {"from": deployer}

    nmr = external(book, "NMR", "NMRX_NMR_ADDRESS") or ensure(book, "NMR", MockNMR, tx)
    registry = ensure(book, "ModelRegistry", ModelRegistry, admin, agent, tx)
    tournament = external(book, "TournamentStaking", "NMRX_TOURNAMENT_ADDRESS") or ensure(
        book, "TournamentStaking", MockTournamentStaking, nmr, CLASSIC_TOURNAMENT, agent, agent, tx
    )
    ensure(book, "PayoutPool", PayoutPool, nmr, registry, tournament, admin, agent, treasury, tx)
    # The agent verifies, the arbiter rules: both named at deployment, so active at once.
    arbiter, market_treasury = market_accounts(admin, agent)
    market = ensure(
        book, "Marketplace", Marketplace, nmr, registry, admin, market_treasury, agent, arbiter,
        MARKET_RATES, MARKET_WINDOWS, tx,
    )
    ensure(book, "MarketLens", MarketLens, market, tx)

    save_book(path, book)
    return book
