"""The leader lease: of several agent replicas sharing one store, exactly one sends.

A row in `leases` names the holder, an epoch and an expiry. The holder renews it well within
the period; when it lapses, any replica takes it over and the epoch goes up. Every send is
fenced: the sender re-reads the row (locked, on PostgreSQL) in the same transaction that records
the transaction it is about to broadcast, so a stale leader's send is refused even if it has not
noticed yet, and a new leader sees every nonce its predecessor recorded.
"""

import logging
import os
import socket
import time
import uuid

from sqlalchemy import select, update

from agent.store import LeaseLost, Store, leases

log = logging.getLogger(__name__)


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    """One replica's view of the lease `name`."""

    def __init__(self, store: Store, name: str = "sender", *, holder: str | None = None, period: float = 15.0):
        self.store, self.name, self.period = store, name, period
        self.holder = holder or default_holder()
        self.epoch: int | None = None
        self.expires_at = 0.0

    @property
    def held(self) -> bool:
        """Held, by this replica's clock, with a margin of a fifth of the period."""
        return self.epoch is not None and time.time() < self.expires_at - self.period / 5

    def acquire(self) -> bool:
        """Renew the lease if held, take it if free or lapsed; True when this replica holds it."""
        now = time.time()
        expires = now + self.period
        with self.store.begin() as conn:
            conn.execute(
                self.store._insert(leases)
                .values(name=self.name, holder="", epoch=0, expires_at=0.0)
                .on_conflict_do_nothing(index_elements=["name"])
            )
            row = conn.execute(select(leases).where(leases.c.name == self.name).with_for_update()).one()
            if row.holder == self.holder and row.epoch == self.epoch and row.expires_at > now:
                epoch = row.epoch  # renewal
            elif row.expires_at <= now:
                epoch = row.epoch + 1  # takeover (or first acquisition)
            else:
                if self.epoch is not None:
                    log.warning("lease %r lost to %s (epoch %d)", self.name, row.holder, row.epoch)
                self.epoch = None
                return False
            conn.execute(
                update(leases).where(leases.c.name == self.name)
                .values(holder=self.holder, epoch=epoch, expires_at=expires)
            )
        if epoch != self.epoch:
            log.info("lease %r taken by %s at epoch %d", self.name, self.holder, epoch)
        self.epoch, self.expires_at = epoch, expires
        return True

    def release(self) -> None:
        """Give the lease up at once (on a graceful shutdown), so another replica need not wait."""
        if self.epoch is None:
            return
        with self.store.begin() as conn:
            conn.execute(
                update(leases)
                .where(leases.c.name == self.name, leases.c.holder == self.holder, leases.c.epoch == self.epoch)
                .values(expires_at=0.0)
            )
        self.epoch = None

    def check(self, conn) -> None:
        """Fence: raise LeaseLost unless still held (inside the caller's transaction)."""
        if self.epoch is None:
            raise LeaseLost(f"{self.holder} does not hold lease {self.name!r}")
        self.store.check_lease(conn, self.name, self.holder, self.epoch)

    def holder_now(self) -> tuple[str, int, float] | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(select(leases).where(leases.c.name == self.name)).first()
        return (row.holder, row.epoch, row.expires_at) if row else None
