"""The transaction sender: every transaction the agent sends is a job in the store.

The order that makes a crash anywhere harmless (pymaker's lesson, with a store):

1. estimate gas (a revert here fails the job with the contract's custom error name, nothing sent);
2. under the key's lock, allocate nonces as max(chain pending count, highest nonce the store ever
   recorded for the key + 1, next local), sign, and record planned → sent with the nonce, the
   signed bytes and their hash in one (lease-fenced) transaction;
3. only then broadcast (still under the lock, so in nonce order).

A job in `sent` is therefore always re-checkable by its hashes and re-broadcastable byte for byte:
the same nonce can only ever carry that job, so it is never done twice. A stuck transaction is
replaced (same nonce, fees bumped) and every hash is kept; a nonce left empty (a refused batch)
is filled with a zero-value self-transfer so later nonces are not stranded.
"""

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import requests
from eth_abi import decode as abi_decode
from eth_account.signers.local import LocalAccount
from eth_utils import function_signature_to_4byte_selector
from web3 import Web3
from web3.exceptions import TransactionNotFound, Web3Exception, Web3RPCError
from web3.providers.rpc.utils import REQUEST_RETRY_ALLOWLIST, ExceptionRetryConfiguration
from web3.types import RPCEndpoint

from agent.errors import NmrxError
from agent.store import CONFIRMED, FAILED, PLANNED, SENT, Job, LeaseLost, Store

log = logging.getLogger(__name__)

# Connection faults, 5xx answers and timeouts are retried for these JSON-RPC methods only:
# reads, and eth_sendRawTransaction (the same signed bytes can land once at most). Never
# eth_sendTransaction, where the node signs and a retry could be a second transaction.
IDEMPOTENT_METHODS = [m for m in REQUEST_RETRY_ALLOWLIST if m != "eth_sendTransaction"]
TRANSIENT = (requests.ConnectionError, requests.HTTPError, requests.Timeout)

# Node answers to a re-broadcast that mean "this nonce is already taken care of".
ALREADY_SENT = ("already known", "known transaction", "nonce too low", "already imported",
                "transaction already", "correct nonce")

PANIC_CODES = {0x01: "assert", 0x11: "arithmetic overflow", 0x12: "division by zero",
               0x21: "bad enum", 0x31: "pop on empty array", 0x32: "index out of bounds",
               0x41: "out of memory", 0x51: "uninitialized function"}


class SendError(NmrxError, RuntimeError):
    """The node refused a signed transaction for a reason other than a revert."""


def connect(url: str, *, timeout: float = 10.0, retries: int = 5, backoff: float = 0.1) -> Web3:
    """web3 over HTTP with bounded retries of idempotent calls on transient faults."""
    provider = Web3.HTTPProvider(
        url,
        request_kwargs={"timeout": timeout},
        exception_retry_configuration=ExceptionRetryConfiguration(
            errors=TRANSIENT, retries=retries, backoff_factor=backoff, method_allowlist=IDEMPOTENT_METHODS
        ),
    )
    return Web3(provider)


# -- revert reasons ---------------------------------------------------------------------------


class RevertDecoder:
    """Revert data → `ErrorName(arg=value, ...)`, from the custom errors of every ABI given."""

    def __init__(self, abis: Iterable[list]):
        self.errors: dict[bytes, tuple[str, list[str], list[str]]] = {}
        for abi in abis:
            for item in abi:
                if item.get("type") != "error":
                    continue
                types = [_abi_type(i) for i in item["inputs"]]
                selector = function_signature_to_4byte_selector(f"{item['name']}({','.join(types)})")
                self.errors[selector] = (item["name"], types, [i["name"] for i in item["inputs"]])

    @classmethod
    def from_build_dir(cls, build_dir: Path) -> "RevertDecoder":
        """Every error of every contract brownie compiled (build/contracts, dependencies too)."""
        abis = []
        for path in sorted(Path(build_dir).rglob("*.json")):
            try:
                abis.append(json.loads(path.read_text()).get("abi", []))
            except (OSError, json.JSONDecodeError):
                continue
        return cls(abis)

    def decode(self, data: str | bytes | None) -> str:
        raw = bytes.fromhex(data[2:] if data.startswith("0x") else data) if isinstance(data, str) else (data or b"")
        if not raw:
            return "reverted without a reason"
        selector, body = raw[:4], raw[4:]
        try:
            if selector == bytes.fromhex("08c379a0"):
                return f"Error({abi_decode(['string'], body)[0]!r})"
            if selector == bytes.fromhex("4e487b71"):
                code = abi_decode(["uint256"], body)[0]
                return f"Panic({code:#x}: {PANIC_CODES.get(code, 'unknown')})"
            if selector in self.errors:
                name, types, names = self.errors[selector]
                values = abi_decode(types, body)
                args = ", ".join(f"{n}={_show(v)}" if n else _show(v) for n, v in zip(names, values))
                return f"{name}({args})"
        except Exception:  # malformed revert data: show it raw rather than lose it
            pass
        return f"unknown error 0x{raw.hex()}"

    def from_exception(self, exc: BaseException) -> str:
        """The decoded reason of a revert that web3 raised, or the node's message."""
        data = _revert_data(exc)
        if data is not None:
            return self.decode(data)
        return str(exc)


