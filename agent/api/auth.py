"""Who is asking: EIP-712 signatures on every write, recovered by the server.

Two kinds of signed body reach the API:

- the pool's own messages (SetPolicy, SetAllocation, Withdrawal; `agent.staking`), which the
  agent relays on chain: bound to the chain id, the pool (verifying contract), the pool's on-chain
  nonce and a deadline, and checked again by the pool itself;
- the API's own `Request` message, for writes that stay in the agent (webhooks, the ownership
  flow): bound to the chain id, the API's domain (verifying contract: the deployment's
  ModelRegistry), a one-time nonce from GET /v1/auth/nonce and an expiry. The signed `params`
  string is the canonical JSON (sorted keys, no spaces) of the body's `params` object, so a
  wallet shows the user exactly what it signs.

The signer is always recovered from the signature; an address in a body is only ever compared
with it. Errors are one sentence saying what to do (`OneSentenceErrors` turns FastAPI's list of
validation errors into one).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from sqlalchemy import delete, select, update
from web3 import Web3

from agent.notify.schema import api_nonces
from agent.store import Store

API_DOMAIN_NAME = "nmrx API"
API_DOMAIN_VERSION = "1"
NONCE_TTL = 600.0  # seconds a nonce from /v1/auth/nonce stays usable
MAX_EXPIRY = 3600.0  # how far ahead a signed request may say it expires
ADDRESS_PATTERN = r"^0x[0-9a-fA-F]{40}$"
SIGNATURE_PATTERN = r"^0x[0-9a-fA-F]{130}$"
NONCE_PATTERN = r"^0x[0-9a-f]{32}$"

DOMAIN_FIELDS = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
REQUEST_TYPES = {
    "Request": [
        {"name": "action", "type": "string"},
        {"name": "params", "type": "string"},
        {"name": "nonce", "type": "string"},
        {"name": "expiry", "type": "uint256"},
    ]
}


# -- what the write routes work with ----------------------------------------------------------


@dataclass
class Writes:
    """What the write routes need, set on `app.state.writes` by whoever builds the app (the
    stack, a test). `staking` (an `agent.staking.StakingAgent`) and `ownership` (an
    `agent.ownership_flow.OwnershipFlow`) and `vault` are optional: the routes that need them
    answer 503 without them."""

    store: Store
    chain_id: int
    verifying_contract: str
    staking: Any = None
    ownership: Any = None
    # An `agent.vault.Vault`: webhook secrets are stored sealed under it, never in plaintext, so
    # creating a webhook answers 503 without one.
    vault: Any = None
    clock: Callable[[], float] = field(default=time.time)
    # How often the SSE stream looks for new notifications (seconds).
    sse_poll: float = 0.5


def get_writes(request: Request) -> Writes:
    writes = getattr(request.app.state, "writes", None)
    if writes is None:
        raise HTTPException(503, "this agent serves no writes (no store is configured); "
                                 "run it with `nmrx run`")
    return writes


WritesDep = Annotated[Writes, Depends(get_writes)]


def fail(status: int, detail: str) -> HTTPException:
    return HTTPException(status, detail)


def checksum(address: str) -> str:
    return Web3.to_checksum_address(address)


# -- one-sentence errors ----------------------------------------------------------------------


def one_sentence(exc: RequestValidationError) -> str:
    """The first validation problem as one sentence: where, and what is wrong."""
    errors = exc.errors()
    if not errors:
        return "the request is malformed; check it against /openapi.json"
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return f"{where}: {first.get('msg', 'invalid')}{more}; fix it and send the request again"


class OneSentenceErrors(APIRoute):
    """Routes whose 422s carry {"detail": "<one sentence>"} like every other error."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route(request: Request):
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return JSONResponse({"detail": one_sentence(exc)}, status_code=422)

        return route


# -- the API's own typed data -----------------------------------------------------------------


def api_domain(chain_id: int, verifying_contract: str) -> dict:
    return {
        "name": API_DOMAIN_NAME,
        "version": API_DOMAIN_VERSION,
        "chainId": chain_id,
        "verifyingContract": checksum(verifying_contract),
    }


def canonical(params: dict) -> str:
    """The string a wallet signs for `params`: JSON, keys sorted, no spaces."""
    return json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def api_typed_data(
    chain_id: int, verifying_contract: str, action: str, params: dict, nonce: str, expiry: int
) -> dict:
    return {
        "types": {"EIP712Domain": DOMAIN_FIELDS, **REQUEST_TYPES},
        "primaryType": "Request",
        "domain": api_domain(chain_id, verifying_contract),
        "message": {
            "action": action,
            "params": canonical(params),
            "nonce": nonce,
            "expiry": int(expiry),
        },
    }


def sign_api_request(
    key, chain_id: int, verifying_contract: str, action: str, params: dict, nonce: str,
    expiry: int,
) -> dict:
    """The JSON body of a signed API request (for the CLI, the tests and wallets' helpers)."""
    data = api_typed_data(chain_id, verifying_contract, action, params, nonce, expiry)
    signed = Account.sign_message(encode_typed_data(full_message=data), key)
    return {
        "params": params,
        "nonce": nonce,
        "expiry": int(expiry),
        "chain_id": chain_id,
        "signature": "0x" + signed.signature.hex().removeprefix("0x"),
    }


def recover(typed_data: dict, signature: str) -> str | None:
    try:
        return Account.recover_message(encode_typed_data(full_message=typed_data),
                                       signature=signature)
    except (ValueError, TypeError, OverflowError):  # malformed: nobody signed it
        return None


# -- nonces -----------------------------------------------------------------------------------


