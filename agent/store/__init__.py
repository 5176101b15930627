"""The agent's store: jobs (every effect, keyed by what it does), watcher cursors, chain events
and leases. SQLAlchemy 2 Core over an SQLite file by default or PostgreSQL by URL; the schema
is created and upgraded by the Alembic migrations shipped in this package, run at start."""

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Connection,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from agent.errors import NmrxError
from agent.store.schema import cursors, events, jobs, leases

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

PLANNED, SENT, CONFIRMED, FAILED = "planned", "sent", "confirmed", "failed"
PENDING = (PLANNED, SENT)


class StoreError(NmrxError, RuntimeError):
    """The store cannot be opened, reached or migrated."""


class LeaseLost(NmrxError, RuntimeError):
    """This replica no longer holds the lease it tried to act under (a stale leader)."""


@dataclass(frozen=True)
class Job:
    """One row of `jobs`, as read at one moment."""

    id: int
    key: str
    kind: str
    payload: dict
    state: str
    sender: str | None
    nonce: int | None
    gas: int | None
    max_fee: int | None
    tip: int | None
    tx_hash: str | None
    tx_hashes: list | None
    raw_tx: str | None
    block_number: int | None
    reason: str | None
    attempts: int
    lease_epoch: int | None
    origin_event_id: int | None
    created_at: float
    updated_at: float
    sent_at: float | None

    @classmethod
    def from_row(cls, row) -> "Job":
        return cls(**row._mapping)


