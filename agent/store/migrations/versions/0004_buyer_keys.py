"""Buyers' delivery settings: nothing on-chain says where a buyer's file goes, so a buyer
registers it with the agent. The X25519 public key FILE-mode deliveries are sealed to; the
buyer's upload-scoped Numerai key (a vault blob, never plaintext) and the model slot auto-
submissions go to (VERIFIED_FILE and STAKE modes).

Revision ID: 0004_buyer_keys
Revises: 0003_market
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_buyer_keys"
down_revision = "0003_market"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "buyer_keys",
        sa.Column("buyer", sa.String(42), primary_key=True),
        sa.Column("public_key", sa.String(64)),
        sa.Column("numerai_key", sa.LargeBinary),
        sa.Column("slot_model", sa.String(36)),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("buyer_keys")
