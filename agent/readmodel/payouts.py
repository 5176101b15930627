"""A user's payouts across all of its models and tournaments, grouped by model or by round, in NMR
or valued in a currency at each claim's day price (the `rates` table)."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from agent.readmodel.projection import Claim, Position, Projection, model_key

WEI = Decimal(10) ** 18
NMR_Q = Decimal("0.000000000000000001")
VALUE_Q = Decimal("0.00000001")


def nmr(wei: int) -> str:
    return str((Decimal(wei) / WEI).quantize(NMR_Q))


def money(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(VALUE_Q))


@dataclass(frozen=True)
class Filters:
    model: str | None = None  # on-chain id, lower-case
    tournament: int | None = None
    round_from: int | None = None
    round_to: int | None = None

    def keep(self, item: Claim | Position) -> bool:
        return (
            (self.model is None or item.model == self.model)
            and (self.tournament is None or item.tournament == self.tournament)
            and (self.round_from is None or item.round >= self.round_from)
            and (self.round_to is None or item.round <= self.round_to)
        )


class PriceTable:
    """Day number → price of one currency; a claim takes its day's price, else the nearest earlier
    known day's (None before the first)."""

    def __init__(self, currency: str, prices: dict[int, Decimal]):
        self.currency = currency
        self.days = sorted(prices)
        self.prices = prices

    def at(self, timestamp: int | None) -> Decimal | None:
        if self.currency == "NMR":
            return Decimal(1)
        if timestamp is None or not self.days:
            return None
        day = int(timestamp) // 86_400  # UTC days since 1970-01-01, as the rates table counts
        price = self.prices.get(day)
        if price is not None:
            return price
        i = bisect_right(self.days, day)
        return self.prices[self.days[i - 1]] if i else None


def claim_rows(projection: Projection, owner: str, filters: Filters,
               prices: PriceTable) -> list[dict]:
    """One row per claim (the CSV export), in chain order."""
    rows = []
    for c in projection.claims_of(owner):
        if not filters.keep(c):
            continue
        stamp = projection.time_of(c.block)
        price = prices.at(stamp)
        payout = Decimal(c.payout) / WEI
        rows.append({
            "round": c.round,
            "model": model_key(c.model),
            "model_id": c.model,
            "tournament": c.tournament,
            "block": c.block,
            "tx_hash": c.tx_hash,
            "time": None if stamp is None else datetime.fromtimestamp(stamp, UTC).isoformat(),
            "stake_nmr": nmr(c.stake),
            "payout_nmr": nmr(c.payout),
            "burn_nmr": nmr(c.burn),
            "currency": prices.currency,
            "price_at_time": money(price),
            "value": money(None if price is None else payout * price),
        })
    return rows


def grouped(projection: Projection, owner: str, group: str, filters: Filters,
            prices: PriceTable) -> tuple[list[dict], dict]:
    """(items sorted by key, totals): per model or per round, stake, payout, burn and value of the
    booked claims, and what is still at risk in positions not booked yet."""
    acc: dict = defaultdict(lambda: {"stake": 0, "payout": 0, "burn": 0, "pending": 0,
                                     "value": Decimal(0), "priced": True, "claims": 0,
                                     "tournaments": set(), "models": set(), "rounds": set()})
    for c in projection.claims_of(owner):
        if not filters.keep(c):
            continue
        a = acc[c.model if group == "model" else c.round]
        a["stake"] += c.stake
        a["payout"] += c.payout
        a["burn"] += c.burn
        a["claims"] += 1
        a["tournaments"].add(c.tournament)
        a["models"].add(c.model)
        a["rounds"].add(c.round)
        price = prices.at(projection.time_of(c.block))
        if price is None:
            a["priced"] = False
        else:
            a["value"] += Decimal(c.payout) / WEI * price
    for p in projection.positions_of(owner):
        if not filters.keep(p):
            continue
        a = acc[p.model if group == "model" else p.round]
        a["pending"] += p.stake
        a["tournaments"].add(p.tournament)
        a["models"].add(p.model)
        a["rounds"].add(p.round)
    items = []
    for key in sorted(acc):
        a = acc[key]
        item = {"key": model_key(key) if group == "model" else str(key)}
        if group == "model":
            item["model"] = model_key(key)
            item["model_id"] = key
            item["rounds"] = len(a["rounds"])
        else:
            item["round"] = key
            item["models"] = len(a["models"])
        item.update({
            "tournaments": sorted(a["tournaments"]),
            "stake_nmr": nmr(a["stake"]),
            "payout_nmr": nmr(a["payout"]),
            "burn_nmr": nmr(a["burn"]),
            "value": money(a["value"]) if a["priced"] else None,
            "pending_nmr": nmr(a["pending"]),
            "claims": a["claims"],
        })
        items.append(item)
    totals = {
        "stake_nmr": nmr(sum(a["stake"] for a in acc.values())),
        "payout_nmr": nmr(sum(a["payout"] for a in acc.values())),
        "burn_nmr": nmr(sum(a["burn"] for a in acc.values())),
        "value": money(sum((a["value"] for a in acc.values()), Decimal(0)))
        if all(a["priced"] for a in acc.values()) else None,
        "pending_nmr": nmr(sum(a["pending"] for a in acc.values())),
        "claims": sum(a["claims"] for a in acc.values()),
    }
    return items, totals
