"""Delivery (issue #12, item 3): a seller's file reaches the buyer, and its hash reaches the chain.

FILE and VERIFIED_FILE: `submit_file` checks the caller is the order's seller, validates the file
against the round's live ids (read through numerapi), seals it to the buyer's registered X25519
key (`agent.market.sealing`), keeps the ciphertext in the content-addressed blob store under the
data dir (never the plaintext, never in the database) and plans the ``deliver`` job that posts
keccak256(ciphertext). A seller may also seal client-side (`submit_sealed`, plain FILE mode
only): the agent then only checks the ciphertext against the hash the seller states and stores
it. VERIFIED_FILE also auto-submits the file to the buyer's slot, as STAKE mode does, so a
verdict can follow. The buyer downloads the ciphertext with `sealed_file`.

STAKE: the agent uploads the file to the buyer's slot through numerapi with the buyer's own
upload-scoped key (held encrypted by the vault, `agent.market.buyers`) under a random name
(`agent.market.submission`), confirms the slot lists it, and plans the ``deliver`` job that posts
the file's canonical prediction hash. The buyer never sees the file.

Every order is one row of `deliveries` and at most one job, keyed
``deliver:<chain>:<market>:<order>``. States: ``uploading`` (the upload's name is chosen and
recorded; the upload may or may not have reached Numerai), ``prepared`` (sealed or uploaded and
confirmed; the deliver job is planned), ``delivered`` (the deliver transaction confirmed, see
`sync`), ``failed`` (with `reason`). `prediction_hash` is the canonical hash of what was sold and
`submitted_at` when the agent confirmed the auto-submission in the slot (agent's clock): the
settlement reads both.

Crash safety comes from the order of writes. The random upload name is written (state
``uploading``) before the upload starts, and on a retry the slot's submission list is read first:
an upload that already landed under that name is not repeated, and none is ever made under a
second name. The row's move to ``prepared`` and the deliver job are one transaction, and the job
key is the order's, so at most one hash is ever posted. A sealed blob written before a crash and
never referenced is harmless (it opens only for the buyer) and a retry seals again.

A retry is the seller calling `submit_file` again with the same file (the plaintext is never
kept, so only the seller can resume an interrupted auto-submission); a different file for an
order already being delivered is refused. A failed auto-submission is recorded, logged as the
structured event ``delivery.failed`` and passed to `on_failure`; submitting again retries it.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import select, update
from web3 import Web3

from agent.errors import NmrxError
from agent.market.blobs import BlobStore
from agent.market.buyers import BuyerKeys, BuyerSettingsError
from agent.market.orders import (  # noqa: F401 (FILE, STAKE, ... re-exported for callers)
    FILE, MODE_NAMES, NONE, PAID, STAKE, VERIFIED_FILE, OrderFields,
)
from agent.market.sealing import SEAL_OVERHEAD, delivery_hash, seal_delivery
from agent.market.submission import (
    InvalidSubmissionName,
    parse_submission_filename,
    submission_filename,
)
from agent.sender import call_payload
from agent.store import CONFIRMED, FAILED, Store
from agent.store.schema import deliveries, jobs, order_key
from agent.tournament.client import (
    CLASSIC,
    InvalidKeys,
    MissingScope,
    NumeraiClient,
    NumeraiError,
)
from agent.vault import VaultError
from agent.verify.predictions import PredictionFile, parse_predictions

log = logging.getLogger(__name__)

NO_VERDICT = NONE
UPLOADING, PREPARED, DELIVERED, FAILED_STATE = "uploading", "prepared", "delivered", "failed"
DELIVER_KIND = "market-deliver"
#: The live-ids file numerapi downloads per tournament (Numerai's dataset names).
LIVE_FILES = {CLASSIC: "v5.0/live_ids.csv", 11: "signals/v1.0/live_ids.csv"}


class DeliveryError(NmrxError, ValueError):
    """A delivery the agent refuses: the message says why and what to do."""


class NotOrderSeller(DeliveryError):
    """The caller is not the order's seller."""


class UnknownOrder(DeliveryError):
    """No open, undelivered order has this id on this marketplace."""


