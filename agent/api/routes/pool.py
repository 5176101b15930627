"""A staker's pool account (liquid balance, each model's idle and at-risk stake, policy and
allocation, free-withdrawal status, signature nonce) and its open positions per round."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel
from requests import RequestException
from web3.exceptions import Web3Exception

from agent.api.views.params import PageDep, ReadDep, model_id
from agent.api.views.params import address as parse_address
from agent.api.views.route import ReadRoute
from agent.readmodel import pool as views

router = APIRouter(route_class=ReadRoute, tags=["pool"])


class Policy(BaseModel):
    mode: str
    per_round: str
    compound_credit: str


class Target(BaseModel):
    target: str
    kind: str
    model_id: str | None
    bps: int


class PoolModel(BaseModel):
    model_id: str
    name: str | None
    uuid: str
    idle: str
    at_risk: str
    policy: Policy
    allocation: list[Target]


class WithdrawalRequest(BaseModel):
    job_key: str
    state: str
    amount: str
    deadline: int | None
    batch: str | None
    requested_at: str | None


class Withdrawal(BaseModel):
    last_free_at: str | None
    next_free_at: str | None
    free_period_seconds: int
    withdrawal_nonce: int
    requests: list[WithdrawalRequest]


class PoolAccount(BaseModel):
    address: str
    liquid: str
    models: list[PoolModel]
    withdrawal: Withdrawal
    nonce: int


class OpenPosition(BaseModel):
    model_id: str
    uuid: str
    round: int
    tournament: int
    stake_nmr: str
    staked_block: int
    staked_at: str | None
    resolve_time: str | None
    resolved: bool


class Positions(BaseModel):
    address: str
    items: list[OpenPosition]
    next_cursor: str | None


AddressPath = Annotated[str, Path(description="the staker's wallet")]


@router.get("/v1/pool/users/{address}", response_model=PoolAccount)
def pool_account(read: ReadDep, address: AddressPath) -> dict:
    """Balances, policies, allocations and withdrawal status, read from the chain in one batch."""
    user = parse_address(address)
    read.sync()
    try:
        return views.account(read, user)
    except (Web3Exception, RequestException, OSError) as exc:
        raise HTTPException(503, f"the chain does not answer ({exc}); retry shortly") from None


@router.get("/v1/pool/users/{address}/positions", response_model=Positions)
def pool_positions(
    read: ReadDep,
    page: PageDep,
    address: AddressPath,
    model: Annotated[str | None, Query(description="one model: UUID or on-chain id")] = None,
    round: Annotated[int | None, Query(ge=0, description="one round")] = None,
) -> dict:
    """Positions staked and not booked yet, per round, with when each round resolves."""
    user = parse_address(address)
    read.sync()
    items = views.positions(read, user, model_id(model) if model else None, round)
    chunk, next_cursor = page.slice(items)
    return {"address": user, "items": chunk, "next_cursor": next_cursor}
