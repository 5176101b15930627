"""A deterministic NMR price per UTC day and currency, so the agent's rates table has an offline
source: the same day always has the same price, and consecutive days move by a few percent like a
real market would (a seeded random walk), so tests can tell one day's price from another's."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

# Where each currency's walk starts on EPOCH (roughly NMR's 2026 range) and how FX scales it.
BASE = {"USD": Decimal("9.50"), "EUR": Decimal("8.80"), "GBP": Decimal("7.50"),
        "CHF": Decimal("8.40"), "JPY": Decimal("1450"), "BTC": Decimal("0.000105"),
        "ETH": Decimal("0.0031")}
EPOCH = date(2026, 1, 1)
CURRENCIES = tuple(sorted(BASE))
_STEP = Decimal("0.04")  # at most ±4% a day
_Q = Decimal("0.000000001")


class UnknownCurrency(ValueError):
    """No price series for this currency."""


def _shock(day: date) -> Decimal:
    """A day's move in [-1, 1], the same for every currency (NMR moves, FX stays)."""
    digest = hashlib.sha256(f"nmr-price/{day.isoformat()}".encode()).digest()
    return Decimal(int.from_bytes(digest[:4], "big")) / Decimal(2**31) - 1


_walk: dict[date, Decimal] = {EPOCH: Decimal(1)}


def _factor(day: date) -> Decimal:
    """The product of the daily moves from EPOCH to `day` (cached; days before EPOCH mirror)."""
    if day in _walk:
        return _walk[day]
    last = max(d for d in _walk if d <= day) if day > EPOCH else EPOCH
    value = _walk[last]
    d = last
    while d < day:
        d += timedelta(days=1)
        value = value * (1 + _STEP * _shock(d))
        _walk[d] = value
    if day < EPOCH:  # before the epoch: walk backwards with the mirrored day's moves
        value = Decimal(1)
        for n in range((EPOCH - day).days):
            value = value / (1 + _STEP * _shock(EPOCH - timedelta(days=n)))
        _walk[day] = value
    return _walk[day]


def nmr_price(currency: str, day: date) -> Decimal:
    """One NMR in `currency` on `day` (UTC)."""
    base = BASE.get(currency.upper())
    if base is None:
        raise UnknownCurrency(f"no NMR price for {currency!r}; known: {', '.join(CURRENCIES)}")
    return (base * _factor(day)).quantize(_Q, rounding=ROUND_HALF_EVEN)


def series(currency: str, first: date, last: date) -> list[tuple[date, Decimal]]:
    """Every day's price from `first` to `last` (inclusive, at most 4,000 days)."""
    days = (last - first).days
    if days < 0 or days > 4000:
        raise ValueError("a price series spans 0 to 4,000 days")
    return [(first + timedelta(days=n), nmr_price(currency, first + timedelta(days=n)))
            for n in range(days + 1)]
