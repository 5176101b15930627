"""NMR rates per currency and UTC day, kept in the store's `rates` table by a periodic job, so the
API converts payouts (and prices each claim at its day) without calling anyone per request.

The price source is pluggable (`PriceSource`); the offline default is the tournament simulator's
deterministic daily series (`SimulatorPrices`, its `nmrPrices` query). A refresh writes every day
of the window in one transaction (all or nothing) and never deletes: a day's price, once known,
stays what the exports were computed with.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Protocol

import requests
from sqlalchemy import and_, func, select

from agent.errors import NmrxError
from agent.readmodel.tables import rates
from agent.store import Store

log = logging.getLogger(__name__)

EPOCH_DAY = date(1970, 1, 1)


class RatesError(NmrxError, RuntimeError):
    """The price source did not answer with prices."""


def day_number(day: date) -> int:
    return (day - EPOCH_DAY).days


def day_of(timestamp: float) -> date:
    return datetime.fromtimestamp(timestamp, UTC).date()


class PriceSource(Protocol):
    """Where NMR prices come from: one price per UTC day."""

    name: str

    def daily(self, currency: str, first: date, last: date) -> dict[date, Decimal]: ...


class SimulatorPrices:
    """The tournament simulator's deterministic daily NMR price (offline default)."""

    QUERY = (
        "query($c: String!, $f: String!, $t: String!) "
        "{ nmrPrices(currency: $c, fromDay: $f, toDay: $t) { day price } }"
    )

    def __init__(self, url: str, timeout: float = 10.0):
        self.url, self.timeout = url.rstrip("/"), timeout
        self.name = "simulator"

    def daily(self, currency: str, first: date, last: date) -> dict[date, Decimal]:
        variables = {"c": currency, "f": first.isoformat(), "t": last.isoformat()}
        try:
            response = requests.post(
                self.url, json={"query": self.QUERY, "variables": variables}, timeout=self.timeout
            )
            body = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise RatesError(f"the price source at {self.url} does not answer: {exc}") from None
        if body.get("errors"):
            raise RatesError(f"the price source refused: {body['errors'][0].get('message')}")
        try:
            return {date.fromisoformat(r["day"]): Decimal(r["price"])
                    for r in body["data"]["nmrPrices"]}
        except (KeyError, TypeError, ValueError, InvalidOperation):
            raise RatesError(f"the price source at {self.url} sent no price list") from None


@dataclass(frozen=True)
class Rate:
    currency: str
    day: date
    price: Decimal
    source: str
    fetched_at: float


class Rates:
    """The `rates` table: refreshed from a source, read by day."""

    def __init__(self, store: Store):
        self.store = store

    def refresh(self, source: PriceSource, currencies: list[str], *, days: int = 400,
                today: date | None = None) -> int:
        """Fetch the last `days` days of every currency and store the days not yet known; returns
        how many rows were added. Either every currency's rows are written or none."""
        today = today or datetime.now(UTC).date()
        first = today - timedelta(days=days - 1)
        fetched = {c.upper(): source.daily(c.upper(), first, today) for c in currencies}
        now = time.time()
        added = 0
        with self.store.begin() as conn:
            for currency, prices in fetched.items():
                known = set(conn.execute(
                    select(rates.c.day).where(
                        rates.c.currency == currency,
                        rates.c.day.between(day_number(first), day_number(today)),
                    )
                ).scalars())
                rows = [
                    dict(currency=currency, day=day_number(d), price=str(p), source=source.name,
                         fetched_at=now)
                    for d, p in sorted(prices.items()) if day_number(d) not in known
                ]
                if rows:
                    conn.execute(rates.insert(), rows)
                    added += len(rows)
        log.info("rates.refreshed %s", {"source": source.name, "added": added})
        return added

    def currencies(self) -> list[str]:
        with self.store.engine.connect() as c:
            return sorted(c.execute(select(rates.c.currency).distinct()).scalars())

    def latest(self, currency: str) -> Rate | None:
        with self.store.engine.connect() as c:
            row = c.execute(
                select(rates).where(rates.c.currency == currency.upper())
                .order_by(rates.c.day.desc()).limit(1)
            ).first()
        return _rate(row) if row else None

    def table(self, currency: str) -> dict[int, Decimal]:
        """Day number → price of every known day of `currency`."""
        with self.store.engine.connect() as c:
            rows = c.execute(
                select(rates.c.day, rates.c.price).where(rates.c.currency == currency.upper())
            ).all()
        return {d: Decimal(p) for d, p in rows}

    def version(self) -> tuple:
        """Changes whenever a row is added (the API's caches key on it)."""
        with self.store.engine.connect() as c:
            return tuple(c.execute(select(func.count(), func.max(rates.c.fetched_at))).one())

    def at(self, currency: str, timestamp: float) -> Rate | None:
        """The price of the UTC day of `timestamp`, else of the nearest earlier known day."""
        with self.store.engine.connect() as c:
            row = c.execute(
                select(rates).where(and_(rates.c.currency == currency.upper(),
                                         rates.c.day <= day_number(day_of(timestamp))))
                .order_by(rates.c.day.desc()).limit(1)
            ).first()
        return _rate(row) if row else None


def _rate(row) -> Rate:
    return Rate(row.currency, EPOCH_DAY + timedelta(days=row.day), Decimal(row.price), row.source,
                row.fetched_at)


def default_source(settings) -> PriceSource | None:
    """The price source of a stack: the simulator's series on a local chain with the simulator
    (offline); elsewhere none until one is configured (payouts then stay in NMR)."""
    if settings.local_chain and settings.simulator_port:
        return SimulatorPrices(settings.simulator_url)
    return None


def install(core, source: PriceSource, currencies: list[str], *, every: float = 3600.0) -> Rates:
    """Add the periodic refresh to an `AgentCore`'s loop."""
    book = Rates(core.store)
    core.life.every(every, lambda: book.refresh(source, currencies), name="rates:refresh")
    return book
