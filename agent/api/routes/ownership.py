"""The ownership verification flow (agent/ownership_flow.py) over HTTP, signed by the wallet.

Each route takes the API's signed `Request` (agent/api/auth.py) with params {"model": ...}:
`ownership.start` (name, UUID or on-chain id) answers the one-time code to put in the model's
public bio; `ownership.check` (the model's name) reads the bio and plans the registry writes;
`ownership.release` lets the verified owner give the model up. The wallet is the recovered
signer. The nonce is spent in its own transaction first (so a replay is refused even while the
flow runs) and given back when the flow refuses the request, which then changed nothing.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import update

from agent.api.auth import (
    Nonces,
    OneSentenceErrors,
    SignedBody,
    Writes,
    WritesDep,
    fail,
    verify_api_request,
)
from agent.notify.schema import api_nonces
from agent.ownership_flow import UnknownOwnershipModel
from agent.tournament.client import NumeraiError, Unreachable
from agent.verify.ownership import (
    NoOwnershipChallenge,
    NotModelOwner,
    OwnershipCodeExpired,
    OwnershipCodeNotFound,
    OwnershipError,
)

router = APIRouter(prefix="/v1/ownership", tags=["ownership"], route_class=OneSentenceErrors)


class ModelParams(BaseModel):
    model: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_\-]+$",
                       description="the model's name (start also takes its UUID or on-chain id)")


class OwnershipRequest(SignedBody):
    params: ModelParams


class StartedCode(BaseModel):
    wallet: str
    model_id: str
    code: str
    instructions: str
    expires_at: str


class RegistryJob(BaseModel):
    key: str
    kind: str
    state: str


class Decided(BaseModel):
    wallet: str
    model_id: str
    changed: bool  # false when nothing changes on chain (e.g. the owner re-verified)
    previous_owner: str | None
    jobs: list[RegistryJob]


STATUS = {
    UnknownOwnershipModel: 404, NoOwnershipChallenge: 409, OwnershipCodeExpired: 410,
    OwnershipCodeNotFound: 409, NotModelOwner: 403,
}


def _flow(writes: Writes):
    if writes.ownership is None:
        raise fail(503, "this agent does not verify model ownership (no registry is configured)")
    return writes.ownership


def _authorized(writes: Writes, action: str, body: OwnershipRequest) -> str:
    signer = verify_api_request(writes, action, body, body.params.model_dump())
    with writes.store.begin() as conn:
        Nonces(writes.store, writes.clock).spend(conn, body.nonce, signer, action)
    return signer


def _give_back(writes: Writes, nonce: str) -> None:
    with writes.store.begin() as conn:
        conn.execute(update(api_nonces).where(api_nonces.c.nonce == nonce)
                     .values(used_at=None, action=None))


def _run(writes: Writes, body: OwnershipRequest, fn):
    try:
        return fn()
    except Unreachable as exc:
        _give_back(writes, body.nonce)
        raise fail(503, f"Numerai does not answer ({exc}); try again later")
    except (OwnershipError, NumeraiError) as exc:
        _give_back(writes, body.nonce)
        status = next((s for t, s in STATUS.items() if isinstance(exc, t)), 400)
        raise fail(status, str(exc))


def _decided(checked) -> Decided:
    decision = checked.decision
    return Decided(
        wallet=checked.wallet, model_id=checked.model_id, changed=bool(checked.jobs),
        previous_owner=getattr(decision, "previous_owner", None),
        jobs=[RegistryJob(key=j.key, kind=j.kind, state=j.state) for j in checked.jobs],
    )


@router.post("/start", response_model=StartedCode)
def start(body: OwnershipRequest, writes: WritesDep) -> StartedCode:
    """A one-time code for (signer, model), to put in the model's public bio on numer.ai."""
    flow = _flow(writes)
    signer = _authorized(writes, "ownership.start", body)
    started = _run(writes, body, lambda: flow.start(signer, body.params.model))
    return StartedCode(wallet=started.wallet, model_id=started.model_id, code=started.code,
                       instructions=started.instructions,
                       expires_at=started.expires_at.isoformat())


@router.post("/check", response_model=Decided)
def check(body: OwnershipRequest, writes: WritesDep) -> Decided:
    """Read the model's bio for the signer's code; plan the registry writes when it is there."""
    flow = _flow(writes)
    signer = _authorized(writes, "ownership.check", body)
    return _decided(_run(writes, body, lambda: flow.check(signer, body.params.model)))


@router.post("/release", response_model=Decided)
def release(body: OwnershipRequest, writes: WritesDep) -> Decided:
    """The verified owner gives the model up (the agent revokes it in the registry)."""
    flow = _flow(writes)
    signer = _authorized(writes, "ownership.release", body)
    return _decided(_run(writes, body, lambda: flow.release(signer, body.params.model)))
