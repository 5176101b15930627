"""The agent's view of the chain: a web3 connection, the deployments book and contract
bindings built from brownie's build artifacts."""

import json
from pathlib import Path

from web3 import Web3
from web3.contract import Contract

from agent.errors import NmrxError


class ChainError(NmrxError, RuntimeError):
    """The chain is unreachable or lacks what the agent expects on it."""


def connect(url: str, timeout: float = 10.0) -> Web3:
    """A web3 connection to `url` that is known to answer."""
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": timeout}))
    if not w3.is_connected():
        raise ChainError(f"no Ethereum node answers at {url}; start one or fix NMRX_RPC_URL")
    return w3


class Deployments:
    """The addresses of deployments/<chainId>.json, as `scripts/deploy.py` writes them."""

    def __init__(self, chain_id: int, addresses: dict[str, str]):
        self.chain_id = chain_id
        self.addresses = addresses

    @classmethod
    def load(cls, folder: Path, chain_id: int) -> "Deployments":
        path = folder / f"{chain_id}.json"
        try:
            book = json.loads(path.read_text())
        except FileNotFoundError:
            raise ChainError(f"nothing is deployed on chain {chain_id} ({path} is missing)") from None
        except json.JSONDecodeError as exc:
            raise ChainError(f"{path} is not valid JSON ({exc}); fix or delete it") from None
        return cls(chain_id, {name: c["address"] for name, c in book["contracts"].items()})

    def __getitem__(self, name: str) -> str:
        try:
            return self.addresses[name]
        except KeyError:
            raise ChainError(f"{name} is not deployed on chain {self.chain_id}") from None


class ContractBook:
    """web3 contract objects for deployed nmrx contracts, with ABIs from the build folder."""

    # Deployment names whose artifact has another name.
    ARTIFACTS = {"NMR": "MockNMR", "TournamentStaking": "MockTournamentStaking"}

    def __init__(self, w3: Web3, deployments: Deployments, build_dir: Path):
        self.w3 = w3
        self.deployments = deployments
        self.build_dir = build_dir

    def abi(self, artifact: str) -> list:
        path = self.build_dir / f"{artifact}.json"
        try:
            return json.loads(path.read_text())["abi"]
        except FileNotFoundError:
            raise ChainError(f"no build artifact {path}; run `make bootstrap` and compile") from None

    def contract(self, name: str) -> Contract:
        address = self.deployments[name]
        return self.w3.eth.contract(address=address, abi=self.abi(self.ARTIFACTS.get(name, name)))
