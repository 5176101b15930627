"""Small helpers shared by the tests and the agent subprocess (which must not import pytest)."""

from web3 import Web3


def recipient(i: int) -> str:
    """The i-th test recipient: a fixed address nobody else touches."""
    return Web3.to_checksum_address(Web3.keccak(text=f"nmrx-recipient-{i}")[12:])
