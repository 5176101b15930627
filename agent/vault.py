"""Users' delegated Numerai API keys, encrypted at rest and kept out of logs.

The master key is 32 random bytes from a key file (mode 600, created by `load_or_create_master_key`)
or from the environment (``NMRX_VAULT_KEY``: hex or base64; ``NMRX_VAULT_KEY_FILE``: a path), never
from the config file. Each Numerai key is sealed with NaCl's SecretBox (XSalsa20-Poly1305, a fresh
random nonce per blob) together with the owner it was delegated by, so a blob copied to another
user's row does not open for that user.

A decrypted secret is a `Secret`: its repr/str/format print ``***`` and it refuses to be pickled,
so it cannot reach a log, a traceback's locals display or an API response by accident;
`RedactingFilter` also removes known secret strings from log records as a second line.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import nacl.secret
import nacl.utils
from nacl.exceptions import CryptoError

from agent.errors import NmrxError

MASTER_KEY_BYTES = nacl.secret.SecretBox.KEY_SIZE
BLOB_VERSION = b"nmrxv1:"
REDACTED = "***"


class VaultError(NmrxError, ValueError):
    """A master key or an encrypted blob that cannot be used."""


class Secret:
    """A secret string that never shows itself: use `reveal()` exactly where it is sent."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise VaultError("a secret must be a non-empty string")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{REDACTED}')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(
            self._value.encode(), other._value.encode()
        )

    __hash__ = None  # a dict/set of secrets would compare values through hashes

    def __reduce__(self):
        raise TypeError("a Secret cannot be pickled; store it encrypted with Vault instead")


@dataclass(frozen=True)
class NumeraiKey:
    """A Numerai API key pair (public id + secret key) delegated by a user."""

    public_id: str
    secret_key: Secret

    def __post_init__(self) -> None:
        if not isinstance(self.secret_key, Secret):
            object.__setattr__(self, "secret_key", Secret(self.secret_key))
        if not self.public_id:
            raise VaultError(
                "the Numerai public id is empty; copy it from numer.ai → Account → API keys"
            )

    def __repr__(self) -> str:
        # The public id is half of the credential: show enough to tell keys apart, no more.
        return f"NumeraiKey(public_id='{self.public_id[:4]}…', secret_key='{REDACTED}')"

    __str__ = __repr__

    def numerapi_args(self) -> tuple[str, str]:
        """(public_id, secret_key) for `numerapi.NumerAPI(*key.numerapi_args())`."""
        return self.public_id, self.secret_key.reveal()


class Vault:
    """Encrypts and decrypts Numerai keys under a 32-byte master key."""

    def __init__(self, master_key: bytes, redactor: RedactingFilter | None = None) -> None:
        if not isinstance(master_key, bytes) or len(master_key) != MASTER_KEY_BYTES:
            raise VaultError(f"the vault master key must be {MASTER_KEY_BYTES} bytes")
        self._box = nacl.secret.SecretBox(master_key)
        self._redactor = redactor

    def __repr__(self) -> str:
        return "Vault(master_key='***')"

    @classmethod
    def from_key_file(cls, path: Path, redactor: RedactingFilter | None = None) -> Vault:
        return cls(read_master_key(path), redactor)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None,
                 redactor: RedactingFilter | None = None) -> Vault:
        return cls(master_key_from_env(environ), redactor)

    def encrypt_numerai_key(self, key: NumeraiKey, owner: str) -> bytes:
        """An opaque blob for the store: version prefix, then nonce + ciphertext + MAC."""
        plaintext = json.dumps(
            {"owner": _owner(owner), "public_id": key.public_id,
             "secret_key": key.secret_key.reveal()},
            sort_keys=True,
        ).encode()
        return BLOB_VERSION + bytes(self._box.encrypt(plaintext))

    def decrypt_numerai_key(self, blob: bytes, owner: str) -> NumeraiKey:
        """The Numerai key in `blob`, which must have been stored for `owner`. Its secrets are
        registered with the redactor, if any, before it is returned."""
        if not blob.startswith(BLOB_VERSION):
            raise VaultError(
                "this is not an nmrx vault blob (missing version prefix); store the key again"
            )
        try:
            data = json.loads(self._box.decrypt(blob[len(BLOB_VERSION):]))
        except CryptoError:
            raise VaultError(
                "a stored Numerai key does not decrypt: the vault master key changed or the blob "
                "was altered; restore the old key file or ask the user to delegate the key again"
            ) from None
        if data.get("owner") != _owner(owner):
            raise VaultError(
                "this Numerai key was stored for another user; it cannot be used for this one"
            )
        if "public_id" not in data:  # an `encrypt_secret` blob of the same owner
            raise VaultError("this blob holds another kind of secret, not a Numerai key")
        key = NumeraiKey(data["public_id"], Secret(data["secret_key"]))
        if self._redactor is not None:
            self._redactor.add(key.public_id, key.secret_key)
        return key


    def encrypt_secret(self, text: str | Secret, owner: str, purpose: str) -> bytes:
        """A blob for any other secret the agent stores for `owner` (a webhook's HMAC key...).
        `purpose` is sealed in with the owner so a blob moved to another table does not open."""
        value = text.reveal() if isinstance(text, Secret) else Secret(text).reveal()
        plaintext = json.dumps(
            {"owner": _owner(owner), "purpose": _purpose(purpose), "secret": value},
            sort_keys=True,
        ).encode()
        return BLOB_VERSION + bytes(self._box.encrypt(plaintext))

    def decrypt_secret(self, blob: bytes, owner: str, purpose: str) -> Secret:
        """The secret in `blob`, which must have been stored for `owner` and `purpose`."""
        if not blob.startswith(BLOB_VERSION):
            raise VaultError("this is not an nmrx vault blob (missing version prefix)")
        try:
            data = json.loads(self._box.decrypt(blob[len(BLOB_VERSION):]))
        except CryptoError:
            raise VaultError(
                f"a stored {purpose} secret does not decrypt: the vault master key changed or the "
                "blob was altered; restore the old key file or store the secret again"
            ) from None
        if data.get("owner") != _owner(owner) or data.get("purpose") != _purpose(purpose):
            raise VaultError(
                f"this secret was stored for another user or use; it cannot open as {purpose}"
            )
        secret = Secret(data["secret"])
        if self._redactor is not None:
            self._redactor.add(secret)
        return secret


