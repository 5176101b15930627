"""The marketplace as the chain tells it: order book depth per model and round, listings, bids,
orders with their state and deadlines, the evidence behind verdicts, and seller reputation."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel
from requests import RequestException
from web3.exceptions import Web3Exception

from agent.api.views.params import PageDep, ReadDep, model_id
from agent.api.views.params import address as parse_address
from agent.api.views.route import ReadRoute
from agent.readmodel.market import evidence_of
from agent.readmodel.payouts import nmr

router = APIRouter(route_class=ReadRoute, tags=["market"])


class Level(BaseModel):
    price: str
    units: int
    cumulative: int


class Book(BaseModel):
    model_id: str
    round: int
    asks: list[Level]
    bids: list[Level]


class LadderLevel(BaseModel):
    price: str
    units: int


class Ladder(BaseModel):
    hash: str
    round: int
    version: int
    expires_at: str | None
    deliver_by: str | None
    live: bool
    levels: list[LadderLevel]


class Listing(BaseModel):
    listing_id: int
    seller: str
    model_id: str
    mode: str
    from_round: int
    to_round: int
    terms: int
    fee_bps: int
    min_bond_bps: int
    verdict_window: int
    closed: bool
    version: int
    block: int
    ladders: list[Ladder]


class Listings(BaseModel):
    items: list[Listing]
    next_cursor: str | None


class BidRow(BaseModel):
    bid_id: int
    buyer: str
    listing_id: int
    round: int
    units: int
    price: str
    collateral: str
    deliver_by: str | None
    expires_at: str | None
    state: str
    order_id: str | None  # decimal string: order ids are uint256 hashes, beyond a JS number


class Bids(BaseModel):
    items: list[BidRow]
    next_cursor: str | None


class Order(BaseModel):
    order_id: str  # decimal string: order ids are uint256 hashes, beyond a JS number
    listing_id: int
    seller: str | None
    buyer: str
    model_id: str | None
    mode: str | None
    round: int
    units: int
    state: str
    verdict: str
    outcome: str | None
    deadline: str | None
    deadline_kind: str | None
    fee_bps: int
    price: str
    buyer_collateral: str
    bond: str
    delivery_hash: str | None
    evidence_hash: str | None
    opened_block: int
    opened_tx: str
    settlement: dict[str, str] | None
    history: list[dict[str, Any]]


class Orders(BaseModel):
    items: list[Order]
    next_cursor: str | None


class Evidence(BaseModel):
    order_id: str  # decimal string, as Order's
    items: list[dict[str, Any]]
    delivery: dict[str, Any] | None


class Reputation(BaseModel):
    seller: str
    sales: int
    volume: str
    refunds: int
    slashes: int
    disputes_won: int
    disputes_lost: int
    min_reputation_price: str


class OrderState(str, Enum):
    paid = "paid"
    delivered = "delivered"
    judged = "judged"
    disputed = "disputed"
    settled = "settled"


def _market(read):
    if "Marketplace" not in read.service.deployments.addresses:
        raise HTTPException(404, "no Marketplace is deployed on this chain; deploy it first")
    read.sync()
    return read.market()


@router.get("/v1/market/book", response_model=Book)
def book(
    read: ReadDep,
    model: Annotated[str, Query(description="model UUID or on-chain id")],
    round: Annotated[int, Query(ge=0, le=65535, description="tournament round")],
) -> dict:
    """Depth of both sides for one model and round: price, units, cumulative units."""
    mid = model_id(model)
    return {"model_id": mid, "round": round, **_market(read).book(mid, round)}


@router.get("/v1/market/listings", response_model=Listings)
def listings(
    read: ReadDep,
    page: PageDep,
    seller: Annotated[str | None, Query(description="the seller's wallet")] = None,
    model: Annotated[str | None, Query(description="model UUID or on-chain id")] = None,
) -> dict:
    """Listings, oldest first, with their posted ladders."""
    rows = _market(read).listing_rows(
        parse_address(seller, "seller") if seller else None, model_id(model) if model else None)
    chunk, next_cursor = page.slice(rows)
    return {"items": chunk, "next_cursor": next_cursor}


@router.get("/v1/market/bids", response_model=Bids)
def bids(
    read: ReadDep,
    page: PageDep,
    listing: Annotated[int | None, Query(ge=0, description="one listing id")] = None,
    buyer: Annotated[str | None, Query(description="the buyer's wallet")] = None,
) -> dict:
    """Bids, oldest first, with their state (open, cancelled, accepted)."""
    rows = _market(read).bid_rows(listing, parse_address(buyer, "buyer") if buyer else None)
    chunk, next_cursor = page.slice(rows)
    return {"items": chunk, "next_cursor": next_cursor}


@router.get("/v1/market/orders", response_model=Orders)
def orders(
    read: ReadDep,
    page: PageDep,
    address: Annotated[str | None, Query(description="seller or buyer wallet")] = None,
    state: Annotated[OrderState | None, Query(description="one state")] = None,
) -> dict:
    """Orders, oldest first, with state, verdict, current deadline and amounts."""
    rows = _market(read).order_rows(
        parse_address(address) if address else None, state.value if state else None)
    chunk, next_cursor = page.slice(rows)
    return {"items": chunk, "next_cursor": next_cursor}


def _order_id(order_id: Annotated[str, Path(
        pattern=r"^[0-9]{1,78}$", description="the order id: a uint256, in decimal")]) -> int:
    # A string in the schema, as the API emits order ids: an integer schema would invite
    # clients to send (and the schema to state) uint256 values as rounded JSON numbers.
    return int(order_id)


OrderPath = Annotated[int, Depends(_order_id)]


@router.get("/v1/market/orders/{order_id}", response_model=Order)
def order(read: ReadDep, order_id: OrderPath) -> dict:
    """One order: state, deadlines, mode, amounts, and the events that moved it."""
    found = _market(read).orders.get(order_id)
    if found is None:
        raise HTTPException(404, f"order {order_id} is not known (yet); check the id")
    return found


@router.get("/v1/market/orders/{order_id}/evidence", response_model=Evidence)
def order_evidence(read: ReadDep, order_id: OrderPath) -> dict:
    """The evidence the agent kept for the order's verdict, and its delivery record."""
    if _market(read).orders.get(order_id) is None:
        raise HTTPException(404, f"order {order_id} is not known (yet); check the id")
    return {"order_id": str(order_id), **evidence_of(read, order_id)}


@router.get("/v1/market/sellers/{address}/reputation", response_model=Reputation)
def reputation(read: ReadDep, address: Annotated[str, Path(description="seller wallet")]) -> dict:
    """The seller's on-chain reputation counters (sales above the minimum price to others)."""
    seller = parse_address(address, "seller")
    _market(read)
    market = read.contract("Marketplace")
    try:
        sales, volume, refunds, slashes, won, lost = market.functions.reputationOf(seller).call()
        floor = market.functions.MIN_REPUTATION_PRICE().call()
    except (Web3Exception, RequestException, OSError) as exc:
        raise HTTPException(503, f"the chain does not answer ({exc}); retry shortly") from None
    return {"seller": seller, "sales": sales, "volume": nmr(volume), "refunds": refunds,
            "slashes": slashes, "disputes_won": won, "disputes_lost": lost,
            "min_reputation_price": nmr(floor)}
