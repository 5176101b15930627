"""FILE-mode delivery: a prediction file sealed to the buyer's X25519 public key.

A NaCl sealed box (PyNaCl, libsodium's crypto_box_seal) needs only the buyer's public key, so the
agent or the seller can seal without ever holding a key that opens it; only the buyer's private
key does. The box is authenticated: any change to the ciphertext makes opening fail. It is also
anonymous (it does not say who sealed it), which is why the ciphertext's keccak256 is posted
on-chain as the delivery hash: the buyer checks the file they got is the one delivered.

A file is validated (`agent.verify.predictions`) before it is sealed, so a buyer is never sent
something that is not a prediction file for the round; `SealedDelivery.prediction_hash` is its
canonical hash, the one consistency checks compare.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection
from dataclasses import dataclass

from eth_utils import keccak
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from agent.errors import NmrxError
from agent.verify.predictions import PredictionFile, parse_predictions

KEY_BYTES = 32
#: A sealed box adds an ephemeral public key (32 bytes) and a MAC (16 bytes).
SEAL_OVERHEAD = 48


class SealingError(NmrxError, ValueError):
    """A key or a sealed delivery that cannot be used."""


class InvalidBuyerKey(SealingError):
    """Text that is not a 32-byte X25519 key in hex or base64."""


class CannotOpenDelivery(SealingError):
    """The ciphertext does not open with this key: wrong key, or the ciphertext was altered."""


class DeliveryHashMismatch(SealingError):
    """The ciphertext is not the one whose hash was posted on-chain."""


@dataclass(frozen=True)
class BuyerKeyPair:
    """A buyer's delivery key pair. Only `public_key` leaves the buyer's machine."""

    private_key: PrivateKey

    @property
    def public_key(self) -> PublicKey:
        return self.private_key.public_key

    def public_hex(self) -> str:
        return encode_key(self.public_key, "hex")

    def public_base64(self) -> str:
        return encode_key(self.public_key, "base64")

    def private_hex(self) -> str:
        """The private key as hex, for the buyer's own key file; never send it anywhere."""
        return encode_key(self.private_key, "hex")

    def __repr__(self) -> str:
        return f"BuyerKeyPair(public_key={self.public_hex()!r}, private_key='***')"


@dataclass(frozen=True)
class SealedDelivery:
    """A sealed file with the two hashes the chain and the checks use."""

    ciphertext: bytes
    delivery_hash: bytes  # keccak256(ciphertext): the bytes32 posted on the Marketplace
    prediction_hash: bytes  # canonical hash of the plaintext (agent.verify.predictions)

    def __repr__(self) -> str:
        return (f"SealedDelivery({len(self.ciphertext)} bytes, "
                f"delivery_hash=0x{self.delivery_hash.hex()}, "
                f"prediction_hash=0x{self.prediction_hash.hex()})")


def generate_buyer_keypair() -> BuyerKeyPair:
    """A new random X25519 key pair for receiving deliveries."""
    return BuyerKeyPair(PrivateKey.generate())


def encode_key(key: PublicKey | PrivateKey, fmt: str = "hex") -> str:
    """A key as ``hex`` (64 characters, no 0x) or ``base64`` (standard alphabet, 44 characters)."""
    raw = bytes(key)
    if fmt == "hex":
        return raw.hex()
    if fmt == "base64":
        return base64.b64encode(raw).decode()
    raise SealingError(f"unknown key format {fmt!r}; use 'hex' or 'base64'")


def public_key_from_text(text: str | bytes | PublicKey) -> PublicKey:
    """A buyer's public key from hex (optionally 0x-prefixed), base64 or 32 raw bytes."""
    if isinstance(text, PublicKey):
        return text
    return PublicKey(_key_bytes(text, "public"))


def private_key_from_text(text: str | bytes | PrivateKey) -> PrivateKey:
    """A buyer's private key from hex (optionally 0x-prefixed), base64 or 32 raw bytes."""
    if isinstance(text, PrivateKey):
        return text
    return PrivateKey(_key_bytes(text, "private"))


def delivery_hash(ciphertext: bytes) -> bytes:
    """keccak256 of the ciphertext: the bytes32 delivery hash for the Marketplace."""
    return keccak(ciphertext)


