"""Agent core: jobs, watcher cursors, events, leases.

Revision ID: 0001_core
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("sender", sa.String(42)),
        sa.Column("nonce", sa.BigInteger),
        sa.Column("gas", sa.BigInteger),
        sa.Column("max_fee", sa.BigInteger),
        sa.Column("tip", sa.BigInteger),
        sa.Column("tx_hash", sa.String(66)),
        sa.Column("tx_hashes", sa.JSON),
        sa.Column("raw_tx", sa.Text),
        sa.Column("block_number", sa.BigInteger),
        sa.Column("reason", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("lease_epoch", sa.BigInteger),
        sa.Column("origin_event_id", sa.Integer),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("sent_at", sa.Float),
        sa.UniqueConstraint("key", name="uq_jobs_key"),
    )
    op.create_index("ix_jobs_state", "jobs", ["state"])
    op.create_index("ix_jobs_origin_event_id", "jobs", ["origin_event_id"])
    op.create_index("ix_jobs_sender_nonce", "jobs", ["sender", "nonce"])
    op.create_table(
        "cursors",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("block", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("block_number", sa.BigInteger, nullable=False),
        sa.Column("block_hash", sa.String(66), nullable=False),
        sa.Column("log_index", sa.Integer, nullable=False),
        sa.Column("tx_hash", sa.String(66), nullable=False),
        sa.Column("address", sa.String(42), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("args", sa.JSON, nullable=False),
        sa.UniqueConstraint("source", "block_hash", "log_index", name="uq_events_source_block_log"),
    )
    op.create_index("ix_events_source_block", "events", ["source", "block_number"])
    op.create_table(
        "leases",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("holder", sa.String(128), nullable=False),
        sa.Column("epoch", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    for table in ("leases", "events", "cursors", "jobs"):
        op.drop_table(table)
