"""A user's payouts across all of its models and tournaments: grouped by model or by round, in NMR
or a currency at each claim's day price; and the per-claim CSV export for taxes. Answered from the
read model (events the indexer stored, the rates table), never by calling Numerai."""

from __future__ import annotations

import csv
import io
import json
from contextlib import asynccontextmanager
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from agent.api.views.answers import remember, respond
from agent.api.views.params import PageDep, ReadDep, model_id
from agent.api.views.params import address as parse_address
from agent.api.views.params import currency as parse_currency
from agent.api.views.route import ReadRoute
from agent.readmodel.payouts import Filters, claim_rows, grouped
from agent.readmodel.service import Answer, ReadModel


@asynccontextmanager
async def lifespan(app):
    """Make the app's read model and run its indexer (unless one is set up already: tests)."""
    made = None
    if getattr(app.state, "read", None) is None and getattr(app.state, "service", None):
        made = app.state.read = ReadModel(app.state.service)
        made.start_indexer()
    try:
        yield
    finally:
        if made is not None:
            made.close()
            made.store.dispose()


router = APIRouter(route_class=ReadRoute, lifespan=lifespan, tags=["payouts"])


class Group(str, Enum):
    model = "model"
    round = "round"


class PayoutItem(BaseModel):
    key: str
    model: str | None = None
    model_id: str | None = None
    round: int | None = None
    rounds: int | None = None
    models: int | None = None
    tournaments: list[int]
    stake_nmr: str
    payout_nmr: str
    burn_nmr: str
    value: str | None
    pending_nmr: str
    claims: int


class Totals(BaseModel):
    stake_nmr: str
    payout_nmr: str
    burn_nmr: str
    value: str | None
    pending_nmr: str
    claims: int


class Payouts(BaseModel):
    address: str
    currency: str
    group: Group
    items: list[PayoutItem]
    next_cursor: str | None
    totals: Totals


AddressPath = Annotated[str, Path(description="the user's wallet (checksummed or lower-case)")]
ModelQ = Annotated[str | None, Query(description="one model: its Numerai UUID or on-chain id")]
TournamentQ = Annotated[int | None, Query(ge=0, description="tournament number (8: classic)")]
RoundFromQ = Annotated[int | None, Query(ge=0, description="first round (inclusive)")]
RoundToQ = Annotated[int | None, Query(ge=0, description="last round (inclusive)")]
CurrencyQ = Annotated[str, Query(description="NMR, or a currency in the rates table (USD, ...)")]

FIELDS = ["round", "model", "tournament", "block", "tx_hash", "time", "stake_nmr", "payout_nmr",
          "currency", "price_at_time", "value", "burn_nmr", "model_id"]


def _filters(model, tournament, round_from, round_to) -> Filters:
    if round_from is not None and round_to is not None and round_from > round_to:
        raise HTTPException(422, f"round_from {round_from} is after round_to {round_to}; swap them")
    return Filters(model_id(model) if model else None, tournament, round_from, round_to)


def _prices(read: ReadModel, code: str):
    prices = read.prices(code)
    if code != "NMR" and not prices.days:
        known = ", ".join(["NMR", *read.rates.currencies()])
        raise HTTPException(404, f"no {code} rates are stored; use one of: {known}")
    return prices


NOT_MODIFIED = {304: {"description": "Not Modified: the `If-None-Match` request header holds "
                                  "this answer's ETag (sent with every 200)"}}


@router.get("/v1/users/{address}/payouts", response_model=Payouts, responses=NOT_MODIFIED)
async def payouts(
    request: Request,
    read: ReadDep,
    page: PageDep,
    address: AddressPath,
    group: Group = Group.model,
    model: ModelQ = None,
    tournament: TournamentQ = None,
    currency: CurrencyQ = "NMR",
    round_from: RoundFromQ = None,
    round_to: RoundToQ = None,
) -> Response:
    """Every booked and pending payout of the user's models, grouped by model or by round.

    (A coroutine: a cached answer is served without a thread hop; catching up with the store is
    one indexed query at most every half second. The same URL asked again while the user's data
    is unchanged is answered by `CachedAnswers` before it reaches this function.)"""
    owner = parse_address(address)
    code = parse_currency(currency)
    filters = _filters(model, tournament, round_from, round_to)
    version = read.owner_version(owner)
    key = ("payouts", owner, group.value, filters, code, page.limit, page.offset, version)

    def render() -> Answer:
        prices = _prices(read, code)
        items, totals = grouped(read.projection, owner, group.value, filters, prices)
        chunk, next_cursor = page.slice(items)
        return Answer.of(json.dumps({
            "address": owner, "currency": code, "group": group.value, "items": chunk,
            "next_cursor": next_cursor, "totals": totals,
        }, separators=(",", ":")).encode(), "application/json")

    answer = read.cache.get_or_make(key, render)
    remember(request, read, owner, version, answer)
    return respond(request, answer)


@router.get(
    "/v1/users/{address}/payouts.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "one row per claim"},
               **NOT_MODIFIED},
)
def payouts_csv(
    request: Request,
    read: ReadDep,
    address: AddressPath,
    model: ModelQ = None,
    tournament: TournamentQ = None,
    currency: CurrencyQ = "NMR",
    round_from: RoundFromQ = None,
    round_to: RoundToQ = None,
) -> Response:
    """One row per claim with its block, transaction, time and the price of its day."""
    owner = parse_address(address)
    code = parse_currency(currency)
    filters = _filters(model, tournament, round_from, round_to)
    version = read.owner_version(owner)
    key = ("payouts.csv", owner, filters, code, version)
    name = f"nmrx-payouts-{owner}-{code}.csv"

    def render() -> Answer:
        out = io.StringIO()
        writer = csv.DictWriter(out, FIELDS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(claim_rows(read.projection, owner, filters, _prices(read, code)))
        return Answer.of(out.getvalue().encode(), "text/csv; charset=utf-8",
                         {"Content-Disposition": f'attachment; filename="{name}"'})

    answer = read.cache.get_or_make(key, render)
    remember(request, read, owner, version, answer)
    return respond(request, answer)
