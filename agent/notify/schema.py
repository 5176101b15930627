"""The notification tables (migration 0006_notify), as SQLAlchemy Core metadata.

- `notifications`: one row per thing a user may be told about, keyed by what it is about (an
  ingested chain event, a job reaching a terminal state, a delivery changing state), so deriving
  them again after a restart inserts nothing twice; `id` orders them for SSE cursors.
- `webhooks`: subscriptions, owned by the wallet that signed their creation; deleted ones stay
  (soft delete) so their delivery log can still be read.
- `webhook_deliveries`: one row per (webhook, notification) with every attempt logged; the
  webhook sender retries it with exponential backoff until delivered or given up.
- `api_nonces`: one-time nonces handed out by GET /v1/auth/nonce for signed API requests.
"""

from sqlalchemy import (
    JSON,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(240), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    # Lowercase addresses the notification concerns; empty: everybody (e.g. a round resolved).
    Column("addresses", JSON, nullable=False),
    Column("data", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
)

webhooks = Table(
    "webhooks",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(42), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("kinds", JSON, nullable=False),  # notification kinds, or ["*"]
    # The HMAC key the subscriber chose, sealed by the agent's vault (base64 of
    # `Vault.encrypt_secret(secret, owner, "webhook")`); never returned by the API nor logged.
    Column("secret", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("deleted_at", Float),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("webhook_id", String(32), nullable=False),
    Column("notification_id", Integer, nullable=False),
    Column("state", String(12), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Float, nullable=False),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("log", JSON, nullable=False),  # [{at, status, error, ms}] per attempt
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("webhook_id", "notification_id", name="uq_webhook_deliveries_pair"),
)
Index("ix_webhook_deliveries_due", webhook_deliveries.c.state, webhook_deliveries.c.next_attempt_at)

api_nonces = Table(
    "api_nonces",
    metadata,
    Column("nonce", String(66), primary_key=True),
    Column("address", String(42), nullable=False),
    Column("issued_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
    Column("used_at", Float),
    Column("action", String(64)),
)

__all__ = ["api_nonces", "metadata", "notifications", "webhook_deliveries", "webhooks"]
