"""The chain watcher: contract events into the store, with a persisted cursor.

Shaped after web3.py's EventScanner example, with the store as its state:

- only blocks at least `confirmations` deep are read;
- every poll re-reads the last `reorg_window` blocks below the cursor as well: an event whose
  block is no longer canonical is deleted, with the planned jobs it produced, and the canonical
  ones are inserted (keyed by block hash + log index, so re-reading is idempotent);
- handlers run in the same database transaction that inserts the event and moves the cursor, so
  a crash leaves either all of a chunk or none of it;
- when the node refuses a block range (too many results, timeouts), the range is halved, and
  grows back after successes.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
from eth_utils import event_abi_to_log_topic
from sqlalchemy import Connection, and_, delete, select, tuple_
from web3 import Web3
from web3._utils.events import get_event_data
from web3.exceptions import Web3Exception

from agent.errors import NmrxError
from agent.store import PLANNED, Store, events, jobs

log = logging.getLogger(__name__)

Handler = Callable[[Connection, dict], None]


class WatcherError(NmrxError, RuntimeError):
    """The node keeps refusing even a one-block log range."""


@dataclass
class Source:
    """Contracts whose events one watcher follows: address → ABI (events only are used)."""

    contracts: dict[str, list]
    names: set[str] | None = None  # only these event names (None: all)
    _by_topic: dict = field(default_factory=dict, init=False)

    def __post_init__(self):
        self.contracts = {Web3.to_checksum_address(a): abi for a, abi in self.contracts.items()}
        for address, abi in self.contracts.items():
            for item in abi:
                if item.get("type") == "event" and not item.get("anonymous"):
                    if self.names is None or item["name"] in self.names:
                        self._by_topic[(address, event_abi_to_log_topic(item))] = item

    def decode(self, w3: Web3, entry) -> tuple[str, dict] | None:
        if not entry["topics"]:
            return None
        abi = self._by_topic.get((Web3.to_checksum_address(entry["address"]), bytes(entry["topics"][0])))
        if abi is None:
            return None
        data = get_event_data(w3.codec, abi, entry)
        return abi["name"], {k: _jsonable(v) for k, v in data["args"].items()}


class Watcher:
    """Follows one Source; `poll()` ingests what is new and confirmed, repairing reorgs."""

    def __init__(
        self,
        w3: Web3,
        store: Store,
        name: str,
        source: Source,
        *,
        start_block: int = 0,
        confirmations: int = 3,
        reorg_window: int = 64,
        max_range: int = 2000,
        handlers: list[Handler] | None = None,
    ):
        self.w3, self.store, self.name, self.source = w3, store, name, source
        self.start_block = start_block
        self.confirmations = confirmations
        self.reorg_window = reorg_window
        self.max_range = max_range
        self.range = max_range
        self.handlers = list(handlers or [])
        self.head: int | None = None
        self.removed = 0

    def on_event(self, handler: Handler) -> Handler:
        """Register `handler(conn, event_row)`; it runs once per new event, in the ingest
        transaction. Jobs it plans should pass `origin_event_id=event_row["id"]`."""
        self.handlers.append(handler)
        return handler

    @property
    def cursor(self) -> int:
        """The last block fully ingested."""
        stored = self.store.cursor(self.name)
        return self.start_block - 1 if stored is None else stored

    def lag(self) -> int | None:
        """Blocks between the chain head (as last seen) and the cursor."""
        return None if self.head is None else max(self.head - self.cursor, 0)

    def poll(self) -> int:
        """Ingest up to the confirmed head; returns how many new events were stored."""
        self.head = self.w3.eth.block_number
        safe = self.head - self.confirmations
        cursor = self.cursor
        start = max(self.start_block, cursor + 1 - self.reorg_window)
        added = 0
        block = start
        while block <= safe:
            end = min(block + self.range - 1, safe)
            try:
                logs = self.w3.eth.get_logs(
                    {"fromBlock": block, "toBlock": end, "address": list(self.source.contracts)}
                )
            except (Web3Exception, ValueError, requests.RequestException) as exc:
                if end == block:
                    raise WatcherError(f"the node refuses logs of block {block} ({exc}); check NMRX_RPC_URL") from None
                self.range = max(1, (end - block + 1) // 2)
                log.info("node refused blocks %d-%d (%s); range now %d", block, end, exc, self.range)
                continue
            added += self._ingest(block, end, logs, advance=max(cursor, end))
            block = end + 1
            if self.range < self.max_range:
                self.range = min(self.max_range, self.range * 2)
        return added

    def _ingest(self, first: int, last: int, logs: list, advance: int) -> int:
        canonical = {}
        for entry in logs:
            if entry.get("removed"):
                continue
            decoded = self.source.decode(self.w3, entry)
            if decoded is None:
                continue
            name, args = decoded
            key = (entry["blockHash"].to_0x_hex(), entry["logIndex"])
            canonical[key] = dict(
                source=self.name, block_number=entry["blockNumber"], block_hash=key[0], log_index=key[1],
                tx_hash=entry["transactionHash"].to_0x_hex(), address=entry["address"], name=name, args=args,
            )
        with self.store.begin() as conn:
            in_range = and_(events.c.source == self.name, events.c.block_number.between(first, last))
            stored = {
                (r.block_hash, r.log_index): r.id
                for r in conn.execute(select(events.c.id, events.c.block_hash, events.c.log_index).where(in_range))
            }
            phantoms = [i for k, i in stored.items() if k not in canonical]
            if phantoms:
                # Effects not yet sent go with the event; sent ones stay for the sender to follow.
                conn.execute(delete(jobs).where(jobs.c.origin_event_id.in_(phantoms), jobs.c.state == PLANNED))
                conn.execute(delete(events).where(events.c.id.in_(phantoms)))
                self.removed += len(phantoms)
                log.warning("%s: %d event(s) of blocks %d-%d no longer canonical; removed", self.name,
                            len(phantoms), first, last)
            new = [row for k, row in canonical.items() if k not in stored]
            if new:
                conn.execute(events.insert(), new)
                if self.handlers:
                    keys = [(r["block_hash"], r["log_index"]) for r in new]
                    rows = conn.execute(
                        select(events).where(
                            events.c.source == self.name,
                            tuple_(events.c.block_hash, events.c.log_index).in_(keys),
                        ).order_by(events.c.block_number, events.c.log_index)
                    )
                    for row in rows:
                        for handler in self.handlers:
                            handler(conn, dict(row._mapping))
            self.store.set_cursor(self.name, advance, conn=conn)
        return len(new)

    def run_until_caught_up(self, timeout: float = 60.0) -> int:
        """Poll until the cursor reaches the confirmed head (tests, start-up)."""
        total, deadline = 0, time.monotonic() + timeout
        while True:
            total += self.poll()
            if self.cursor >= self.head - self.confirmations or time.monotonic() > deadline:
                return total


def _jsonable(value):
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, int) and abs(value) >= 2**53:
        return str(value)  # JSON numbers beyond 2**53 do not survive every database and client
    return value
