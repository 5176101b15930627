"""The chains the agent benchmarks run on (bench-only; `make test` and `make run` never use this).

- ganache: the project's own local chain (`agent.simulate.fresh_chain`, ganache 7.9.2). Its miner
  attaches per-opcode `step` listeners to every execution, so a transaction's time follows its
  opcode count and batching saves little there.
- hardhat: Hardhat's EDR node (Rust, revm) from bench/node_modules (`make bench-tools`), whose EVM
  is fast enough that per-transaction overhead (signing, RPC, nonce, receipt, the job store)
  dominates, as on real nodes.

`deployed_chain(kind, folder, out)` starts one, deploys every contract with the project's deploy
code, yields `agent.simulate.Contracts` and stops the node (its whole process group) at the end.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
HARDHAT = BENCH_DIR / "node_modules" / ".bin" / "hardhat"
CHAINS = ("ganache", "hardhat")
# The same chain id and hardfork as the project's ganache (agent/localchain.py): the contracts
# are compiled for shanghai (brownie-config.yaml), the newest hardfork ganache 7.9.2 runs.
CHAIN_ID = 1338
HARDFORK = "shanghai"
BLOCK_GAS_LIMIT = 30_000_000
# A local test chain's mnemonic (eth_account's test vector), never a real wallet's.
MNEMONIC = "test test test test test test test test test test test junk"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


class BenchToolsMissing(SystemExit):
    """bench/node_modules is not installed."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hardhat_config(logging: bool) -> str:
    """hardhat.config.js for a bare node: no sources, the in-process `hardhat` network only."""
    network = {
        "chainId": CHAIN_ID,
        "hardfork": HARDFORK,
        "blockGasLimit": BLOCK_GAS_LIMIT,
        "mining": {"auto": True, "interval": 0},
        "accounts": {"mnemonic": MNEMONIC, "count": 10,
                     "accountsBalance": str(10_000 * 10**18)},
        # Hardhat's node prints every request and transaction unless told not to; that log is
        # the node's cost, not the agent's, so it is off unless asked for (--node-logging).
        "loggingEnabled": logging,
    }
    return f"module.exports = {{ networks: {{ hardhat: {json.dumps(network)} }} }};\n"


class HardhatNode:
    """`hardhat node` on 127.0.0.1:`port`, configured from a file written into `folder`, its
    output in `folder`/hardhat.log."""

    def __init__(self, folder: Path, port: int | None = None, logging: bool = False):
        if not HARDHAT.exists():
            raise BenchToolsMissing(
                f"{HARDHAT.relative_to(ROOT)} is missing: run `make bench-tools` first "
                f"(installs Hardhat's node into bench/node_modules)")
        self.folder = Path(folder)
        self.port = port or free_port()
        self.logging = logging
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_file = self.folder / "hardhat.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> "HardhatNode":
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "hardhat.config.js"
        config.write_text(hardhat_config(self.logging))
        log = self.log_file.open("w")
        # cwd bench/: hardhat insists on being run from where it is installed; the config file
        # (and with it the project root hardhat uses for its cache) is the temp folder.
        # Own session, so stop() reaches the node and any child it spawned.
        self.process = subprocess.Popen(
            [str(HARDHAT), "--config", str(config), "node",
             "--hostname", "127.0.0.1", "--port", str(self.port)],
            cwd=BENCH_DIR, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "HARDHAT_DISABLE_TELEMETRY_PROMPT": "true"},
        )
        log.close()
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        import requests

        payload = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"hardhat node exited at start; see {self.log_file}")
            try:
                answer = requests.post(self.url, json=payload, timeout=2).json()
                if int(answer["result"], 16) == CHAIN_ID:
                    return
            except (requests.RequestException, ValueError, KeyError):
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit(f"hardhat node did not answer within {START_TIMEOUT:.0f}s; "
                         f"see {self.log_file}")

    def stop(self) -> None:
        """SIGTERM to the node's process group, SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass


@contextmanager
def deployed_chain(kind: str, folder: Path, out=sys.stderr, *, port: int | None = None,
                   node_logging: bool = False) -> Iterator:
    """A fresh chain of `kind` with every contract deployed; yields agent.simulate.Contracts.
    The chain's and the deploy script's progress lines go to `out`."""
    from agent.simulate import deploy_contracts, fresh_chain

    folder = Path(folder)
    if kind == "ganache":
        with redirect_stdout(out):
            chain, contracts = fresh_chain(folder, out, port=port)
        try:
            yield contracts
        finally:
            chain.stop()
    elif kind == "hardhat":
        node = HardhatNode(folder, port, logging=node_logging)
        out.write(f"bench: starting Hardhat's EDR node at {node.url} ...\n")
        node.start()
        try:
            with redirect_stdout(out):
                contracts = deploy_contracts(node.url, folder, out)
            yield contracts
        finally:
            node.stop()
    else:
        raise ValueError(f"unknown chain {kind!r}; one of {CHAINS}")


if __name__ == "__main__":  # `python scripts/bench_chains.py [PORT]`: a node to poke at by hand
    import tempfile

    node = HardhatNode(Path(tempfile.mkdtemp(prefix="nmrx-hardhat-")),
                       int(sys.argv[1]) if len(sys.argv) > 1 else None).start()
    print(f"hardhat node at {node.url} (log {node.log_file}); Ctrl-C stops it", flush=True)
    try:
        node.process.wait()
    except KeyboardInterrupt:
        node.stop()
