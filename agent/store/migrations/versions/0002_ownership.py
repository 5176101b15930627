"""Ownership challenges: one row per (wallet, model), the code kept only as its HMAC; at most
one VERIFIED row per model, enforced by a partial unique index.

Revision ID: 0002_ownership
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_ownership"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ownership_challenges",
        sa.Column("wallet", sa.String(42), primary_key=True),
        sa.Column("model_id", sa.String(66), primary_key=True),
        sa.Column("code_digest", sa.LargeBinary(32), nullable=False),
        sa.Column("issued_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("decided_at", sa.Float),
    )
    op.create_index(
        "uq_ownership_verified_model",
        "ownership_challenges",
        ["model_id"],
        unique=True,
        sqlite_where=sa.text("state = 'verified'"),
        postgresql_where=sa.text("state = 'verified'"),
    )


def downgrade() -> None:
    op.drop_index("uq_ownership_verified_model", table_name="ownership_challenges")
    op.drop_table("ownership_challenges")
