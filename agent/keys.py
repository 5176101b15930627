"""The agent's signing key: an encrypted keystore plus a password file, never a raw key."""

import json
import os
import secrets
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from agent.errors import NmrxError


class KeystoreError(NmrxError, ValueError):
    """The keystore or its password file is missing or does not open."""


def load_account(keystore: Path, password_file: Path) -> LocalAccount:
    """Decrypt `keystore` with the password in `password_file`."""
    try:
        encrypted = json.loads(keystore.read_text())
        password = password_file.read_text().strip()
    except FileNotFoundError as exc:
        raise KeystoreError(f"{exc.filename} does not exist; set NMRX_KEYSTORE and NMRX_PASSWORD_FILE") from None
    except json.JSONDecodeError:
        raise KeystoreError(f"{keystore} is not a keystore (invalid JSON)") from None
    try:
        return Account.from_key(Account.decrypt(encrypted, password))
    except ValueError:
        raise KeystoreError(f"the password in {password_file} does not open {keystore}") from None


def load_or_create_account(keystore: Path, password_file: Path) -> LocalAccount:
    """Load the agent key, creating a new random one (keystore + password file, mode 600) the
    first time. For local stacks; production keys are made and backed up by their operators."""
    if keystore.exists():
        return load_account(keystore, password_file)
    keystore.parent.mkdir(parents=True, exist_ok=True)
    account = Account.create()
    password = secrets.token_urlsafe(24)
    _write_private(password_file, password + "\n")
    _write_private(keystore, json.dumps(Account.encrypt(account.key, password)))
    return account


def _write_private(path: Path, text: str) -> None:
    partial = path.with_suffix(path.suffix + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    partial.replace(path)
