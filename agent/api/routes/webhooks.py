"""Webhook subscriptions and their delivery log.

Creating and deleting one is signed with the API's `Request` typed data (agent/api/auth.py):
actions `webhooks.create` (params: url, kinds, secret) and `webhooks.delete` (params: id). The
subscription belongs to the recovered signer, who receives the notifications that concern it.
The secret (the HMAC key of `X-Nmrx-Signature`) is chosen by the subscriber and never answered
back; the store keeps it sealed by the agent's vault (`Vault.encrypt_secret`, base64 text), bound
to the owner and the purpose `webhook`. Lists answer {items, next_cursor}; the cursor is opaque.
"""

from __future__ import annotations

import base64
import re
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select, update

from agent.api.auth import (
    ADDRESS_PATTERN,
    NONCE_PATTERN,
    SIGNATURE_PATTERN,
    Nonces,
    OneSentenceErrors,
    SignedBody,
    WritesDep,
    checksum,
    fail,
    verify_api_request,
)
from agent.notify.derive import KINDS
from agent.notify.schema import webhook_deliveries, webhooks

router = APIRouter(prefix="/v1/webhooks", tags=["notifications"], route_class=OneSentenceErrors)

# The `purpose` webhook secrets are sealed under (agent/notify/webhooks.py opens them with it).
SECRET_PURPOSE = "webhook"
ID_PATTERN = r"^wh_[0-9a-f]{24}$"
MAX_PER_OWNER = 20


class WebhookParams(BaseModel):
    url: str = Field(min_length=8, max_length=2000, description="http(s) URL that receives POSTs")
    kinds: list[str] = Field(min_length=1, max_length=len(KINDS) + 1,
                             description='notification kinds, or ["*"] for all')
    secret: str = Field(min_length=16, max_length=200,
                        description="HMAC-SHA256 key of X-Nmrx-Signature; never answered back")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host")
        return value

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, value: list[str]) -> list[str]:
        unknown = [k for k in value if k != "*" and k not in KINDS]
        if unknown:
            raise ValueError(f"unknown kind {unknown[0]!r}; use any of {', '.join(KINDS)} or *")
        return value  # as signed (the signature covers the params exactly as sent)


class CreateWebhook(SignedBody):
    params: WebhookParams


class Webhook(BaseModel):
    id: str
    owner: str
    url: str
    kinds: list[str]
    created_at: float
    deleted_at: float | None = None


class WebhookPage(BaseModel):
    items: list[Webhook]
    next_cursor: str | None


class DeliveryAttempt(BaseModel):
    at: float
    attempt: int
    status: int | None
    error: str | None
    ms: float


class WebhookDelivery(BaseModel):
    id: int
    notification_id: int
    state: str
    attempts: int
    next_attempt_at: float | None
    last_status: int | None
    last_error: str | None
    log: list[DeliveryAttempt]
    created_at: float
    updated_at: float


class WebhookDeliveryPage(BaseModel):
    items: list[WebhookDelivery]
    next_cursor: str | None


def _public(row) -> Webhook:
    return Webhook(id=row.id, owner=checksum(row.owner), url=row.url, kinds=row.kinds,
                   created_at=row.created_at, deleted_at=row.deleted_at)


def _cursor(value: str | None) -> int:
    if value is None:
        return 0
    if not re.fullmatch(r"[0-9]{1,18}", value):  # (str.isdigit also takes "²")
        raise fail(400, "cursor is not one this API handed out; start without it")
    return int(value)


Limit = Annotated[int, Query(ge=1, le=500)]
Cursor = Annotated[str | None, Query(max_length=40)]


@router.post("", status_code=201, response_model=Webhook)
def create_webhook(body: CreateWebhook, writes: WritesDep) -> Webhook:
    """Subscribe the signer's wallet: notifications of `kinds` that concern it are POSTed."""
    params = body.params.model_dump()
    signer = verify_api_request(writes, "webhooks.create", body, params)
    if writes.vault is None:
        # Never store the HMAC key in plaintext: without a vault there is nowhere safe to keep it.
        raise fail(503, "this agent has no vault to keep webhook secrets in; "
                        "run it with `nmrx run`")
    sealed = base64.b64encode(
        writes.vault.encrypt_secret(params["secret"], signer, SECRET_PURPOSE)).decode()
    now = writes.clock()
    hook_id = "wh_" + secrets.token_hex(12)
    with writes.store.begin() as conn:
        Nonces(writes.store, writes.clock).spend(conn, body.nonce, signer, "webhooks.create")
        count = len(conn.execute(select(webhooks.c.id).where(
            webhooks.c.owner == signer.lower(), webhooks.c.deleted_at.is_(None))).all())
        if count >= MAX_PER_OWNER:
            raise fail(409, f"{signer} already has {MAX_PER_OWNER} webhooks; delete one first")
        conn.execute(webhooks.insert().values(
            id=hook_id, owner=signer.lower(), url=params["url"], kinds=sorted(set(params["kinds"])),
            secret=sealed, created_at=now))
        row = conn.execute(select(webhooks).where(webhooks.c.id == hook_id)).one()
    return _public(row)