class AlreadyDelivering(DeliveryError):
    """The order is already being delivered with another file."""


class SlotInUse(DeliveryError):
    """The buyer's slot already carries another order's different file for the round."""


class AutoSubmissionFailed(DeliveryError):
    """The upload to the buyer's slot failed; the delivery row records why."""

    def __init__(self, message: str, record: DeliveryRecord):
        super().__init__(message)
        self.record = record


@dataclass(frozen=True)
class MarketOrder(OrderFields):
    """An open order as the chain describes it: the struct `deliver` takes (state Paid, from
    `OrderOpened` and the listing) and the listing's round and model."""

    struct: tuple
    listing_id: int
    round: int
    model_id: str  # 0x bytes32

    @property
    def id(self) -> int:
        return self.struct[0]

    @property
    def deliver_by(self) -> int:
        return self.deadline


@dataclass(frozen=True)
class DeliveryRecord:
    """One row of `deliveries`."""

    chain_id: int
    market: str
    order_id: str  # decimal (agent.store.schema.order_key)
    mode: str
    round: int
    model_id: str
    seller: str
    buyer: str
    state: str
    delivery_hash: str | None
    prediction_hash: str | None
    blob: str | None
    submission_filename: str | None
    submitted_at: float | None
    reason: str | None
    created_at: float
    updated_at: float

    @classmethod
    def from_row(cls, row) -> DeliveryRecord:
        return cls(**row._mapping)


def _event(event: str, level: int = logging.INFO, **fields) -> None:
    log.log(level, "%s %s", event, json.dumps(fields, default=str, sort_keys=True))


