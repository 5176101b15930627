"""The local ganache chain of `nmrx run`: started with its state in a data directory, so a
second run continues the same chain, and stopped cleanly (SIGINT lets ganache flush its DB)."""

import json
import logging
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

from eth_account.hdaccount import generate_mnemonic

from agent.config import PROJECT_ROOT, Settings
from agent.errors import NmrxError

log = logging.getLogger(__name__)

GANACHE = PROJECT_ROOT / "node_modules" / ".bin" / "ganache"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


class PortInUse(NmrxError, OSError):
    """Something already listens where nmrx wants to listen."""


class ChainDataError(NmrxError, RuntimeError):
    """The chain's data directory cannot be used."""


def ensure_port_free(host: str, port: int, what: str, setting: str) -> None:
    """Fail with an explanation when `host:port` is taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            raise PortInUse(
                f"port {port} on {host} is already in use, so the {what} cannot start there. "
                f"Stop the process holding it (is another `make run` still running? "
                f"`ss -ltnp 'sport = :{port}'` shows it) or choose another port: {setting}=<port>"
            ) from None


class LocalChain:
    """A ganache process whose chain state persists in `<data_dir>/chain`.

    `<data_dir>/chain.json` remembers the chain id and the mnemonic of its unlocked accounts
    (a local test chain's, generated on first start), so every restart has the same accounts.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self.db_dir = settings.data_dir / "chain"
        self.meta_file = settings.data_dir / "chain.json"
        self.log_file = settings.data_dir / "ganache.log"
        self.process: subprocess.Popen | None = None

    def _metadata(self) -> dict:
        if not self.meta_file.exists():
            if self.db_dir.exists() and any(self.db_dir.iterdir()):
                raise ChainDataError(self._damaged(f"{self.meta_file} is missing"))
            meta = {"chainId": self.settings.chain_id, "mnemonic": generate_mnemonic(12, "english")}
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.meta_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump(meta, handle)
            return meta
        try:
            meta = json.loads(self.meta_file.read_text())
            meta["chainId"], meta["mnemonic"]
        except (json.JSONDecodeError, KeyError, TypeError):
            raise ChainDataError(self._damaged(f"{self.meta_file} is unreadable")) from None
        if meta["chainId"] != self.settings.chain_id:
            raise ChainDataError(
                f"the chain in {self.db_dir} has chain id {meta['chainId']}, but NMRX_CHAIN_ID is "
                f"{self.settings.chain_id}. Unset NMRX_CHAIN_ID, or use another NMRX_DATA_DIR."
            )
        return meta

    def _damaged(self, detail: str) -> str:
        return (
            f"the local chain's data in {self.settings.data_dir} is damaged ({detail}). "
            f"Move {self.settings.data_dir} aside to keep it, or run `make clean-chain` to start "
            f"a new chain (contracts are then deployed again)."
        )

    def start(self) -> None:
        """Start ganache and wait until it answers; raise ChainDataError if it cannot open
        its data directory."""
        s = self.settings
        ensure_port_free(s.chain_host, s.chain_port, "local chain", "NMRX_CHAIN_PORT")
        meta = self._metadata()
        self.db_dir.mkdir(parents=True, exist_ok=True)
        command = [
            str(GANACHE),
            "--server.host", s.chain_host,
            "--server.port", str(s.chain_port),
            "--chain.chainId", str(s.chain_id),
            "--chain.hardfork", "shanghai",
            "--database.dbPath", str(self.db_dir),
            "--wallet.mnemonic", meta["mnemonic"],
            "--wallet.totalAccounts", "10",
            "--wallet.defaultBalance", "10000",
            "--miner.blockGasLimit", "30000000",
        ]
        log_handle = self.log_file.open("w")
        # Own session: Ctrl-C reaches nmrx, which stops the API first and then ganache.
        self.process = subprocess.Popen(
            command, stdout=log_handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        import requests

        deadline = time.monotonic() + START_TIMEOUT
        payload = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ChainDataError(self._damaged(self._first_error()))
            try:
                requests.post(self.settings.chain_url, json=payload, timeout=2).raise_for_status()
                return
            except requests.RequestException:
                time.sleep(0.3)
        self.stop()
        raise ChainDataError(
            f"ganache did not answer within {START_TIMEOUT:.0f}s; see {self.log_file}"
        )

    def _first_error(self) -> str:
        text = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
        match = re.search(r"^\w*Error: .*$", text, re.MULTILINE)
        return f"ganache: {match.group(0)}" if match else f"ganache exited; see {self.log_file}"

    def stop(self) -> None:
        """SIGINT (ganache flushes its database), then SIGKILL if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            log.warning("ganache did not stop within %.0fs; killing it", STOP_TIMEOUT)
            self.process.kill()
            self.process.wait()
