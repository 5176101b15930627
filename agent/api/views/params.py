"""Parsing what clients send, with one-sentence 4xx answers that say what to do."""

from __future__ import annotations

import base64
import json
import re
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from web3 import Web3

from agent.models import InvalidModelUuid, model_id_from_uuid
from agent.readmodel.service import ReadModel

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_ID32 = re.compile(r"^0x[0-9a-fA-F]{64}$")

MAX_LIMIT = 500


def address(value: str, what: str = "address") -> str:
    """A checksummed address from checksummed or lower-case hex (mixed case must checksum)."""
    if not _ADDRESS.fullmatch(value or ""):
        raise HTTPException(422, f"{what} {value!r} is not an address; send 0x and 40 hex digits")
    if value != value.lower() and value[2:] != value[2:].upper():
        if not Web3.is_checksum_address(value):
            raise HTTPException(
                422, f"{what} {value!r} has a wrong checksum; send it lower-case or checksummed")
    return Web3.to_checksum_address(value.lower())


def model_id(value: str) -> str:
    """An on-chain model id (0x + 64 hex) from itself or from a Numerai model UUID."""
    if _ID32.fullmatch(value):
        return value.lower()
    try:
        return model_id_from_uuid(value)
    except InvalidModelUuid:
        raise HTTPException(
            422, f"model {value!r} is neither a model UUID nor an on-chain model id (0x + 64 hex)"
        ) from None


def currency(value: str) -> str:
    code = (value or "").upper()
    if not re.fullmatch(r"[A-Z]{3,5}", code):
        raise HTTPException(422, f"currency {value!r} is not a currency code such as NMR or USD")
    return code


class Page:
    """`limit` (1..500) and an opaque `cursor` (the offset of the next item, encoded)."""

    def __init__(self, limit: int, cursor: str | None):
        self.limit = limit
        self.offset = 0
        if cursor:
            try:
                data = json.loads(base64.urlsafe_b64decode(cursor.encode() + b"==="))
                self.offset = int(data["o"])
                if self.offset < 0:
                    raise ValueError
            except (ValueError, KeyError, TypeError, OverflowError):
                raise HTTPException(
                    400, "cursor is not one this API gave out; start again without a cursor"
                ) from None

    def slice(self, items: list) -> tuple[list, str | None]:
        chunk = items[self.offset:self.offset + self.limit]
        end = self.offset + len(chunk)
        more = end < len(items)
        return chunk, encode_cursor(end) if more else None


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


async def page(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="items per page (1..500)")] = 100,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> Page:
    return Page(limit, cursor)


PageDep = Annotated[Page, Depends(page)]


async def get_read(request: Request) -> ReadModel:
    """The app's read model (made by the read routers' lifespan, or on first use)."""
    read = getattr(request.app.state, "read", None)
    if read is None:
        read = request.app.state.read = ReadModel(request.app.state.service)
    return read


ReadDep = Annotated[ReadModel, Depends(get_read)]