class DeliveryFlow:
    """Deliveries for one Marketplace (a web3.py contract), sent under an agent key that holds
    the market's verifier role (or is the seller), on the core store and sender.

    `client` is the public numerapi client (live ids; its URL is used for buyers' uploads);
    `from_block` is where to look for `OrderOpened` events; `on_failure(record)` is called after
    a delivery is recorded as failed."""

    def __init__(
        self,
        w3: Web3,
        store: Store,
        market,
        client: NumeraiClient,
        buyers: BuyerKeys,
        blobs: BlobStore,
        *,
        from_block: int = 0,
        clock: Callable[[], float] = time.time,
        on_failure: Callable[[DeliveryRecord], None] | None = None,
    ):
        self.w3, self.store, self.market, self.client = w3, store, market, client
        self.buyers, self.blobs = buyers, blobs
        self.from_block, self.clock, self.on_failure = from_block, clock, on_failure
        self.chain_id = w3.eth.chain_id
        self.market_address = Web3.to_checksum_address(market.address)
        self.tournament = getattr(client, "tournament", CLASSIC)
        self._live_ids: dict[int, list[str]] = {}

    # -- the chain ----------------------------------------------------------------------------

    def key(self, order_id: int) -> str:
        """The deliver job's key: one hash posted per order, ever."""
        return f"deliver:{self.chain_id}:{self.market_address}:{int(order_id)}"

    def order(self, order_id: int) -> MarketOrder:
        """The open order `order_id`, rebuilt from its `OrderOpened` event and its listing."""
        order_id = int(order_id)
        opened = self.market.events.OrderOpened.get_logs(
            from_block=self.from_block, argument_filters={"orderId": order_id}
        )
        if not opened:
            raise UnknownOrder(
                f"order {order_id} was never opened on the marketplace {self.market_address}; "
                "check the order id"
            )
        ev = opened[-1]["args"]
        listing = self.market.functions.listingOf(ev["listingId"]).call()
        # Listing: seller, mode, closed, version, sold, fromRound, toRound, modelId, soldRound,
        # feeBps, minBondBps, terms, verdictWindow
        seller, mode, terms, verdict_window = listing[0], listing[1], listing[11], listing[12]
        struct = (
            order_id, seller, ev["buyer"], mode, PAID, NO_VERDICT, ev["deliverBy"], ev["feeBps"],
            terms, verdict_window, ev["price"], ev["buyerCollateral"], ev["bond"],
        )
        model_id = "0x" + int(listing[7]).to_bytes(32, "big").hex()
        return MarketOrder(struct, ev["listingId"], ev["round"], model_id)

    def _check_open(self, order: MarketOrder) -> None:
        if self.market.functions.orderHashOf(order.id).call() == b"\0" * 32:
            raise UnknownOrder(f"order {order.id} is no longer open (settled or refunded)")
        delivered = self.market.events.OrderDelivered.get_logs(
            from_block=self.from_block, argument_filters={"orderId": order.id}
        )
        if delivered:
            raise AlreadyDelivering(
                f"order {order.id} was already delivered on-chain (hash "
                f"0x{bytes(delivered[-1]['args']['deliveryHash']).hex()}); nothing to do"
            )

    def live_ids(self, round_number: int) -> list[str]:
        """The round's live ids, through numerapi (cached: they never change within a round)."""
        if round_number not in self._live_ids:
            filename = LIVE_FILES.get(self.tournament, LIVE_FILES[CLASSIC])
            with tempfile.TemporaryDirectory(prefix="nmrx-live-") as folder:
                path = self.client.download(
                    filename, str(Path(folder) / "live_ids.csv"), round_number
                )
                rows = list(csv.reader(io.StringIO(Path(path).read_text())))
            column = rows[0].index("id") if rows and "id" in rows[0] else 0
            self._live_ids[round_number] = [r[column] for r in rows[1:] if r]
        return self._live_ids[round_number]

    # -- the store ----------------------------------------------------------------------------

    def _where(self, order_id: int):
        return (
            (deliveries.c.chain_id == self.chain_id)
            & (deliveries.c.market == self.market_address)
            & (deliveries.c.order_id == order_key(int(order_id)))
        )

    def record(self, order_id: int) -> DeliveryRecord | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(select(deliveries).where(self._where(order_id))).first()
        return DeliveryRecord.from_row(row) if row else None

    def records(self, *states: str) -> list[DeliveryRecord]:
        query = select(deliveries).where(
            (deliveries.c.chain_id == self.chain_id) & (deliveries.c.market == self.market_address)
        )
        if states:
            query = query.where(deliveries.c.state.in_(states))
        with self.store.engine.connect() as conn:
            rows = conn.execute(query.order_by(deliveries.c.order_id)).all()
        return [DeliveryRecord.from_row(r) for r in rows]

    def _insert(self, conn, order: MarketOrder, state: str, **values) -> bool:
        """Insert the order's row unless it exists; True when this call inserted it."""
        now = self.clock()
        return conn.execute(
            self.store._insert(deliveries)
            .values(
                chain_id=self.chain_id, market=self.market_address, order_id=order_key(order.id),
                mode=MODE_NAMES[order.mode], round=order.round, model_id=order.model_id,
                seller=order.seller, buyer=order.buyer, state=state, created_at=now,
                updated_at=now, **values,
            )
            .on_conflict_do_nothing()
        ).rowcount == 1

    def _plan_deliver(self, conn, order: MarketOrder, hash_hex: str) -> None:
        fn = self.market.functions.deliver(order.struct, bytes.fromhex(hash_hex[2:]))
        payload = {**call_payload(fn), "order": str(order.id), "delivery_hash": hash_hex}
        self.store.plan(self.key(order.id), DELIVER_KIND, payload, conn=conn)

    def _fail(self, order_id: int, record: DeliveryRecord, reason: str) -> DeliveryRecord:
        with self.store.begin() as conn:
            conn.execute(
                update(deliveries)
                .where(self._where(record.order_id))
                .values(state=FAILED_STATE, reason=reason, updated_at=self.clock())
            )
        failed = self.record(record.order_id)
        _event("delivery.failed", logging.WARNING, chain=self.chain_id,
               market=self.market_address, order=str(order_id), mode=record.mode,
               buyer=record.buyer, round=record.round, reason=reason)
        if self.on_failure is not None:
            self.on_failure(failed)
        return failed

    # -- the seller hands over a file ---------------------------------------------------------

    def submit_file(self, order_id: int, file_bytes: bytes, seller: str) -> DeliveryRecord:
        """Deliver `file_bytes` for `order_id`. `seller` is the caller, already authenticated
        by the API; it must be the order's seller. Calling again with the same file resumes an
        interrupted delivery (or retries a failed auto-submission) and does nothing twice."""
        order = self.order(order_id)
        _check_seller(order, seller)
        record = self.record(order.id)
        if record is None:
            self._check_open(order)
        parsed = parse_predictions(file_bytes, self.live_ids(order.round))
        if record is not None:
            return self._resume(order, record, file_bytes, parsed)
        if order.mode == STAKE:
            self.buyers.slot(order.buyer)  # refuse now, before anything is written
            with self.store.begin() as conn:
                inserted = self._insert(
                    conn, order, UPLOADING, delivery_hash=parsed.hash_hex,
                    prediction_hash=parsed.hash_hex,
                    submission_filename=submission_filename(order.round),
                )
        else:
            public_key = self.buyers.public_key(order.buyer)
            if order.mode == VERIFIED_FILE:
                self.buyers.slot(order.buyer)
            sealed = seal_delivery(file_bytes, public_key)
            blob = self.blobs.put(sealed.ciphertext)
            hash_hex = "0x" + sealed.delivery_hash.hex()
            with self.store.begin() as conn:
                if order.mode == FILE:
                    inserted = self._insert(conn, order, PREPARED, delivery_hash=hash_hex,
                                            prediction_hash=parsed.hash_hex, blob=blob)
                    if inserted:
                        self._plan_deliver(conn, order, hash_hex)
                else:
                    inserted = self._insert(
                        conn, order, UPLOADING, delivery_hash=hash_hex,
                        prediction_hash=parsed.hash_hex, blob=blob,
                        submission_filename=submission_filename(order.round),
                    )
        record = self.record(order.id)
        if not inserted:  # a concurrent call for the order got there first
            return self._resume(order, record, file_bytes, parsed)
        if record.state == UPLOADING:
            return self._auto_submit(order, record, file_bytes)
        log.info("delivery-prepared order=%s mode=%s hash=%s", order.id, record.mode,
                 record.delivery_hash)
        return record

    def submit_sealed(self, order_id: int, ciphertext: bytes, seller: str,
                      expected_hash: str | bytes | None = None) -> DeliveryRecord:
        """Deliver a file the seller sealed to the buyer's key itself (plain FILE mode only: the
        other modes need the file to submit it). The agent cannot read it, so it only checks the
        ciphertext against `expected_hash` (the keccak256 the seller computed) and stores it."""
        order = self.order(order_id)
        _check_seller(order, seller)
        if order.mode != FILE:
            raise DeliveryError(
                f"order {order.id} is a {MODE_NAMES[order.mode]} order: the agent must submit "
                "the file to the buyer's slot, so hand over the file itself, not a sealed one"
            )
        if len(ciphertext) < SEAL_OVERHEAD:
            raise DeliveryError(
                f"the sealed file is {len(ciphertext)} bytes, too short to be a NaCl sealed box; "
                "seal the file to the buyer's public key with nmrx and send the result"
            )
        hash_hex = "0x" + delivery_hash(ciphertext).hex()
        if expected_hash is not None:
            expected = ("0x" + expected_hash.strip().lower().removeprefix("0x")
                        if isinstance(expected_hash, str) else "0x" + bytes(expected_hash).hex())
            if expected != hash_hex:
                raise DeliveryError(
                    f"the sealed file hashes to {hash_hex}, not the {expected} you stated; it "
                    "was altered on the way: send it again"
                )
        record = self.record(order.id)
        if record is not None:
            if record.delivery_hash != hash_hex:
                raise _other_file(order.id, record)
            return self._resume(order, record, None, None)
        self._check_open(order)
        blob = self.blobs.put(ciphertext)
        with self.store.begin() as conn:
            if self._insert(conn, order, PREPARED, delivery_hash=hash_hex, blob=blob):
                self._plan_deliver(conn, order, hash_hex)
        record = self.record(order.id)
        if record.delivery_hash != hash_hex:
            raise _other_file(order.id, record)
        return record

    def _resume(self, order: MarketOrder, record: DeliveryRecord, file_bytes: bytes | None,
                parsed: PredictionFile | None) -> DeliveryRecord:
        if parsed is not None and record.prediction_hash != parsed.hash_hex:
            raise _other_file(order.id, record)
        if record.state == UPLOADING:
            return self._auto_submit(order, record, file_bytes)
        upload_failed = record.submission_filename and record.submitted_at is None
        if record.state == FAILED_STATE and upload_failed:
            # A failed auto-submission: try again under the same name.
            with self.store.begin() as conn:
                conn.execute(update(deliveries).where(self._where(order.id))
                             .values(state=UPLOADING, reason=None, updated_at=self.clock()))
            return self._auto_submit(order, self.record(order.id), file_bytes)
        if record.state == PREPARED:
            with self.store.begin() as conn:  # finds the job planned with the row
                self._plan_deliver(conn, order, record.delivery_hash)
        return record

    # -- auto-submission to the buyer's slot --------------------------------------------------

    def _auto_submit(self, order: MarketOrder, record: DeliveryRecord,
                     file_bytes: bytes) -> DeliveryRecord:
        """Upload `file_bytes` to the buyer's slot under the recorded name unless the slot
        already lists that name, confirm it is there, then (one transaction) mark the row
        prepared and plan the deliver job."""
        name = record.submission_filename
        try:
            key, slot = self.buyers.slot(order.buyer)
            client = NumeraiClient(self.client.url, *key.numerapi_args(),
                                   tournament=self.tournament)
            listed = client.submissions(slot)
            if not _lists(listed, name):
                self._check_slot_free(order, record, listed)
                _upload(client, slot, name, file_bytes)
                self._after_upload(order.id)
                if not _lists(client.submissions(slot), name):
                    raise NumeraiError(
                        f"the upload {name} does not appear in the buyer's slot after Numerai "
                        "accepted it; submit again to retry"
                    )
        except (NumeraiError, BuyerSettingsError, VaultError, SlotInUse,
                requests.RequestException) as exc:
            reason = f"auto-submission to the buyer's slot failed: {_buyer_reason(exc)}"
            failed = self._fail(order.id, record, reason)
            raise AutoSubmissionFailed(
                f"order {order.id}: {reason} (recorded; the buyer is told)", failed
            ) from None
        with self.store.begin() as conn:
            moved = conn.execute(
                update(deliveries)
                .where(self._where(order.id) & (deliveries.c.state == UPLOADING))
                .values(state=PREPARED, submitted_at=self.clock(), updated_at=self.clock())
            ).rowcount
            if moved:
                self._plan_deliver(conn, order, record.delivery_hash)
        log.info("delivery-submitted order=%s mode=%s name=%s", order.id, record.mode, name)
        return self.record(order.id)

    def _check_slot_free(self, order: MarketOrder, record: DeliveryRecord,
                         listed: list[dict]) -> None:
        """A slot holds one submission per round, and a stake backs one hash: refuse to replace
        another order's different auto-submission for the round (the buyer registers another
        slot, then the seller submits again)."""
        ours = set()
        for submission in listed:
            name = str(submission.get("filename", "")).rsplit("/", 1)[-1]
            try:
                if parse_submission_filename(name)[0] == order.round:
                    ours.add(name)
            except InvalidSubmissionName:
                continue  # the buyer's own upload: its business
        if not ours:
            return
        with self.store.engine.connect() as conn:
            other = conn.execute(
                select(deliveries.c.order_id, deliveries.c.market).where(
                    deliveries.c.submission_filename.in_(sorted(ours)),
                    deliveries.c.state.in_((PREPARED, DELIVERED)),
                    deliveries.c.prediction_hash != record.prediction_hash,
                )
            ).first()
        if other is not None:
            raise SlotInUse(
                f"the buyer's slot already carries another order's file for round {order.round} "
                f"(order key {other.order_id} on {other.market}); a stake backs one file, so the "
                "buyer must register another model slot, then the seller submits again"
            )

    def _after_upload(self, order_id: int) -> None:
        """A seam between the upload and the job planning (tests inject a crash here)."""

    # -- confirmations and the buyer's download -----------------------------------------------

    def sync(self) -> list[DeliveryRecord]:
        """Move prepared rows on by their deliver job: confirmed → delivered; failed → failed
        (with the job's reason, as a ``delivery.failed`` event). Returns the rows it moved."""
        prepared = {r.order_id: r for r in self.records(PREPARED)}
        if not prepared:
            return []
        with self.store.engine.connect() as conn:
            done = conn.execute(
                select(jobs.c.payload, jobs.c.state, jobs.c.reason).where(
                    jobs.c.key.startswith(f"deliver:{self.chain_id}:{self.market_address}:"),
                    jobs.c.state.in_((CONFIRMED, FAILED)),
                )
            ).all()
        moved = []
        for payload, state, reason in done:
            record = prepared.get(order_key(int(payload["order"])))
            if record is None:
                continue
            if state == FAILED:
                moved.append(self._fail(int(payload["order"]), record,
                                        f"the deliver transaction failed: {reason}"))
                continue
            with self.store.begin() as conn:
                conn.execute(
                    update(deliveries)
                    .where(self._where(record.order_id) & (deliveries.c.state == PREPARED))
                    .values(state=DELIVERED, updated_at=self.clock())
                )
            moved.append(self.record(record.order_id))
        return moved

    def sealed_file(self, order: int | MarketOrder, buyer: str | None = None) -> bytes:
        """The ciphertext delivered for `order` (an id or a `MarketOrder`), checked against its
        content address. With `buyer` (the authenticated caller) it must be the order's buyer."""
        order_id = order.id if isinstance(order, MarketOrder) else int(order)
        record = self.record(order_id)
        if record is None or record.state not in (PREPARED, DELIVERED):
            raise UnknownOrder(f"order {order_id} has no delivery yet; ask again later")
        if buyer is not None and Web3.to_checksum_address(buyer) != record.buyer:
            raise DeliveryError(f"only the buyer of order {order_id} may download its file")
        if record.blob is None:
            raise DeliveryError(
                f"order {order_id} is a stake-mode order: its file went to the buyer's Numerai "
                "slot and is never handed out"
            )
        return self.blobs.get(record.blob)


