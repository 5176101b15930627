"""The read model's watcher: every event of the pool, the registry, the tournament's staking
contract and the marketplace into the store under one source name, with the timestamp of each
block that has one (so a claim's time and day price need no chain call when it is served)."""

from __future__ import annotations

from sqlalchemy import select
from web3 import Web3

from agent.chain import ChainError, ContractBook, Deployments
from agent.readmodel.tables import block_times
from agent.store import Store
from agent.watcher import Source, Watcher

# Deployment names the read model follows (those deployed; the marketplace is optional).
FOLLOWED = ("PayoutPool", "ModelRegistry", "TournamentStaking", "Marketplace")


def source_name(chain_id: int) -> str:
    return f"api:{chain_id}"


def read_source(book: ContractBook) -> Source:
    contracts = {}
    for name in FOLLOWED:
        try:
            contract = book.contract(name)
        except ChainError:
            continue
        contracts[contract.address] = contract.abi
    return Source(contracts)


def indexer(w3: Web3, store: Store, deployments: Deployments, build_dir, *,
            confirmations: int = 3, start_block: int = 0, **kw) -> Watcher:
    """A Watcher filling `events` (source `api:<chain id>`) and `block_times`."""
    book = ContractBook(w3, deployments, build_dir)
    chain_id = deployments.chain_id
    seen: set[int] = set()

    def record_block_time(conn, row: dict) -> None:
        number = int(row["block_number"])
        if number in seen:
            return
        known = conn.execute(select(block_times.c.timestamp).where(
            block_times.c.chain_id == chain_id, block_times.c.block_number == number)).first()
        if known is None:
            stamp = int(w3.eth.get_block(number)["timestamp"])
            conn.execute(block_times.insert().values(
                chain_id=chain_id, block_number=number, timestamp=stamp))
        seen.add(number)

    return Watcher(w3, store, source_name(chain_id), read_source(book),
                   confirmations=confirmations, start_block=start_block,
                   handlers=[record_block_time], **kw)
