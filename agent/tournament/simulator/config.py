"""What the simulator simulates: the tournament's clock and rules, and who plays.

Read from a small TOML file (`nmrx simulator --config sim.toml`) or built in code by tests:

    seed = 7
    genesis = "2026-11-01T00:00:00Z"   # opening of `first_round`; default: see `start()`
    first_round = 1343
    overlap = 64                       # rounds live at once (a round resolves `overlap` days on)
    round_seconds = 86400              # one "day"; shorten for quick runs

    [[accounts]]
    username = "alice"
    models = ["alice_model", "alice_second"]
    tokens = [{public_id = "ALICEPUB", secret_key = "ALICESECRET", scopes = ["all"]}]

Tokens in a simulator file are not secrets: they open nothing but the simulator.
"""

from __future__ import annotations

import tomllib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from agent.errors import NmrxError

CLASSIC = 8
SIGNALS = 11
# Every scope Numerai's tokens carry; "all" in a config expands to these.
SCOPES = ("read_user_info", "read_submission_info", "upload_submission", "stake", "web3_staking")


class SimulatorConfigError(NmrxError, ValueError):
    """The simulator's configuration is malformed."""


@dataclass(frozen=True)
class TokenSpec:
    public_id: str
    secret_key: str
    scopes: tuple[str, ...] = SCOPES
    name: str = "simulator"


@dataclass(frozen=True)
class AccountSpec:
    username: str
    models: tuple[str, ...] = ()
    tokens: tuple[TokenSpec, ...] = ()
    wallet: str | None = None
    signals_models: tuple[str, ...] = ()


@dataclass(frozen=True)
class SimulatorConfig:
    """The tournament's rules; defaults are Numerai Classic's under ABS."""

    seed: int = 0
    genesis: datetime | None = None
    first_round: int = 1343
    overlap: int = 64
    round_seconds: int = 86_400
    # How long after opening a round takes submissions and stakes (default: until the next opens).
    submission_window_seconds: int | None = None
    abs_from_round: int = 1343
    live_ids: int = 20
    nmr_price: Decimal = Decimal("10.00")
    auth_ttl_seconds: int = 3_600
    accounts: tuple[AccountSpec, ...] = field(default_factory=tuple)

    @property
    def window(self) -> int:
        return self.submission_window_seconds or self.round_seconds

    def start(self) -> datetime:
        """When `first_round` opens: `genesis`, else today 00:00 UTC for day-long rounds (as
        Numerai's daily rounds), else now (quick runs start with a fresh round)."""
        if self.genesis is not None:
            return self.genesis
        now = datetime.now(UTC).replace(microsecond=0)
        return now.replace(hour=0, minute=0, second=0) if self.round_seconds >= 86_400 else now

    def model_uuid(self, username: str, model: str) -> str:
        """A model's API id: stable for one seed, account and name."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"nmrx-simulator/{self.seed}/{username}/{model}"))

    @classmethod
    def from_toml(cls, path: Path) -> SimulatorConfig:
        try:
            data = tomllib.loads(Path(path).read_text())
        except FileNotFoundError:
            raise SimulatorConfigError(f"{path} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise SimulatorConfigError(f"{path} is not valid TOML: {exc}") from None
        return cls.from_dict(data, str(path))

    @classmethod
    def from_dict(cls, data: dict, where: str = "the simulator config") -> SimulatorConfig:
        data = dict(data)
        accounts = tuple(_account(a, where) for a in data.pop("accounts", []))
        known = set(cls.__dataclass_fields__) - {"accounts"}
        unknown = set(data) - known
        if unknown:
            raise SimulatorConfigError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")
        if "genesis" in data and isinstance(data["genesis"], str):
            data["genesis"] = datetime.fromisoformat(data["genesis"].replace("Z", "+00:00"))
        if "nmr_price" in data:
            data["nmr_price"] = Decimal(str(data["nmr_price"]))
        config = cls(**data, accounts=accounts)
        if config.overlap < 1 or config.round_seconds < 1:
            raise SimulatorConfigError(f"{where}: overlap and round_seconds must be positive")
        return config


def _account(raw: dict, where: str) -> AccountSpec:
    if "username" not in raw:
        raise SimulatorConfigError(f"{where}: every [[accounts]] needs a username")
    tokens = []
    for t in raw.get("tokens", []):
        scopes = tuple(t.get("scopes", ["all"]))
        if "all" in scopes:
            scopes = SCOPES
        tokens.append(
            TokenSpec(t["public_id"], t["secret_key"], scopes, t.get("name", "simulator"))
        )
    return AccountSpec(
        raw["username"],
        tuple(raw.get("models", [])),
        tuple(tokens),
        raw.get("wallet"),
        tuple(raw.get("signals_models", [])),
    )
