"""Signed pool changes the agent relays: allocations, policies and free-withdrawal requests.

Each body is one of the pool's own EIP-712 messages (`agent.staking.pool_typed_data`) with its
signature. Before anything is planned the route checks, each with its own answer: the chain id
(400), the deadline against the chain's clock (401), the pool's current nonce for the signer
(409 when the message was already used: a replay), and the recovered signer against the owner
the message names (401: forged). `agent.staking` then validates the request against the pool and
plans the relay job (keyed by the signature's hash: a second identical request is a 409, never
a second job). The answer is 202 with the job's key; the Sender sends it.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from fastapi import APIRouter
from pydantic import BaseModel, Field
from requests import RequestException
from web3.exceptions import Web3Exception

from agent.api.auth import (
    ADDRESS_PATTERN,
    SIGNATURE_PATTERN,
    OneSentenceErrors,
    Writes,
    WritesDep,
    checksum,
    fail,
    recover,
)
from agent.staking import RejectedRequest, pool_typed_data

router = APIRouter(prefix="/v1/pool", tags=["pool writes"], route_class=OneSentenceErrors)

BYTES32_PATTERN = r"^0x[0-9a-fA-F]{64}$"
UINT256 = 2**256


class SignedPoolMessage(BaseModel):
    chain_id: int = Field(ge=1, lt=2**63, description="the chain id in the signed domain")
    nonce: int = Field(ge=0, lt=UINT256, description="the pool nonce the message was signed with")
    deadline: int = Field(ge=0, lt=2**64, description="unix seconds (chain time)")
    signature: str = Field(pattern=SIGNATURE_PATTERN)


class SignedPolicy(SignedPoolMessage):
    """A signed SetPolicy message of the pool."""

    owner: str = Field(pattern=ADDRESS_PATTERN)
    model: str = Field(pattern=BYTES32_PATTERN, description="the model's on-chain id")
    per_round: int = Field(ge=0, lt=2**96, description="NMR wei staked each round")
    mode: int = Field(ge=0, le=1, description="0 Fixed, 1 Compound")


class AllocationTarget(BaseModel):
    kind: int = Field(ge=0, le=255)
    model: str = Field(pattern=BYTES32_PATTERN)
    bps: int = Field(ge=0, le=10_000)


class SignedAllocation(SignedPoolMessage):
    """A signed SetAllocation message of the pool."""

    owner: str = Field(pattern=ADDRESS_PATTERN)
    model: str = Field(pattern=BYTES32_PATTERN)
    targets: list[AllocationTarget] = Field(min_length=1, max_length=8)


class SignedWithdrawal(SignedPoolMessage):
    """A signed free-Withdrawal message of the pool (`nonce` is the withdrawal nonce)."""

    user: str = Field(pattern=ADDRESS_PATTERN)
    amount: int = Field(gt=0, lt=UINT256, description="NMR wei")


class Relayed(BaseModel):
    job_key: str
    kind: str
    state: str


def _b32(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def _agent(writes: Writes):
    if writes.staking is None:
        raise fail(503, "this agent does not relay pool messages (no pool is configured)")
    return writes.staking


@contextmanager
def _chain():
    """The pool's views are read from the chain: when it does not answer, a 503 saying so."""
    try:
        yield
    except (Web3Exception, RequestException, OSError) as exc:
        raise fail(503, f"the chain does not answer ({type(exc).__name__}); nothing was "
                        "relayed: try again shortly") from None