class Nonces:
    """One-time nonces in the store: issued for an address, spent once, inside the transaction
    of the write they authorize (a failed write leaves its nonce unspent)."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time):
        self.store, self.clock = store, clock

    def issue(self, address: str) -> tuple[str, float]:
        now = self.clock()
        nonce = "0x" + secrets.token_hex(16)
        with self.store.begin() as conn:
            # Expired nonces are of no use to anybody: prune them as new ones are issued.
            conn.execute(delete(api_nonces).where(api_nonces.c.expires_at < now - NONCE_TTL))
            conn.execute(
                api_nonces.insert().values(
                    nonce=nonce, address=address.lower(), issued_at=now,
                    expires_at=now + NONCE_TTL,
                )
            )
        return nonce, now + NONCE_TTL

    def spend(self, conn, nonce: str, signer: str, action: str) -> None:
        """Mark `nonce` used by `signer` in `conn`'s transaction, or raise the 4xx saying why."""
        now = self.clock()
        done = conn.execute(
            update(api_nonces)
            .where(
                api_nonces.c.nonce == nonce,
                api_nonces.c.address == signer.lower(),
                api_nonces.c.used_at.is_(None),
                api_nonces.c.expires_at > now,
            )
            .values(used_at=now, action=action)
        ).rowcount
        if done == 1:
            return
        row = conn.execute(select(api_nonces).where(api_nonces.c.nonce == nonce)).first()
        if row is None:
            raise fail(401, f"nonce {nonce} was not issued by this API; get one from "
                            "GET /v1/auth/nonce?address=<your address> and sign again")
        if row.address != signer.lower():
            raise fail(401, f"the signature is not from {checksum(row.address)}, to whom nonce "
                            f"{nonce} was issued; sign with that wallet")
        if row.used_at is not None:
            raise fail(409, f"nonce {nonce} was already used (a replayed request); get a fresh "
                            "nonce from GET /v1/auth/nonce and sign again")
        raise fail(401, f"nonce {nonce} expired; get a fresh one from GET /v1/auth/nonce")


# -- signed API requests ----------------------------------------------------------------------


class SignedBody(BaseModel):
    """The envelope of every API-signed write; `params` is the route's own object."""

    nonce: str = Field(pattern=NONCE_PATTERN, description="from GET /v1/auth/nonce")
    expiry: int = Field(ge=0, lt=2**63, description="unix seconds; at most an hour ahead")
    chain_id: int = Field(ge=1, lt=2**63, description="the chain id the request is signed for")
    signature: str = Field(pattern=SIGNATURE_PATTERN, description="EIP-712 signature, 65 bytes")


def check_envelope(writes: Writes, chain_id: int, expiry: int) -> None:
    """Chain and expiry, which both kinds of signed body carry; raises the 4xx."""
    if chain_id != writes.chain_id:
        raise fail(400, f"the request is signed for chain {chain_id} but this API serves chain "
                        f"{writes.chain_id}; sign it again for chain {writes.chain_id}")
    now = writes.clock()
    if expiry <= now:
        raise fail(401, f"the signature expired at {expiry} (now {int(now)}); sign again with a "
                        "later expiry")


def verify_api_request(writes: Writes, action: str, body: SignedBody, params: dict) -> str:
    """The checksummed signer of an API-signed request, after checking its chain, expiry and
    signature (the nonce is spent by `Nonces.spend` in the write's transaction)."""
    check_envelope(writes, body.chain_id, body.expiry)
    if body.expiry > writes.clock() + MAX_EXPIRY:
        raise fail(400, f"expiry {body.expiry} is more than {int(MAX_EXPIRY)} s ahead; sign "
                        "with an expiry within the hour")
    data = api_typed_data(writes.chain_id, writes.verifying_contract, action, params, body.nonce,
                          body.expiry)
    signer = recover(data, body.signature)
    if signer is None:
        raise fail(401, "the signature is malformed; sign the typed data from "
                        "GET /v1/auth/domain with your wallet")
    return signer


# -- routes: what a wallet needs before it signs ----------------------------------------------

router = APIRouter(prefix="/v1/auth", tags=["auth"], route_class=OneSentenceErrors)


class IssuedNonce(BaseModel):
    address: str
    nonce: str
    expires_at: float


class TypedDataSpec(BaseModel):
    domain: dict
    primaryType: str | None = None
    types: dict


class Domains(BaseModel):
    chain_id: int
    api: TypedDataSpec
    pool: dict[str, TypedDataSpec] | None = None


@router.get("/nonce", response_model=IssuedNonce)
def issue_nonce(
    writes: WritesDep,
    address: Annotated[str, Query(pattern=ADDRESS_PATTERN, description="the signing wallet")],
) -> IssuedNonce:
    """A fresh one-time nonce for the API's `Request` typed data, valid for ten minutes."""
    nonce, expires = Nonces(writes.store, writes.clock).issue(address)
    return IssuedNonce(address=checksum(address), nonce=nonce, expires_at=expires)


@router.get("/domain", response_model=Domains)
def domains(writes: WritesDep) -> Domains:
    """The EIP-712 domains and types to sign: the API's `Request`, and the pool's messages."""
    api = TypedDataSpec(
        domain=api_domain(writes.chain_id, writes.verifying_contract),
        primaryType="Request",
        types={"EIP712Domain": DOMAIN_FIELDS, **REQUEST_TYPES},
    )
    pool = None
    if writes.staking is not None:
        from agent.staking import TYPES, pool_typed_data

        pool = {}
        for primary, types in TYPES.items():
            spec = pool_typed_data(writes.chain_id, writes.staking.pool.address, primary, {})
            pool[primary] = TypedDataSpec(domain=spec["domain"], primaryType=primary,
                                          types={"EIP712Domain": DOMAIN_FIELDS, **types})
    return Domains(chain_id=writes.chain_id, api=api, pool=pool)
