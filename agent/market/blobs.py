"""A content-addressed store of sealed deliveries, as files under the agent's data dir.

A blob's address is the keccak256 of its bytes (``keccak256:0x<64 hex>``), the same hash a
FILE-mode delivery posts on-chain, so the chain names the blob and anyone holding it can check
it. Only ciphertexts are put here (the delivery flow seals first); the database keeps the
address, never the bytes.

Writes are atomic (a temporary file in the same folder, fsynced, then renamed), so a crash
leaves either no blob or the whole blob, and putting the same bytes twice is a no-op.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from eth_utils import keccak

from agent.errors import NmrxError

PREFIX = "keccak256:0x"
_ADDRESS = re.compile(r"^keccak256:0x([0-9a-f]{64})$")


class BlobError(NmrxError, ValueError):
    """A blob address that is malformed, missing, or whose bytes no longer match it."""


def address_of(data: bytes) -> str:
    """The content address of `data`: ``keccak256:0x<hash>``."""
    return PREFIX + keccak(data).hex()


def hash_of(address: str) -> bytes:
    """The 32-byte keccak256 an address names."""
    match = _ADDRESS.match(address)
    if match is None:
        raise BlobError(f"{address!r} is not a blob address (keccak256:0x + 64 hex digits)")
    return bytes.fromhex(match.group(1))


class BlobStore:
    """Blobs as files ``<root>/<2 hex>/<64 hex>`` (fan-out keeps folders small)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    @classmethod
    def under(cls, data_dir: Path) -> BlobStore:
        """The blob store of an agent whose data dir is `data_dir`."""
        return cls(Path(data_dir) / "blobs")

    def path(self, address: str) -> Path:
        digest = hash_of(address).hex()
        return self.root / digest[:2] / digest

    def put(self, data: bytes) -> str:
        """Store `data`; returns its address. Idempotent."""
        address = address_of(data)
        path = self.path(address)
        if path.exists():
            return address
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        return address

    def get(self, address: str) -> bytes:
        """The bytes at `address`, checked against it."""
        try:
            data = self.path(address).read_bytes()
        except FileNotFoundError:
            raise BlobError(
                f"blob {address} is not in {self.root}; was the data dir moved or cleaned?"
            ) from None
        if address_of(data) != address:
            raise BlobError(f"blob {address} in {self.root} is corrupt (its hash differs)")
        return data

    def has(self, address: str) -> bool:
        return self.path(address).exists()