def _abi_type(item: dict) -> str:
    if item["type"].startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in item["components"]) + ")" + item["type"][5:]
    return item["type"]


def _show(value) -> str:
    if isinstance(value, str) and Web3.is_address(value):
        return Web3.to_checksum_address(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


def _revert_data(exc: BaseException) -> str | None:
    data = getattr(exc, "data", None)
    if isinstance(data, str) and data.startswith("0x"):
        return data
    if isinstance(data, dict):
        for key in ("data", "result"):
            if isinstance(data.get(key), str) and data[key].startswith("0x"):
                return data[key]
    response = getattr(exc, "rpc_response", None)
    if isinstance(response, dict):
        err = response.get("error") or {}
        inner = err.get("data")
        if isinstance(inner, str) and inner.startswith("0x"):
            return inner
        if isinstance(inner, dict):
            for key in ("data", "result"):
                if isinstance(inner.get(key), str) and inner[key].startswith("0x"):
                    return inner[key]
        if "revert" in str(err.get("message", "")):
            return "0x"
    if "revert" in str(exc).lower() and "0x" not in str(exc):
        return "0x"
    return None


# -- nonces and fees --------------------------------------------------------------------------


class NonceAllocator:
    """Nonces of one key: max(chain pending count, store floor + 1, next local), under a lock.
    Hold `lock` across allocation *and* recording, so nonces are recorded in allocation order."""

    def __init__(self, w3: Web3, address: str, floor: Callable[[], int | None]):
        self.w3, self.address, self.floor = w3, address, floor
        self.lock = threading.RLock()
        self._next: int | None = None

    def allocate(self, count: int = 1) -> list[int]:
        with self.lock:
            pending = self.w3.eth.get_transaction_count(self.address, "pending")
            recorded = self.floor()
            start = max(pending, -1 if recorded is None else recorded + 1, self._next or 0)
            self._next = start + count
            return list(range(start, start + count))

    def reset(self) -> None:
        """Forget the local counter (after a refused batch): the next allocation asks again."""
        with self.lock:
            self._next = None


def market_fees(w3: Web3) -> tuple[int, int]:
    """EIP-1559 (max fee, priority fee): twice the latest base fee plus the node's tip."""
    base = w3.eth.get_block("latest").get("baseFeePerGas", 0)
    try:
        tip = w3.eth.max_priority_fee
    except (Web3Exception, ValueError):
        tip = Web3.to_wei(1, "gwei")
    return 2 * base + tip, tip


def call_payload(fn, value: int = 0, gas: int | None = None) -> dict:
    """A job payload for a bound contract function: {to, data, value[, gas]}."""
    payload = {"to": fn.address, "data": fn._encode_transaction_data(), "value": value}
    if gas is not None:
        payload["gas"] = gas
    return payload


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    confirmed: int = 0


# -- the sender -------------------------------------------------------------------------------


class Sender:
    """Sends the store's planned jobs from one key and follows them until confirmed or failed.

    `lease` (an `agent.lease.Lease`), when given, fences every planned → sent transition: a
    replica that lost the lease cannot record, so cannot broadcast, anything.
    """

    BUMP = 1.125  # a replacement must outbid its predecessor by 10 %+ on most nodes

    def __init__(
        self,
        w3: Web3,
        account: LocalAccount,
        store: Store,
        *,
        decoder: RevertDecoder | None = None,
        fees: Callable[[Web3], tuple[int, int]] = market_fees,
        lease=None,
        gas_margin: float = 1.25,
        max_replacements: int = 10,
    ):
        self.w3, self.account, self.store = w3, account, store
        self.address = account.address
        self.decoder = decoder or RevertDecoder([])
        self.fees = fees
        self.lease = lease
        self.gas_margin = gas_margin
        self.max_replacements = max_replacements
        self.chain_id = w3.eth.chain_id
        self.nonces = NonceAllocator(w3, self.address, lambda: store.max_nonce(self.address))
        self.last_error: str | None = None

    # -- submit -------------------------------------------------------------------------------

    def submit(self, jobs: list[Job]) -> SendReport:
        """Send planned jobs: estimate, record as sent (fenced), broadcast in nonce order."""
        report = SendReport()
        prepared: list[tuple[Job, dict]] = []
        for job in jobs:
            if job.state != PLANNED:
                continue
            tx = self._base_tx(job)
            if "gas" not in tx:
                try:
                    estimate = self.w3.eth.estimate_gas({**tx, "from": self.address})
                except TRANSIENT:
                    raise
                except (Web3Exception, ValueError) as exc:
                    reason = self.decoder.from_exception(exc)
                    log.warning("job %s fails before sending: %s", job.key, reason)
                    self.store.finish(job.id, FAILED, reason=reason)
                    report.failed += 1
                    continue
                tx["gas"] = int(estimate * self.gas_margin)
            prepared.append((job, tx))
        if not prepared:
            return report
        max_fee, tip = self.fees(self.w3)
        with self.nonces.lock:
            nonces = self.nonces.allocate(len(prepared))
            signed = [
                (job, self._sign({**tx, "nonce": n, "maxFeePerGas": max_fee, "maxPriorityFeePerGas": tip}))
                for (job, tx), n in zip(prepared, nonces)
            ]
            try:
                with self.store.begin() as conn:
                    self._fence(conn)
                    for job, (tx, tx_hash, raw) in signed:
                        if not self.store.mark_sent(
                            conn, job.id, sender=self.address, nonce=tx["nonce"], gas=tx["gas"],
                            max_fee=max_fee, tip=tip, tx_hash=tx_hash, tx_hashes=[tx_hash], raw_tx=raw,
                            lease_epoch=self.lease.epoch if self.lease else None,
                        ):
                            raise _Taken(job.key)
            except (_Taken, LeaseLost) as exc:
                self.nonces.reset()
                if isinstance(exc, LeaseLost):
                    raise
                log.warning("job %s was sent by someone else meanwhile; retrying next round", exc)
                return report
            # Still under the key's lock: batches reach the node in nonce order (some nodes drop
            # or strand transactions whose nonce is ahead of the pool).
            self._broadcast([(job.id, tx_hash, raw) for job, (_tx, tx_hash, raw) in signed])
        report.sent = len(signed)
        return report

    def _broadcast(self, batch: list[tuple[int, str, str]]) -> None:
        """Broadcast recorded transactions in nonce order; on a hard refusal, return the refused
        one and all after it to planned (they were never broadcast)."""
        for i, (job_id, tx_hash, raw) in enumerate(batch):
            try:
                self.w3.eth.send_raw_transaction(raw)
            except TRANSIENT as exc:
                # Unknown whether it arrived: it stays `sent`; recover() re-broadcasts it.
                self._error(f"broadcast of {tx_hash} unconfirmed ({exc}); will re-check")
                return
            except (Web3RPCError, ValueError) as exc:
                if _already_sent(exc) or self._known(tx_hash):
                    continue  # e.g. ganache's vmErrorsOnRPCResponse: mined (reverted), yet an error
                refused = [j for j, _h, _r in batch[i:]]
                with self.store.begin() as conn:
                    self.store.unsend(conn, refused)
                self.nonces.reset()
                self._error(f"node refused {tx_hash}: {exc}; {len(refused)} job(s) back to planned")
                raise SendError(f"the node refused a transaction from {self.address}: {exc}") from None

    # -- follow -------------------------------------------------------------------------------

    def confirm(self) -> int:
        """Finish every sent job whose transaction (any of its hashes) has a receipt; returns
        how many are still waiting."""
        waiting = 0
        for job in self.store.jobs(SENT, sender=self.address):
            receipt = self._receipt(job)
            if receipt is None:
                waiting += 1
                continue
            tx_hash = receipt["transactionHash"]
            if receipt["status"] == 1:
                self.store.finish(job.id, CONFIRMED, tx_hash=tx_hash, block_number=receipt["blockNumber"])
            else:
                reason = self._replay_reason(job, receipt["blockNumber"])
                log.warning("job %s reverted on chain: %s", job.key, reason)
                self.store.finish(job.id, FAILED, reason=reason, tx_hash=tx_hash,
                                  block_number=receipt["blockNumber"])
        return waiting

    def recover(self) -> int:
        """After a start or a fault: finish what was mined, fill nonce gaps, and re-broadcast
        (byte for byte) every recorded transaction still unknown to the chain."""
        waiting = self.confirm()
        if not waiting:
            return 0
        self._release_consumed_nonces()
        self.fill_gaps()
        for job in self.store.jobs(SENT, sender=self.address):
            try:
                self.w3.eth.send_raw_transaction(job.raw_tx)
            except TRANSIENT as exc:
                self._error(f"re-broadcast of {job.tx_hash} failed ({exc}); will retry")
                break
            except (Web3RPCError, ValueError) as exc:
                if not _already_sent(exc) and not self._known(job.tx_hash):
                    self._error(f"node refused re-broadcast of {job.key}: {exc}")
        return self.confirm()

    def _release_consumed_nonces(self) -> None:
        """A sent job whose nonce the chain has used, yet none of whose hashes has a receipt,
        lost its nonce to another transaction of the key (sent outside the agent): its effect
        did not happen, so it goes back to planned for a new nonce."""
        mined = self.w3.eth.get_transaction_count(self.address, "latest")
        lost = [j for j in self.store.jobs(SENT, sender=self.address)
                if j.nonce < mined and self._receipt(j) is None]
        if lost:
            self._error(f"nonces {[j.nonce for j in lost]} of {self.address} were used by other transactions; "
                        f"re-planning {[j.key for j in lost]}")
            with self.store.begin() as conn:
                self._fence(conn)
                self.store.unsend(conn, [j.id for j in lost])

    def fill_gaps(self) -> int:
        """Nonces between the chain's count and our highest recorded one that no sent job holds
        would strand every later transaction: fill each with a zero-value self-transfer job."""
        max_fee, tip = self.fees(self.w3)
        with self.nonces.lock:  # no send of this process may record a nonce meanwhile
            mined = self.w3.eth.get_transaction_count(self.address, "latest")
            sent = {j.nonce for j in self.store.jobs(SENT, sender=self.address)}
            top = self.store.max_nonce(self.address)
            gaps = [n for n in range(mined, (top or -1) + 1) if n not in sent]
            if not gaps:
                return 0
            batch = []
            with self.store.begin() as conn:
                self._fence(conn)
                for n in gaps:
                    key = f"nonce-gap:{self.chain_id}:{self.address}:{n}"
                    job = self.store.plan(key, "filler", {"to": self.address, "data": "0x", "value": 0}, conn=conn)
                    tx, tx_hash, raw = self._sign({**self._base_tx(job), "gas": 21000, "nonce": n,
                                                   "maxFeePerGas": max_fee, "maxPriorityFeePerGas": tip})
                    if self.store.mark_sent(conn, job.id, sender=self.address, nonce=n, gas=21000,
                                            max_fee=max_fee, tip=tip, tx_hash=tx_hash, tx_hashes=[tx_hash],
                                            raw_tx=raw, lease_epoch=self.lease.epoch if self.lease else None):
                        batch.append((job.id, tx_hash, raw))
        log.warning("filling %d nonce gap(s) of %s: %s", len(batch), self.address, gaps)
        self._broadcast(batch)
        return len(batch)

    def replace_stuck(self, older_than: float) -> int:
        """Re-sign sent jobs unmined after `older_than` seconds with the same nonce and fees
        bumped by 12.5 % (or to the market, if higher); every hash stays recorded."""
        now = time.time()
        mined = self.w3.eth.get_transaction_count(self.address, "latest")
        replaced = 0
        for job in self.store.jobs(SENT, sender=self.address):
            if job.sent_at is None or now - job.sent_at < older_than or job.nonce < mined:
                continue
            if self._receipt(job) is not None:
                continue
            if job.attempts > self.max_replacements:
                self._error(f"job {job.key} still unmined after {job.attempts} fee bumps; not bumping further")
                continue
            market_max, market_tip = self.fees(self.w3)
            tip = max(int(job.tip * self.BUMP) + 1, market_tip)
            max_fee = max(int(job.max_fee * self.BUMP) + 1, market_max, tip)
            tx, tx_hash, raw = self._sign({**self._base_tx(job), "gas": job.gas, "nonce": job.nonce,
                                           "maxFeePerGas": max_fee, "maxPriorityFeePerGas": tip})
            with self.store.begin() as conn:
                self._fence(conn)
                if not self.store.mark_replaced(conn, job, max_fee=max_fee, tip=tip, tx_hash=tx_hash,
                                                tx_hashes=[*(job.tx_hashes or []), tx_hash], raw_tx=raw):
                    continue
            log.info("replacing stuck %s (nonce %d): max fee %d → %d", job.key, job.nonce, job.max_fee, max_fee)
            try:
                self.w3.eth.send_raw_transaction(raw)
            except TRANSIENT as exc:
                self._error(f"broadcast of replacement {tx_hash} unconfirmed ({exc}); will re-check")
            except (Web3RPCError, ValueError) as exc:
                if not _already_sent(exc) and not self._known(tx_hash):
                    self._error(f"node refused replacement of {job.key}: {exc}")
            replaced += 1
        return replaced

    def run_once(self, batch_size: int, stuck_after: float | None = None) -> SendReport:
        """One round: follow what is in flight, send up to `batch_size` planned jobs."""
        self.confirm()
        if stuck_after is not None:
            self.replace_stuck(stuck_after)
        report = self.submit(self.store.jobs(PLANNED, limit=batch_size))
        report.confirmed = 0
        self.confirm()
        return report

    # -- internals ----------------------------------------------------------------------------

    def _base_tx(self, job: Job) -> dict:
        p = job.payload
        tx = {"to": Web3.to_checksum_address(p["to"]), "data": p.get("data", "0x"), "value": int(p.get("value", 0)),
              "chainId": self.chain_id, "type": 2}
        if p.get("gas"):
            tx["gas"] = int(p["gas"])
        return tx

    def _sign(self, tx: dict) -> tuple[dict, str, str]:
        signed = self.account.sign_transaction(tx)
        return tx, signed.hash.to_0x_hex(), signed.raw_transaction.to_0x_hex()

    def _fence(self, conn) -> None:
        if self.lease is not None:
            self.lease.check(conn)

    def _known(self, tx_hash: str) -> bool:
        """Whether the node has this transaction (pending or mined)."""
        try:
            self.w3.eth.get_transaction(tx_hash)
            return True
        except TransactionNotFound:
            return False

    def _receipt(self, job: Job) -> dict | None:
        """{status, blockNumber, transactionHash} of the mined transaction among the job's hashes,
        or None. Read from the node's answer as it is: web3's receipt formatting decodes every
        log, which for a batch of 40 claims or settlements costs several times the request
        (~20 ms a receipt on a fast node) and these three fields are all the Sender reads."""
        for tx_hash in reversed(job.tx_hashes or []):
            raw = self.w3.manager.request_blocking(RPCEndpoint("eth_getTransactionReceipt"),
                                                   [tx_hash])
            if raw is not None and raw.get("blockNumber") is not None:
                return {"status": int(raw["status"], 16),
                        "blockNumber": int(raw["blockNumber"], 16),
                        "transactionHash": raw["transactionHash"]}
        return None

    def _replay_reason(self, job: Job, block: int) -> str:
        tx = self._base_tx(job)
        call = {"from": self.address, "to": tx["to"], "data": tx["data"], "value": tx["value"], "gas": job.gas}
        try:
            self.w3.eth.call(call, block_identifier=max(block - 1, 0))
        except TRANSIENT:
            raise
        except (Web3Exception, ValueError) as exc:
            return self.decoder.from_exception(exc)
        return "reverted (the replay did not revert; out of gas?)"

    def _error(self, message: str) -> None:
        self.last_error = message
        log.error(message)


class _Taken(Exception):
    """A job left `planned` between reading and recording it."""


def _already_sent(exc: BaseException) -> bool:
    text = str(exc).lower()
    return any(marker in text for marker in ALREADY_SENT)