def normalize_url(url: str) -> str:
    """Accept the plain `postgresql://` URLs servers print; drive them with psycopg 3."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class Store:
    """One database shared by everything the agent (and its replicas) does."""

    def __init__(self, url: str, *, echo: bool = False):
        self.url = normalize_url(url)
        try:
            parsed = make_url(self.url)
        except ArgumentError:
            raise StoreError(f"NMRX_STORE_URL {url!r} is not a database URL (sqlite:///path or postgresql://...)") from None
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(self.url, echo=echo, connect_args={"timeout": 60})
            _serialize_sqlite_writers(self.engine)
        elif self.dialect == "postgresql":
            self.engine = create_engine(
                self.url, echo=echo, pool_pre_ping=True, connect_args={"connect_timeout": 10}
            )
        else:
            raise StoreError(f"unsupported store {parsed.drivername!r}; use sqlite:/// or postgresql://")

    # -- lifecycle -------------------------------------------------------------------------

    def migrate(self) -> "Store":
        """Create or upgrade the schema to the newest migration (safe to run from replicas at once)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self.engine.begin() as conn:
                if self.dialect == "postgresql":
                    # Replicas starting together: one migrates, the others wait and find it done.
                    conn.execute(text("SELECT pg_advisory_xact_lock(7211)"))
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        except OperationalError as exc:
            raise StoreError(f"the store at {self.safe_url} does not answer: {exc.orig}") from None
        return self

    @property
    def safe_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def check(self) -> None:
        """Raise StoreError unless the store answers."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise StoreError(f"the store at {self.safe_url} does not answer: {getattr(exc, 'orig', exc)}") from None

    def dispose(self) -> None:
        self.engine.dispose()

    def begin(self):
        """A transaction (context manager yielding a Connection)."""
        return self.engine.begin()

    def _insert(self, table):
        return (pg_insert if self.dialect == "postgresql" else sqlite_insert)(table)

    # -- jobs ------------------------------------------------------------------------------

    def plan(
        self,
        key: str,
        kind: str,
        payload: dict,
        *,
        origin_event_id: int | None = None,
        conn: Connection | None = None,
    ) -> Job:
        """The job with this key: newly planned, or the existing one unchanged. Race-safe: the
        unique key decides, so concurrent planners (threads, processes, replicas) get one row."""
        now = time.time()
        stmt = (
            self._insert(jobs)
            .values(
                key=key, kind=kind, payload=payload, state=PLANNED, attempts=0,
                origin_event_id=origin_event_id, created_at=now, updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["key"])
        )
        with _using(self, conn) as c:
            c.execute(stmt)
            return Job.from_row(c.execute(select(jobs).where(jobs.c.key == key)).one())

    def plan_many(self, specs: Iterable[tuple[str, str, dict]], conn: Connection | None = None) -> int:
        """Plan (key, kind, payload) jobs in one transaction; returns how many were new."""
        now = time.time()
        rows = [
            dict(key=k, kind=kind, payload=p, state=PLANNED, attempts=0, origin_event_id=None,
                 created_at=now, updated_at=now)
            for k, kind, p in specs
        ]
        if not rows:
            return 0
        with _using(self, conn) as c:
            stmt = self._insert(jobs).on_conflict_do_nothing(index_elements=["key"]).returning(jobs.c.id)
            return len(c.execute(stmt, rows).all())

    def job(self, key: str) -> Job | None:
        with self.engine.connect() as c:
            row = c.execute(select(jobs).where(jobs.c.key == key)).first()
        return Job.from_row(row) if row else None

    def jobs(self, *states: str, sender: str | None = None, limit: int | None = None) -> list[Job]:
        query = select(jobs).order_by(jobs.c.nonce.is_(None), jobs.c.nonce, jobs.c.id)
        if states:
            query = query.where(jobs.c.state.in_(states))
        if sender is not None:
            query = query.where(jobs.c.sender == sender)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as c:
            return [Job.from_row(r) for r in c.execute(query)]

    def job_counts(self) -> dict[str, int]:
        with self.engine.connect() as c:
            rows = c.execute(select(jobs.c.state, func.count()).group_by(jobs.c.state)).all()
        return {state: n for state, n in rows}

    def max_nonce(self, sender: str) -> int | None:
        """The highest nonce any job ever recorded for `sender` (the allocator's floor)."""
        with self.engine.connect() as c:
            return c.execute(select(func.max(jobs.c.nonce)).where(jobs.c.sender == sender)).scalar()

    def mark_sent(self, conn: Connection, job_id: int, **fields: Any) -> bool:
        """planned → sent, with the signed transaction, before it is broadcast."""
        now = time.time()
        result = conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.state == PLANNED)
            .values(state=SENT, updated_at=now, sent_at=now, attempts=jobs.c.attempts + 1, **fields)
        )
        return result.rowcount == 1

    def mark_replaced(self, conn: Connection, job: Job, **fields: Any) -> bool:
        """A new signature for the same nonce (bumped fees); earlier hashes stay recorded."""
        now = time.time()
        result = conn.execute(
            update(jobs)
            .where(jobs.c.id == job.id, jobs.c.state == SENT, jobs.c.nonce == job.nonce)
            .values(updated_at=now, sent_at=now, attempts=jobs.c.attempts + 1, **fields)
        )
        return result.rowcount == 1

    def unsend(self, conn: Connection, job_ids: list[int]) -> None:
        """sent → planned for signed transactions the node refused before any was broadcast."""
        conn.execute(
            update(jobs)
            .where(jobs.c.id.in_(job_ids), jobs.c.state == SENT)
            .values(state=PLANNED, sender=None, nonce=None, tx_hash=None, tx_hashes=None,
                    raw_tx=None, sent_at=None, updated_at=time.time())
        )

    def finish(self, job_id: int, state: str, *, reason: str | None = None, tx_hash: str | None = None,
               block_number: int | None = None) -> None:
        """→ confirmed or failed (terminal)."""
        values: dict[str, Any] = dict(state=state, updated_at=time.time(), reason=reason)
        if tx_hash is not None:
            values.update(tx_hash=tx_hash, block_number=block_number)
        with self.engine.begin() as c:
            c.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.state.in_(PENDING)).values(**values))

    # -- cursors ---------------------------------------------------------------------------

    def cursor(self, name: str, conn: Connection | None = None) -> int | None:
        with _using(self, conn) as c:
            return c.execute(select(cursors.c.block).where(cursors.c.name == name)).scalar()

    def set_cursor(self, name: str, block: int, conn: Connection | None = None) -> None:
        stmt = self._insert(cursors).values(name=name, block=block, updated_at=time.time())
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"], set_={"block": stmt.excluded.block, "updated_at": stmt.excluded.updated_at}
        )
        with _using(self, conn) as c:
            c.execute(stmt)

    def cursors(self) -> dict[str, int]:
        with self.engine.connect() as c:
            return {n: b for n, b in c.execute(select(cursors.c.name, cursors.c.block))}

    # -- events ----------------------------------------------------------------------------

    def events(self, source: str | None = None) -> list[dict]:
        query = select(events).order_by(events.c.block_number, events.c.log_index)
        if source is not None:
            query = query.where(events.c.source == source)
        with self.engine.connect() as c:
            return [dict(r._mapping) for r in c.execute(query)]

    # -- fencing ---------------------------------------------------------------------------

    def check_lease(self, conn: Connection, name: str, holder: str, epoch: int) -> None:
        """Inside `conn`'s transaction: raise LeaseLost unless `holder` still holds lease `name`
        at `epoch`. The row stays locked (PostgreSQL) until the transaction ends, so a takeover
        waits for this transaction and then sees everything it wrote."""
        row = conn.execute(
            select(leases.c.holder, leases.c.epoch, leases.c.expires_at)
            .where(leases.c.name == name)
            .with_for_update()
        ).first()
        if row is None or row.holder != holder or row.epoch != epoch or row.expires_at <= time.time():
            raise LeaseLost(f"lease {name!r} epoch {epoch} is no longer held by {holder}; refusing to send")


class _using:
    """Use the caller's transaction, or open one."""

    def __init__(self, store: Store, conn: Connection | None):
        self.store, self.conn, self.ctx = store, conn, None

    def __enter__(self) -> Connection:
        if self.conn is not None:
            return self.conn
        self.ctx = self.store.engine.begin()
        return self.ctx.__enter__()

    def __exit__(self, *exc):
        if self.ctx is not None:
            return self.ctx.__exit__(*exc)
        return False


def _serialize_sqlite_writers(engine: Engine) -> None:
    """SQLite: WAL (readers never block), a long busy timeout and BEGIN IMMEDIATE, so concurrent
    processes queue for the write lock instead of failing on a read-then-write upgrade."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


__all__ = [
    "CONFIRMED", "FAILED", "PENDING", "PLANNED", "SENT", "Job", "LeaseLost", "Store", "StoreError",
    "cursors", "events", "jobs", "leases",
]