@router.get("", response_model=WebhookPage)
def list_webhooks(
    writes: WritesDep,
    owner: Annotated[str, Query(pattern=ADDRESS_PATTERN)],
    limit: Limit = 100,
    cursor: Cursor = None,
) -> WebhookPage:
    """The owner's live webhooks (without their secrets), oldest first."""
    after = _cursor(cursor)
    with writes.store.engine.connect() as conn:
        rows = conn.execute(
            select(webhooks).where(webhooks.c.owner == owner.lower(),
                                   webhooks.c.deleted_at.is_(None))
            .order_by(webhooks.c.created_at, webhooks.c.id).offset(after).limit(limit + 1)
        ).all()
    more = len(rows) > limit
    return WebhookPage(items=[_public(r) for r in rows[:limit]],
                       next_cursor=str(after + limit) if more else None)


@router.delete("/{webhook_id}", response_model=Webhook)
def delete_webhook(
    writes: WritesDep,
    webhook_id: Annotated[str, Path(pattern=ID_PATTERN)],
    nonce: Annotated[str, Query(pattern=NONCE_PATTERN)],
    expiry: Annotated[int, Query(ge=0, lt=2**63)],
    chain_id: Annotated[int, Query(ge=1, lt=2**63)],
    signature: Annotated[str, Query(pattern=SIGNATURE_PATTERN)],
) -> Webhook:
    """Stop a webhook (signed by its owner: action `webhooks.delete`, params {"id": ...}); its
    delivery log stays readable."""
    body = SignedBody(nonce=nonce, expiry=expiry, chain_id=chain_id, signature=signature)
    signer = verify_api_request(writes, "webhooks.delete", body, {"id": webhook_id})
    with writes.store.begin() as conn:
        row = conn.execute(select(webhooks).where(webhooks.c.id == webhook_id)).first()
        if row is None or row.deleted_at is not None:
            raise fail(404, f"no live webhook {webhook_id}; list yours with GET /v1/webhooks")
        Nonces(writes.store, writes.clock).spend(conn, nonce, signer, "webhooks.delete")
        if row.owner != signer.lower():
            raise fail(403, f"webhook {webhook_id} belongs to {checksum(row.owner)}, not "
                            f"{signer}; sign with the owner's wallet")
        conn.execute(update(webhooks).where(webhooks.c.id == webhook_id)
                     .values(deleted_at=writes.clock()))
        row = conn.execute(select(webhooks).where(webhooks.c.id == webhook_id)).one()
    return _public(row)


@router.get("/{webhook_id}/deliveries", response_model=WebhookDeliveryPage)
def deliveries(
    writes: WritesDep,
    webhook_id: Annotated[str, Path(pattern=ID_PATTERN)],
    state: Annotated[str | None, Query(pattern=r"^(pending|delivered|failed)$")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> WebhookDeliveryPage:
    """The delivery log of one webhook, newest first: every attempt with its status or error."""
    before = _cursor(cursor)
    with writes.store.engine.connect() as conn:
        if conn.execute(select(webhooks.c.id).where(webhooks.c.id == webhook_id)).first() is None:
            raise fail(404, f"no webhook {webhook_id}; list yours with GET /v1/webhooks")
        query = select(webhook_deliveries).where(webhook_deliveries.c.webhook_id == webhook_id)
        if state:
            query = query.where(webhook_deliveries.c.state == state)
        if before:
            query = query.where(webhook_deliveries.c.id < before)
        rows = conn.execute(query.order_by(webhook_deliveries.c.id.desc()).limit(limit + 1)).all()
    items = [WebhookDelivery(**{k: v for k, v in r._mapping.items() if k != "webhook_id"})
             for r in rows[:limit]]
    more = len(rows) > limit
    return WebhookDeliveryPage(items=items, next_cursor=str(items[-1].id) if more else None)