def _check_seller(order: MarketOrder, seller: str) -> None:
    if Web3.to_checksum_address(seller) != order.seller:
        raise NotOrderSeller(
            f"{Web3.to_checksum_address(seller)} is not the seller of order {order.id} "
            f"({order.seller}); sign in with the seller's wallet"
        )


def _other_file(order_id: int, record: DeliveryRecord) -> AlreadyDelivering:
    return AlreadyDelivering(
        f"order {order_id} is already being delivered with another file (prediction hash "
        f"{record.prediction_hash}, delivery hash {record.delivery_hash}, state "
        f"{record.state}); one order delivers one file"
    )


def _buyer_reason(exc: Exception) -> str:
    """The failure in the buyer's terms: numerapi's messages speak of the agent's own settings."""
    if isinstance(exc, MissingScope):
        return (f"the buyer's Numerai key lacks the '{exc.scope}' scope; the buyer must register "
                "a key with the upload_submission and read_submission_info scopes")
    if isinstance(exc, InvalidKeys):
        return ("Numerai refused the buyer's Numerai key (revoked or mistyped); the buyer must "
                "register a valid key")
    if isinstance(exc, requests.RequestException):
        return f"Numerai's upload URL did not answer ({type(exc).__name__}); submit again"
    return str(exc)


def _lists(submissions: list[dict], name: str) -> bool:
    return any(str(s.get("filename", "")).rsplit("/", 1)[-1] == name for s in submissions)


def _upload(client: NumeraiClient, slot: str, name: str, file_bytes: bytes) -> str:
    """numerapi uploads from a path and names the upload after it: write the file under its
    random name in a private temporary folder, removed at once."""
    with tempfile.TemporaryDirectory(prefix="nmrx-upload-") as folder:
        path = Path(folder) / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(file_bytes)
        return client.upload(slot, file_path=str(path))
