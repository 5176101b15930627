"""Numerai model identifiers as the nmrx contracts see them."""

import uuid

from agent.errors import NmrxError


class InvalidModelUuid(NmrxError, ValueError):
    """A string that is not a Numerai model UUID."""


def model_id_from_uuid(model_uuid: str) -> str:
    """Return the on-chain model id (0x-prefixed bytes32 hex) of a Numerai model UUID.

    The id is the UUID's 16 bytes right-aligned in 32 bytes, so it can be turned back into the
    UUID (see `model_uuid_from_id`) and matches `IModelRegistry`'s documentation.
    """
    try:
        value = uuid.UUID(str(model_uuid))
    except ValueError as exc:
        raise InvalidModelUuid(
            f"{model_uuid!r} is not a model UUID; copy it from numer.ai (Models → model → id)"
        ) from exc
    return "0x" + value.int.to_bytes(32, "big").hex()


def model_uuid_from_id(model_id: str | bytes) -> str:
    """Return the Numerai model UUID that an on-chain model id stands for."""
    raw = bytes.fromhex(model_id[2:] if isinstance(model_id, str) else model_id.hex())
    if len(raw) != 32 or any(raw[:16]):
        raise InvalidModelUuid(f"{model_id!r} is not an nmrx model id (16 zero bytes, then a UUID)")
    return str(uuid.UUID(bytes=raw[16:]))
