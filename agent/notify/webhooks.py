"""The webhook sender: POSTs each pending `webhook_deliveries` row to its subscriber, signed.

The body is JSON with a `timestamp`; `X-Nmrx-Signature: sha256=<hex HMAC-SHA256 of the body
under the subscriber's secret>` and `X-Nmrx-Timestamp` let the receiver check it came from us
and is fresh (the timestamp is inside the signed body too). The secret is stored sealed by the
agent's vault (agent/api/routes/webhooks.py) and opened here only to sign; one that does not open
fails its delivery at once. A 2xx answer delivers it; anything else (status, refused
connection, timeout) is logged in the row's `log` and retried after
`base_delay * 2**(attempts-1)` seconds (capped), until `max_attempts`, then the row is `failed`.
A row is claimed by moving its `next_attempt_at` forward with a conditional update, so two
senders (replicas) never post the same attempt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable

import httpx
from sqlalchemy import select, update

from agent.notify.schema import notifications, webhook_deliveries, webhooks
from agent.store import Store
from agent.vault import Secret, Vault

log = logging.getLogger(__name__)

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
SIGNATURE_HEADER = "X-Nmrx-Signature"
TIMESTAMP_HEADER = "X-Nmrx-Timestamp"
SECRET_PURPOSE = "webhook"  # as agent/api/routes/webhooks.py seals it


def sign(secret: str | Secret, body: bytes) -> str:
    """The X-Nmrx-Signature value of `body`."""
    key = secret.reveal() if isinstance(secret, Secret) else secret
    return "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """A receiver's check (constant time)."""
    return hmac.compare_digest(sign(secret, body), header or "")


class WebhookSender:
    def __init__(
        self,
        store: Store,
        vault: Vault,
        *,
        timeout: float = 5.0,
        base_delay: float = 2.0,
        max_delay: float = 3600.0,
        max_attempts: int = 8,
        clock: Callable[[], float] = time.time,
        client: httpx.Client | None = None,
    ):
        self.store, self.vault, self.timeout, self.clock = store, vault, timeout, clock
        self.base_delay, self.max_delay, self.max_attempts = base_delay, max_delay, max_attempts
        self.client = client or httpx.Client(timeout=timeout, follow_redirects=False)

    def close(self) -> None:
        self.client.close()

    def delay(self, attempts: int) -> float:
        return min(self.base_delay * 2 ** max(attempts - 1, 0), self.max_delay)

    def run_once(self, limit: int = 50) -> int:
        """Attempt every due delivery (up to `limit`); returns how many were attempted."""
        now = self.clock()
        with self.store.engine.connect() as conn:
            due = conn.execute(
                select(webhook_deliveries, webhooks.c.url, webhooks.c.secret, webhooks.c.owner,
                       notifications.c.kind, notifications.c.data, notifications.c.addresses,
                       notifications.c.created_at.label("noted_at"))
                .join(webhooks, webhooks.c.id == webhook_deliveries.c.webhook_id)
                .join(notifications, notifications.c.id == webhook_deliveries.c.notification_id)
                .where(webhook_deliveries.c.state == PENDING,
                       webhook_deliveries.c.next_attempt_at <= now,
                       webhooks.c.deleted_at.is_(None))
                .order_by(webhook_deliveries.c.next_attempt_at, webhook_deliveries.c.id)
                .limit(limit)
            ).all()
        attempted = 0
        for row in due:
            if self._claim(row, now):
                self._attempt(row)
                attempted += 1
        return attempted

    def _claim(self, row, now: float) -> bool:
        with self.store.begin() as conn:
            return conn.execute(
                update(webhook_deliveries)
                .where(webhook_deliveries.c.id == row.id,
                       webhook_deliveries.c.state == PENDING,
                       webhook_deliveries.c.next_attempt_at == row.next_attempt_at)
                .values(next_attempt_at=now + self.timeout + 30)
            ).rowcount == 1

    def _open_secret(self, row) -> Secret | None:
        try:
            return self.vault.decrypt_secret(base64.b64decode(row.secret, validate=True),
                                             row.owner, SECRET_PURPOSE)
        except (binascii.Error, ValueError):  # VaultError is a ValueError
            return None

    def _attempt(self, row) -> None:
        timestamp = int(self.clock())
        body = json.dumps(
            {"id": row.notification_id, "delivery": row.id, "kind": row.kind,
             "created_at": row.noted_at, "timestamp": timestamp, "addresses": row.addresses,
             "data": row.data},
            sort_keys=True, separators=(",", ":"),
        ).encode()
        secret = self._open_secret(row)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "nmrx-webhooks/1",
            SIGNATURE_HEADER: sign(secret, body) if secret is not None else "",
            TIMESTAMP_HEADER: str(timestamp),
            "X-Nmrx-Event": row.kind,
            "X-Nmrx-Delivery": str(row.id),
        }
        started = time.monotonic()
        status, error = None, None
        if secret is None:
            # Unsigned would be worthless to the receiver, and retrying cannot fix a secret sealed
            # under another master key: fail the delivery now and say what to do.
            error = ("the webhook's stored secret does not open with this agent's vault key; "
                     "delete the webhook and subscribe again")
        else:
            try:
                response = self.client.post(row.url, content=body, headers=headers)
                status = response.status_code
                if not 200 <= status < 300:
                    error = f"the receiver answered {status}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
        ms = round((time.monotonic() - started) * 1000, 1)
        attempts = row.attempts + 1
        now = self.clock()
        entry = {"at": now, "attempt": attempts, "status": status, "error": error, "ms": ms}
        if error is None:
            state, next_at = DELIVERED, now
        elif secret is None or attempts >= self.max_attempts:
            state, next_at = FAILED, now
        else:
            state, next_at = PENDING, now + self.delay(attempts)
        with self.store.begin() as conn:
            conn.execute(
                update(webhook_deliveries).where(webhook_deliveries.c.id == row.id).values(
                    state=state, attempts=attempts, next_attempt_at=next_at, last_status=status,
                    last_error=error, log=list(row.log or []) + [entry], updated_at=now,
                )
            )
        level = logging.INFO if error is None else logging.WARNING
        log.log(level, "webhook.attempt %s", json.dumps(
            {"delivery": row.id, "webhook": row.webhook_id, "kind": row.kind,
             "attempt": attempts, "status": status, "error": error, "state": state}))