def seal_delivery(file_bytes: bytes, buyer_public_key: str | bytes | PublicKey,
                  live_ids: Collection[str] | None = None) -> SealedDelivery:
    """Validate `file_bytes` as a prediction file (for the round when `live_ids` is given),
    then seal it to the buyer. Raises `InvalidPredictionFile` before anything is sealed."""
    parsed = parse_predictions(file_bytes, live_ids)
    ciphertext = SealedBox(public_key_from_text(buyer_public_key)).encrypt(file_bytes)
    return SealedDelivery(ciphertext, delivery_hash(ciphertext), parsed.hash)


def seal(file_bytes: bytes, buyer_public_key: str | bytes | PublicKey,
         live_ids: Collection[str] | None = None) -> bytes:
    """The ciphertext of `seal_delivery` alone."""
    return seal_delivery(file_bytes, buyer_public_key, live_ids).ciphertext


def open_sealed(ciphertext: bytes, buyer_private_key: str | bytes | PrivateKey,
                expected_hash: bytes | str | None = None) -> bytes:
    """Open a delivery with the buyer's private key. With `expected_hash` (the on-chain delivery
    hash, bytes or 0x hex) the ciphertext is checked against it first."""
    if expected_hash is not None:
        expected = (bytes.fromhex(expected_hash.removeprefix("0x"))
                    if isinstance(expected_hash, str) else expected_hash)
        if delivery_hash(ciphertext) != expected:
            raise DeliveryHashMismatch(
                f"this ciphertext hashes to 0x{delivery_hash(ciphertext).hex()}, not the delivery "
                f"hash 0x{expected.hex()} posted on-chain; download the delivery again, and "
                "dispute it if it still differs"
            )
    if len(ciphertext) < SEAL_OVERHEAD:
        raise CannotOpenDelivery(
            f"the delivery is {len(ciphertext)} bytes, too short to be a sealed box; "
            "download it again"
        )
    try:
        return SealedBox(private_key_from_text(buyer_private_key)).decrypt(ciphertext)
    except CryptoError:
        raise CannotOpenDelivery(
            "the delivery does not open with this key: either it was sealed to another public key "
            "(check the key registered with your bid is this key's public half) or the "
            "ciphertext was altered (compare its hash with the one on-chain)"
        ) from None


def open_delivery(ciphertext: bytes, buyer_private_key: str | bytes | PrivateKey,
                  expected_hash: bytes | str | None = None,
                  expected_prediction_hash: bytes | None = None,
                  live_ids: Collection[str] | None = None) -> tuple[bytes, PredictionFile]:
    """The buyer's side in one call: check the ciphertext against the on-chain delivery hash,
    open it, validate the file (for the round when `live_ids` is given) and, when the seller's
    canonical prediction hash is known, check the file is that one. Returns the file's bytes
    and its parsed form."""
    data = open_sealed(ciphertext, buyer_private_key, expected_hash)
    parsed = parse_predictions(data, live_ids)
    if expected_prediction_hash is not None and parsed.hash != expected_prediction_hash:
        raise DeliveryHashMismatch(
            f"the delivered file's prediction hash is {parsed.hash_hex}, not the "
            f"0x{expected_prediction_hash.hex()} recorded for this sale; dispute the delivery"
        )
    return data, parsed


def _key_bytes(text: str | bytes, kind: str) -> bytes:
    if isinstance(text, bytes) and len(text) == KEY_BYTES:
        return text
    raw = text.decode() if isinstance(text, bytes) else str(text)
    raw = raw.strip()
    candidates = []
    hex_text = raw[2:] if raw.lower().startswith("0x") else raw
    if len(hex_text) == 2 * KEY_BYTES:
        try:
            candidates.append(bytes.fromhex(hex_text))
        except ValueError:
            pass
    if not candidates:
        try:
            decoded = base64.b64decode(raw, validate=True)
            if len(decoded) == KEY_BYTES:
                candidates.append(decoded)
        except (binascii.Error, ValueError):
            pass
    if not candidates:
        # Never echo the text: it may be a private key with a typo.
        raise InvalidBuyerKey(
            f"the {kind} key is not 32 bytes in hex (64 characters) or base64 (44 characters); "
            "copy it again from the key file nmrx generated"
        )
    return candidates[0]
