"""Market workflows: what the agent delivered for each order (hashes and references, never a
plaintext file) and the evidence behind each verdict it posted (kept so it can be served).

Revision ID: 0003_market
Revises: 0002_ownership
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_market"
down_revision = "0002_ownership"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("chain_id", sa.BigInteger, primary_key=True),
        sa.Column("market", sa.String(42), primary_key=True),
        sa.Column("order_id", sa.String(78), primary_key=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("model_id", sa.String(66), nullable=False),
        sa.Column("seller", sa.String(42), nullable=False),
        sa.Column("buyer", sa.String(42), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("delivery_hash", sa.String(66)),
        sa.Column("prediction_hash", sa.String(66)),
        sa.Column("blob", sa.String(200)),
        sa.Column("submission_filename", sa.String(64)),
        sa.Column("submitted_at", sa.Float),
        sa.Column("reason", sa.Text),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_deliveries_state", "deliveries", ["state"])
    op.create_table(
        "evidence",
        sa.Column("hash", sa.String(66), primary_key=True),
        sa.Column("chain_id", sa.BigInteger, nullable=False),
        sa.Column("market", sa.String(42), nullable=False),
        sa.Column("order_id", sa.String(78), nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_evidence_order", "evidence", ["chain_id", "market", "order_id"])


def downgrade() -> None:
    op.drop_index("ix_evidence_order", table_name="evidence")
    op.drop_table("evidence")
    op.drop_index("ix_deliveries_state", table_name="deliveries")
    op.drop_table("deliveries")
