"""The user's signing key: an encrypted keystore, opened with a password from a file or typed at
the terminal. The key never leaves this process; only signed transactions do."""

import getpass
import json
import os
import sys
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from agent.cli_user.errors import UserError

KEYSTORE_ENV = "NMRX_USER_KEYSTORE"
PASSWORD_ENV = "NMRX_USER_PASSWORD_FILE"


def keystore_path(flag: Path | None) -> Path:
    value = flag or os.environ.get(KEYSTORE_ENV)
    if not value:
        raise UserError(
            f"no keystore given; pass --keystore FILE or set {KEYSTORE_ENV} "
            "(create one with `nmrx key new --keystore FILE`)"
        )
    return Path(value).expanduser()


def read_password(flag: Path | None, keystore: Path) -> str:
    value = flag or os.environ.get(PASSWORD_ENV)
    if value:
        path = Path(value).expanduser()
        try:
            return path.read_text().rstrip("\n")
        except FileNotFoundError:
            raise UserError(
                f"password file {path} does not exist; fix --password-file or {PASSWORD_ENV}"
            ) from None
    if not sys.stdin.isatty():
        raise UserError(
            f"no password for {keystore}: pass --password-file FILE or set {PASSWORD_ENV} "
            "(or run in a terminal to type it)"
        )
    return getpass.getpass(f"password for {keystore}: ")


def open_keystore(keystore_flag: Path | None, password_flag: Path | None) -> LocalAccount:
    """The user's account, or a one-line UserError: no keystore, not a keystore, wrong password."""
    path = keystore_path(keystore_flag)
    try:
        encrypted = json.loads(path.read_text())
    except FileNotFoundError:
        raise UserError(
            f"keystore {path} does not exist; check --keystore / {KEYSTORE_ENV} "
            "or create one with `nmrx key new`"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError, IsADirectoryError):
        raise UserError(f"{path} is not a keystore file (expected encrypted JSON)") from None
    password = read_password(password_flag, path)
    try:
        return Account.from_key(Account.decrypt(encrypted, password))
    except (ValueError, KeyError, TypeError):
        raise UserError(
            f"wrong password for keystore {path}; check --password-file / {PASSWORD_ENV}"
        ) from None


def create_keystore(path: Path, password: str) -> LocalAccount:
    """A new random key encrypted to `path` (mode 600); refuses to overwrite a keystore."""
    if path.exists():
        raise UserError(f"{path} already exists; choose another --keystore path")
    if not password:
        raise UserError("the keystore password must not be empty")
    account = Account.create()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(Account.encrypt(account.key, password), handle)
    partial.replace(path)
    return account
