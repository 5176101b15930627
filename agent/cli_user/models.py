"""Naming a model on the command line: its on-chain id (0x + 64 hex digits) or its Numerai UUID,
and the checks that a model is registered and the user's before anything is signed."""

import re

from eth_utils import to_checksum_address

from agent.cli_user.errors import UserError
from agent.models import InvalidModelUuid, model_id_from_uuid

ZERO = "0x" + "00" * 20
_ID = re.compile(r"^0x[0-9a-fA-F]{64}$")


def parse_model(text: str) -> str:
    """An on-chain model id (lowercase 0x hex) from an id or a UUID."""
    if _ID.match(text):
        if any(bytes.fromhex(text[2:])[:16]):
            raise UserError(f"{text} is not a model id (its first 16 bytes must be zero)")
        return text.lower()
    try:
        return model_id_from_uuid(text)
    except InvalidModelUuid:
        raise UserError(
            f"unknown model {text!r}: give the model's UUID (numer.ai → Models → the "
            "model's id) or its 0x id"
        ) from None


def registered_owner(session, model: str) -> str:
    return session.registry.functions.ownerOf(model).call()


def require_registered_to_user(session, model: str) -> None:
    """The model is in the ModelRegistry under the user's wallet (to list it, or to bind its
    bucket)."""
    owner = registered_owner(session, model)
    if owner == ZERO:
        raise UserError(
            f"unknown model {model}: it is not in the nmrx registry; verify it first with "
            f"`nmrx verify {model}`"
        )
    if to_checksum_address(owner) != session.address:
        raise UserError(
            f"model {model} is registered to {owner}, not to your wallet {session.address}; "
            "use one of your models"
        )


def bucket(session, model: str) -> dict:
    """The pool's bucket of `model` (owner, idle, at risk, policy)."""
    _, (view,) = session.pool.functions.balancesOf([], [model]).call()
    owner, idle, at_risk, per_round, mode, credit = view
    return {"owner": owner, "idle": idle, "at_risk": at_risk, "per_round": per_round,
            "mode": mode, "compound_credit": credit}


def require_pool_model(session, model: str, *, bind: bool) -> dict:
    """The user owns `model`'s pool bucket; with `bind`, an empty bucket the user may claim by
    its registry entry counts too (the pool binds it on first use)."""
    b = bucket(session, model)
    owner = to_checksum_address(b["owner"])
    if owner == session.address:
        return b
    empty = b["idle"] == 0 and b["at_risk"] == 0
    if bind and (owner == to_checksum_address(ZERO) or empty):
        require_registered_to_user(session, model)
        return b
    if owner == to_checksum_address(ZERO):
        raise UserError(
            f"unknown model {model}: you have nothing staked on it in the pool; stake first "
            f"(`nmrx stake {model} AMOUNT`)"
        )
    raise UserError(
        f"model {model} belongs to {owner} in the pool, not to your wallet {session.address}; "
        "use one of your models (`nmrx balance` lists them)"
    )