def _check(writes: Writes, agent, body: SignedPoolMessage, primary: str, signer_field: str,
           message: dict, current_nonce: int) -> None:
    """Chain, deadline, nonce (replay) and signer (forgery), in that order."""
    if body.chain_id != writes.chain_id:
        raise fail(400, f"the message is signed for chain {body.chain_id} but this pool is on "
                        f"chain {writes.chain_id}; sign it again for chain {writes.chain_id}")
    now = agent.w3.eth.get_block("latest")["timestamp"]
    if body.deadline <= now:
        raise fail(401, f"the signature expired at {body.deadline} (chain time {now}); sign "
                        "again with a later deadline")
    if body.nonce < current_nonce:
        raise fail(409, f"nonce {body.nonce} was already used (a replayed message); sign again "
                        f"with the pool's current nonce {current_nonce}")
    if body.nonce > current_nonce:
        raise fail(400, f"nonce {body.nonce} is not the pool's current nonce {current_nonce} for "
                        "this wallet; read it from the pool and sign again")
    owner = message[signer_field]
    data = pool_typed_data(writes.chain_id, agent.pool.address, primary, message)
    signer = recover(data, body.signature)
    if signer is None or signer.lower() != owner.lower():
        raise fail(401, f"the signature is not {owner}'s over this {primary}; sign it with "
                        "that wallet")


def _planned(job, started: float) -> Relayed:
    if job.created_at < started:
        raise fail(409, f"this signed message was already submitted (job {job.key}, "
                        f"{job.state}); it is relayed once")
    return Relayed(job_key=job.key, kind=job.kind, state=job.state)


def _user_nonces(agent, user: str) -> tuple[int, int]:
    """(withdrawal nonce, message nonce) of `user` in the pool."""
    (view,), _ = agent.pool.functions.balancesOf([user], []).call()
    return view[2], view[3]


@router.post("/policies", status_code=202, response_model=Relayed)
def relay_policy(body: SignedPolicy, writes: WritesDep) -> Relayed:
    """Relay a signed SetPolicy (per-round stake and mode of one model)."""
    agent = _agent(writes)
    owner = checksum(body.owner)
    message = {"owner": owner, "model": _b32(body.model), "perRound": body.per_round,
               "mode": body.mode, "nonce": body.nonce, "deadline": body.deadline}
    with _chain():
        _check(writes, agent, body, "SetPolicy", "owner", message, _user_nonces(agent, owner)[1])
        started = time.time()
        try:
            job = agent.relay_policy(body.model, owner, body.per_round, body.mode, body.deadline,
                                     body.signature)
        except RejectedRequest as exc:
            raise fail(400, f"{exc}; nothing was relayed")
    return _planned(job, started)


@router.post("/allocations", status_code=202, response_model=Relayed)
def relay_allocation(body: SignedAllocation, writes: WritesDep) -> Relayed:
    """Relay a signed SetAllocation (where one model's payouts go, in basis points)."""
    agent = _agent(writes)
    owner = checksum(body.owner)
    targets = [(t.kind, t.model, t.bps) for t in body.targets]
    message = {
        "owner": owner,
        "model": _b32(body.model),
        "targets": [{"kind": k, "model": _b32(m), "bps": b} for k, m, b in targets],
        "nonce": body.nonce,
        "deadline": body.deadline,
    }
    with _chain():
        _check(writes, agent, body, "SetAllocation", "owner", message,
               _user_nonces(agent, owner)[1])
        started = time.time()
        try:
            job = agent.relay_allocation(body.model, owner, targets, body.deadline,
                                         body.signature)
        except RejectedRequest as exc:
            raise fail(400, f"{exc}; nothing was relayed")
    return _planned(job, started)


@router.post("/withdrawals", status_code=202, response_model=Relayed)
def request_withdrawal(body: SignedWithdrawal, writes: WritesDep) -> Relayed:
    """Queue a signed free-withdrawal request for the next withdrawal batch."""
    agent = _agent(writes)
    user = checksum(body.user)
    message = {"user": user, "amount": body.amount, "nonce": body.nonce,
               "deadline": body.deadline}
    with _chain():
        _check(writes, agent, body, "Withdrawal", "user", message, _user_nonces(agent, user)[0])
        started = time.time()
        try:
            job = agent.request_free_withdrawal(user, body.amount, body.deadline,
                                                body.signature)
        except RejectedRequest as exc:
            raise fail(400, f"{exc}; nothing was queued")
    return _planned(job, started)
