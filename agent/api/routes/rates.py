"""The NMR rate the API values payouts with: the newest day the rates job stored."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from agent.api.views.params import ReadDep
from agent.api.views.params import currency as parse_currency
from agent.api.views.route import ReadRoute

router = APIRouter(route_class=ReadRoute, tags=["rates"])


class RateAnswer(BaseModel):
    currency: str
    price: str
    as_of: str
    source: str
    currencies: list[str]


@router.get("/v1/rates", response_model=RateAnswer)
def rate(
    read: ReadDep,
    currency: Annotated[str, Query(description="USD, EUR, ... (NMR is always 1)")] = "USD",
) -> RateAnswer:
    """One NMR in `currency` on the newest stored day (`as_of`, a UTC date), and its source."""
    code = parse_currency(currency)
    known = read.rates.currencies()
    if code == "NMR":
        return RateAnswer(currency="NMR", price="1", as_of="always", source="identity",
                          currencies=["NMR", *known])
    latest = read.rates.latest(code)
    if latest is None:
        raise HTTPException(
            404, f"no {code} rates are stored; use one of: {', '.join(['NMR', *known])}")
    return RateAnswer(currency=code, price=str(latest.price), as_of=latest.day.isoformat(),
                      source=latest.source, currencies=["NMR", *known])
