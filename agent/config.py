"""The agent's settings: one object, read from NMRX_* environment variables and an optional
TOML file (NMRX_CONFIG), with secrets only by reference (keystore path + password file)."""

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from agent.errors import NmrxError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(NmrxError, ValueError):
    """A setting is missing, malformed or unsafe."""


@dataclass(frozen=True)
class Settings:
    """Everything the agent needs to know about its environment.

    With no settings at all it runs the local stack: a ganache chain on `chain_port` whose state
    lives in `data_dir`/chain, and the API on `api_host`:`api_port`. Setting `rpc_url` points
    the agent at an existing chain instead (no local chain is started).
    """

    data_dir: Path = PROJECT_ROOT / ".nmrx"
    deployments_dir: Path = PROJECT_ROOT / "deployments"
    build_dir: Path = PROJECT_ROOT / "build" / "contracts"
    rpc_url: str | None = None
    chain_host: str = "127.0.0.1"
    chain_port: int = 8646
    chain_id: int = 1338
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    keystore: Path | None = None
    password_file: Path | None = None
    # Numerai: where numerapi is pointed (default: the simulator on a local stack, else Numerai).
    numerai_api_url: str | None = None
    # The tournament simulator `nmrx run` starts on a local chain (port 0: don't start it) and
    # its accounts/rules file (default: one demo account; see agent/tournament/simulator/config.py).
    simulator_host: str = "127.0.0.1"
    simulator_port: int = 8010
    simulator_config: Path | None = None
    # Agent core: the store (SQLite file in data_dir unless a URL names a database), how deep a
    # block must be before its events count, how far back reorgs are repaired, and the pace.
    store_url: str | None = None
    confirmation_depth: int = 3
    reorg_window: int = 64
    log_range: int = 2000
    job_batch_size: int = 50
    lease_period: float = 15.0
    poll_interval: float = 2.0
    stuck_after: float = 60.0
    rpc_timeout: float = 10.0
    max_failures: int = 5

    @property
    def local_chain(self) -> bool:
        """True when the agent runs its own ganache instead of using `rpc_url`."""
        return self.rpc_url is None

    @property
    def chain_url(self) -> str:
        return self.rpc_url or f"http://{self.chain_host}:{self.chain_port}"

    @property
    def api_url(self) -> str:
        return f"http://{self.api_host}:{self.api_port}"

    @property
    def simulator_url(self) -> str:
        return f"http://{self.simulator_host}:{self.simulator_port}"

    @property
    def numerai_url(self) -> str:
        """Where numerapi goes: NMRX_NUMERAI_API_URL, else the simulator of a local stack, else Numerai."""
        if self.numerai_api_url:
            return self.numerai_api_url
        if self.local_chain and self.simulator_port:
            return self.simulator_url
        return "https://api-tournament.numer.ai"

    @property
    def store_database_url(self) -> str:
        """NMRX_STORE_URL, or the SQLite file `data_dir`/agent.db."""
        return self.store_url or f"sqlite:///{self.data_dir / 'agent.db'}"

    @property
    def agent_keystore(self) -> Path:
        return self.keystore or self.data_dir / "agent" / "keystore.json"

    @property
    def agent_password_file(self) -> Path:
        return self.password_file or self.data_dir / "agent" / "password"

    @classmethod
    def load(cls, environ: dict[str, str] | None = None) -> "Settings":
        """Defaults, then the TOML file named by NMRX_CONFIG, then NMRX_<FIELD> variables."""
        environ = os.environ if environ is None else environ
        values: dict[str, str] = {}
        config_file = environ.get("NMRX_CONFIG")
        if config_file:
            values.update(_read_toml(Path(config_file)))
        for field in fields(cls):
            key = f"NMRX_{field.name.upper()}"
            if key in environ:
                values[field.name] = environ[key]
        return replace(cls(), **{name: _convert(cls, name, raw) for name, raw in values.items()})


def _read_toml(path: Path) -> dict:
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"NMRX_CONFIG names {path}, which does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    if any(k in data for k in ("private_key", "password", "api_secret")):
        raise ConfigError(
            f"{path} holds a secret; reference it instead (keystore + password_file, "
            "Numerai keys in NUMERAI_PUBLIC_ID / NUMERAI_SECRET_KEY)"
        )
    store_url = str(data.get("store_url", ""))
    if "://" in store_url and ":" in store_url.split("://", 1)[1].split("@", 1)[0] and "@" in store_url:
        raise ConfigError(
            f"{path} holds the store's password in store_url; set NMRX_STORE_URL in the environment instead"
        )
    return data


def _convert(cls, name: str, raw):
    known = {f.name: f for f in fields(cls)}
    if name not in known:
        raise ConfigError(f"unknown setting {name!r}; known: {', '.join(sorted(known))}")
    kind = str(known[name].type)
    if "float" in kind:
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"setting {name} must be a number of seconds, got {raw!r}") from None
        if value <= 0:
            raise ConfigError(f"setting {name} must be positive, got {raw!r}")
        return value
    if "int" in kind:
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"setting {name} must be a whole number, got {raw!r}") from None
    if "Path" in kind:
        return Path(raw).expanduser()
    return str(raw)
