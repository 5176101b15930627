"""A seller's price ladder as the Marketplace's EIP-712 message (`IMarketTypes.Ladder`), and the
compact signature (EIP-2098: r, vs) that `fill` takes for a ladder nobody paid gas to post."""

from __future__ import annotations

from eth_account import Account
from eth_account.messages import encode_typed_data

LADDER_TYPES = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "Ladder": [
        {"name": "listingId", "type": "uint256"},
        {"name": "round", "type": "uint16"},
        {"name": "version", "type": "uint16"},
        {"name": "counter", "type": "uint32"},
        {"name": "deliverBy", "type": "uint32"},
        {"name": "expiry", "type": "uint32"},
        {"name": "prices", "type": "uint256[]"},
        {"name": "units", "type": "uint256[]"},
    ],
}
LADDER_FIELDS = [f["name"] for f in LADDER_TYPES["Ladder"]]


def ladder_typed_data(chain_id: int, market: str, ladder: dict | tuple | list) -> dict:
    """The full typed data of `ladder` (a dict by field name, or the struct's tuple)."""
    message = ladder if isinstance(ladder, dict) else dict(zip(LADDER_FIELDS, ladder))
    return {
        "types": LADDER_TYPES,
        "primaryType": "Ladder",
        "domain": {"name": "nmrx Marketplace", "version": "1", "chainId": chain_id,
                   "verifyingContract": market},
        "message": message,
    }


def sign_ladder(key, chain_id: int, market: str, ladder: dict | tuple | list) -> tuple[bytes, bytes]:
    """The seller's signature of `ladder` as (r, vs), 32 bytes each."""
    data = ladder_typed_data(chain_id, market, ladder)
    signed = Account.sign_message(encode_typed_data(full_message=data), key)
    vs = signed.s | ((signed.v - 27) << 255)
    return signed.r.to_bytes(32, "big"), vs.to_bytes(32, "big")
