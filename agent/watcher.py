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
from functools import lru_cache
from dataclasses import dataclass, field

import requests
from eth_utils import event_abi_to_log_topic
from sqlalchemy import Connection, and_, delete, select, tuple_
from web3 import Web3
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
                        topic = "0x" + event_abi_to_log_topic(item).hex()
                        self._by_topic[(address.lower(), topic)] = _EventLayout(item)

    def decode(self, codec, entry: dict) -> tuple[str, dict] | None:
        """(event name, args) of a raw JSON-RPC log entry, or None if not followed."""
        if not entry["topics"]:
            return None
        layout = self._by_topic.get((entry["address"].lower(), entry["topics"][0]))
        return None if layout is None else (layout.name, layout.decode(codec, entry))


class _EventLayout:
    """One event's decoding plan, made once: web3's generic log formatting (checksumming every
    address, formatter chains) is most of the cost of ingesting, so raw logs are decoded here."""

    def __init__(self, abi: dict):
        self.name = abi["name"]
        self.indexed = [(i["name"], _abi_type(i)) for i in abi["inputs"] if i.get("indexed")]
        self.plain = [(i["name"], _abi_type(i)) for i in abi["inputs"] if not i.get("indexed")]
        self.order = [i["name"] for i in abi["inputs"]]

        self.plain_words = all(_word_decoder(k) for _n, k in self.plain)

    def decode(self, codec, entry: dict) -> dict:
        args = {}
        for (name, kind), topic in zip(self.indexed, entry["topics"][1:]):
            if _is_dynamic(kind):
                args[name] = topic  # only the hash of a dynamic value is in the topic
            else:
                word = _word_decoder(kind)
                args[name] = _jsonable(word(topic[2:]) if word else codec.decode([kind], bytes.fromhex(topic[2:]))[0])
        if self.plain:
            data = entry["data"][2:]
            if self.plain_words:  # static one-word values: slice the data, no general decoder
                for i, (name, kind) in enumerate(self.plain):
                    args[name] = _jsonable(_word_decoder(kind)(data[64 * i: 64 * i + 64]))
            else:
                values = codec.decode([k for _n, k in self.plain], bytes.fromhex(data))
                args.update({name: _jsonable(v) for (name, _k), v in zip(self.plain, values)})
        return {name: args[name] for name in self.order}


def _word_decoder(kind: str):
    """A decoder of one 32-byte word (as 64 hex digits) for the common static types, or None."""
    if kind == "address":
        return lambda w: "0x" + w[24:]
    if kind.startswith("uint"):
        return lambda w: int(w, 16)
    if kind.startswith("int") and kind[3:].isdigit():
        bits = int(kind[3:])
        return lambda w: (lambda v: v - (1 << 256) if v >= 1 << 255 else v)(int(w, 16)) if bits else None
    if kind == "bool":
        return lambda w: int(w, 16) != 0
    if kind.startswith("bytes") and kind[5:].isdigit():
        size = int(kind[5:])
        return lambda w: bytes.fromhex(w[: 2 * size])
    return None


def _abi_type(item: dict) -> str:
    if item["type"].startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in item["components"]) + ")" + item["type"][5:]
    return item["type"]


def _is_dynamic(kind: str) -> bool:
    return kind in ("string", "bytes") or kind.endswith("]") or kind.startswith("(")


class _Refused(Exception):
    """The node answered eth_getLogs with an error (typically: range too wide)."""


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
                logs = self._get_logs(block, end)
            except (_Refused, Web3Exception, ValueError, requests.RequestException) as exc:
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

    def _get_logs(self, first: int, last: int) -> list[dict]:
        """Raw eth_getLogs (hex strings as the node sent them); retried by the provider."""
        response = self.w3.provider.make_request(
            "eth_getLogs",
            [{"fromBlock": hex(first), "toBlock": hex(last), "address": list(self.source.contracts)}],
        )
        if response.get("error") is not None:
            raise _Refused(response["error"].get("message", response["error"]))
        return response["result"]

    def _ingest(self, first: int, last: int, logs: list, advance: int) -> int:
        canonical = {}
        codec = self.w3.codec
        for entry in logs:
            if entry.get("removed"):
                continue
            decoded = self.source.decode(codec, entry)
            if decoded is None:
                continue
            name, args = decoded
            key = (entry["blockHash"], int(entry["logIndex"], 16))
            canonical[key] = dict(
                source=self.name, block_number=int(entry["blockNumber"], 16), block_hash=key[0],
                log_index=key[1], tx_hash=entry["transactionHash"], address=_checksum(entry["address"]),
                name=name, args=args,
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


@lru_cache(maxsize=65536)
def _checksum(address: str) -> str:
    return Web3.to_checksum_address(address)


def _jsonable(value):
    if isinstance(value, str) and len(value) == 42 and value.startswith("0x"):
        return _checksum(value)  # eth_abi decodes addresses lower-case
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, int) and abs(value) >= 2**53:
        return str(value)  # JSON numbers beyond 2**53 do not survive every database and client
    return value