def reencrypt(blob: bytes, owner: str, old: Vault, new: Vault) -> bytes:
    """`blob` re-encrypted under `new`'s master key, for rotating the master key: decrypt every
    stored key with the old vault, store what this returns, then retire the old key file."""
    return new.encrypt_numerai_key(old.decrypt_numerai_key(blob, owner), owner)


class RedactingFilter(logging.Filter):
    """Replaces every registered secret in a log record (message, arguments, exception text and
    stack) with ``***``. Attach it to the handlers (a logger's own filters do not see records
    propagated from child loggers): ``handler.addFilter(redactor)`` or `install`."""

    #: Shorter strings would redact ordinary words; real API keys are far longer.
    MIN_LENGTH = 8

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def add(self, *secrets: str | Secret) -> None:
        for secret in secrets:
            value = secret.reveal() if isinstance(secret, Secret) else secret
            if value and len(value) >= self.MIN_LENGTH:
                self._secrets.add(value)

    def redact(self, text: str) -> str:
        # Longest first, so a secret that contains another is removed whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True

    def install(self, logger: logging.Logger | None = None) -> None:
        """Add this filter to every handler of `logger` (the root logger by default)."""
        for handler in (logger or logging.getLogger()).handlers:
            if self not in handler.filters:
                handler.addFilter(self)


def generate_master_key() -> bytes:
    return nacl.utils.random(MASTER_KEY_BYTES)


def read_master_key(path: Path) -> bytes:
    """The master key in `path` (hex or base64 text, or 32 raw bytes)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise VaultError(
            f"the vault key file {path} does not exist; set NMRX_VAULT_KEY_FILE"
        ) from None
    if len(raw) == MASTER_KEY_BYTES:
        return raw
    return _decode_master_key(raw.decode(errors="replace").strip(), str(path))


def load_or_create_master_key(path: Path) -> bytes:
    """Read the master key file, creating it (hex, mode 600) with a random key the first time.
    Losing it makes every stored Numerai key unreadable: back it up with the agent keystore."""
    if path.exists():
        return read_master_key(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = generate_master_key()
    partial = path.with_suffix(path.suffix + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.hex() + "\n")
    partial.replace(path)
    return key


def master_key_from_env(environ: Mapping[str, str] | None = None) -> bytes:
    """The master key from ``NMRX_VAULT_KEY`` (hex or base64) or the file named by
    ``NMRX_VAULT_KEY_FILE``."""
    environ = os.environ if environ is None else environ
    if environ.get("NMRX_VAULT_KEY"):
        return _decode_master_key(environ["NMRX_VAULT_KEY"].strip(), "NMRX_VAULT_KEY")
    if environ.get("NMRX_VAULT_KEY_FILE"):
        return read_master_key(Path(environ["NMRX_VAULT_KEY_FILE"]).expanduser())
    raise VaultError(
        "no vault master key: set NMRX_VAULT_KEY_FILE to a key file (nmrx creates one with "
        "load_or_create_master_key) or NMRX_VAULT_KEY to 32 bytes in hex"
    )


def _decode_master_key(text: str, source: str) -> bytes:
    hex_text = text[2:] if text.lower().startswith("0x") else text
    try:
        key = bytes.fromhex(hex_text)
    except ValueError:
        try:
            key = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            key = b""
    if len(key) != MASTER_KEY_BYTES:
        raise VaultError(f"{source} is not a {MASTER_KEY_BYTES}-byte key in hex or base64")
    return key


def _owner(owner: str) -> str:
    if not owner:
        raise VaultError("a Numerai key must be stored for an owner (the user's wallet)")
    return owner.lower()


def _purpose(purpose: str) -> str:
    if not purpose:
        raise VaultError("a secret must be stored for a purpose (e.g. 'webhook')")
    return purpose
