"""`ChallengeStore` on the agent's core store (SQLite or PostgreSQL), table created by the
`0002_ownership` migration. `put` of several challenges is one transaction; the database keeps
at most one VERIFIED challenge per model (partial unique index), so two wallets verifying the
same model at once cannot both win."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, Float, LargeBinary, MetaData, String, Table, select
from sqlalchemy.exc import IntegrityError

from agent.store import Store
from agent.verify.ownership import Challenge, ChallengeState, OwnershipError

metadata = MetaData()
challenges = Table(
    "ownership_challenges",
    metadata,
    Column("wallet", String(42), primary_key=True),
    Column("model_id", String(66), primary_key=True),
    Column("code_digest", LargeBinary(32), nullable=False),
    Column("issued_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("state", String(12), nullable=False),
    Column("decided_at", Float),
)


class OwnershipConflict(OwnershipError):
    """Another wallet became the model's verified owner at the same moment."""


def _ts(value: datetime | None) -> float | None:
    return None if value is None else value.timestamp()


def _dt(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def _challenge(row) -> Challenge:
    m = row._mapping
    return Challenge(
        wallet=m["wallet"],
        model_id=m["model_id"],
        code_digest=bytes(m["code_digest"]),
        issued_at=_dt(m["issued_at"]),
        expires_at=_dt(m["expires_at"]),
        state=ChallengeState(m["state"]),
        decided_at=_dt(m["decided_at"]),
    )


class SqlChallengeStore:
    """The `ChallengeStore` of `agent.verify.ownership` in the core store (migrated)."""

    def __init__(self, store: Store):
        self.store = store

    def get(self, wallet: str, model_id: str) -> Challenge | None:
        with self.store.engine.connect() as c:
            row = c.execute(
                select(challenges).where(
                    challenges.c.wallet == wallet, challenges.c.model_id == model_id
                )
            ).first()
        return _challenge(row) if row else None

    def put(self, *items: Challenge) -> None:
        """Upsert every challenge in one transaction, in order (a revocation before the
        verification that replaces it)."""
        try:
            with self.store.begin() as c:
                for ch in items:
                    values = dict(
                        code_digest=ch.code_digest,
                        issued_at=_ts(ch.issued_at),
                        expires_at=_ts(ch.expires_at),
                        state=ch.state.value,
                        decided_at=_ts(ch.decided_at),
                    )
                    stmt = (
                        self.store._insert(challenges)
                        .values(wallet=ch.wallet, model_id=ch.model_id, **values)
                        .on_conflict_do_update(
                            index_elements=["wallet", "model_id"], set_=values
                        )
                    )
                    c.execute(stmt)
        except IntegrityError:
            model = items[-1].model_id if items else "?"
            raise OwnershipConflict(
                f"model {model} was verified by another wallet at the same time; check again"
            ) from None

    def verified(self, model_id: str) -> Challenge | None:
        with self.store.engine.connect() as c:
            row = c.execute(
                select(challenges).where(
                    challenges.c.model_id == model_id,
                    challenges.c.state == ChallengeState.VERIFIED.value,
                )
            ).first()
        return _challenge(row) if row else None
