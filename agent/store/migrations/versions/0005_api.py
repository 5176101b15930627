"""The read API's tables: NMR rates per currency and UTC day (the periodic rates job fills it), the
timestamps of the blocks claims were booked in (so exports need no chain call), and Numerai's round
calendar (resolve times of open positions, refreshed by a periodic job, never per request).

Revision ID: 0005_api
Revises: 0003_market
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_api"
down_revision = "0003_market"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rates",
        sa.Column("currency", sa.String(8), primary_key=True),
        sa.Column("day", sa.Integer, primary_key=True),  # days since 1970-01-01 (UTC)
        sa.Column("price", sa.String(40), nullable=False),  # one NMR in `currency`, decimal
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("fetched_at", sa.Float, nullable=False),
    )
    op.create_table(
        "block_times",
        sa.Column("chain_id", sa.BigInteger, primary_key=True),
        sa.Column("block_number", sa.BigInteger, primary_key=True),
        sa.Column("timestamp", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "round_times",
        sa.Column("tournament", sa.Integer, primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("open_time", sa.Float),
        sa.Column("close_time", sa.Float),
        sa.Column("resolve_time", sa.Float),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    # The read model catches up by event id per source.
    op.create_index("ix_events_source_id", "events", ["source", "id"])


def downgrade() -> None:
    op.drop_index("ix_events_source_id", table_name="events")
    for table in ("round_times", "block_times", "rates"):
        op.drop_table(table)
