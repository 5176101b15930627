"""The user CLI's local stack: a real ganache (agent.localchain, the one `nmrx run` starts) with
the contracts deployed by `nmrx deploy`, two users with keystores made by `nmrx key new`, ETH for
gas, NMR from the mock token's faucet and models attested to them in the ModelRegistry. Commands
run as `nmrx` subprocesses, as a user runs them; one chain (session-scoped) serves every test
here."""

import fcntl
import json
import os
import pty
import select
import socket
import struct
import subprocess
import sys
import termios
import threading
import time
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from eth_account import Account
from web3 import Web3

from agent.chain import ContractBook, Deployments
from agent.config import Settings
from agent.localchain import LocalChain
from agent.models import model_id_from_uuid

NMRX = Path(sys.executable).parent / "nmrx"
NMR = 10**18
CLASSIC = 8


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class User:
    name: str
    keystore: Path
    password_file: Path
    address: str
    models: list[str]

    @property
    def key(self) -> bytes:
        return Account.decrypt(json.loads(self.keystore.read_text()),
                               self.password_file.read_text().strip())


class Stack:
    """A chain with nmrx deployed, and `nmrx` as a user runs it against that chain."""

    def __init__(self, folder: Path):
        self.folder = folder
        port = free_port()
        self.settings = Settings(data_dir=folder / "data", chain_port=port,
                                 deployments_dir=folder / "deployments")
        self.env = {
            **os.environ,
            "NMRX_RPC_URL": self.settings.chain_url,
            "NMRX_DATA_DIR": str(self.settings.data_dir),
            "NMRX_DEPLOYMENTS_DIR": str(self.settings.deployments_dir),
            "COLUMNS": "100",
        }
        for name in ("NMRX_USER_KEYSTORE", "NMRX_USER_PASSWORD_FILE"):
            self.env.pop(name, None)
        self.chain = LocalChain(self.settings)
        self.chain.start()
        self.w3 = Web3(Web3.HTTPProvider(self.settings.chain_url))
        self.node = self.w3.eth.accounts[0]  # the deployer and admin
        # The agent's key: the registry's attestor, the pool's operator, the market's verifier.
        self.agent = Account.from_key("0x" + "a9" * 32)
        self.w3.eth.wait_for_transaction_receipt(self.w3.eth.send_transaction(
            {"from": self.node, "to": self.agent.address, "value": 100 * NMR}))
        deployed = self.nmrx("deploy", "--rpc-url", self.settings.chain_url, timeout=300,
                             env={"NMRX_AGENT_ADDRESS": self.agent.address})
        assert deployed.returncode == 0, deployed.stderr + deployed.stdout
        self.book = ContractBook(
            self.w3, Deployments.load(self.settings.deployments_dir, self.w3.eth.chain_id),
            self.settings.build_dir)
        self.nmr = self.book.contract("NMR")
        self.pool = self.book.contract("PayoutPool")
        self.market = self.book.contract("Marketplace")
        self.registry = self.book.contract("ModelRegistry")

    def nmrx(self, *args, user: User | None = None, timeout=120, env=None):
        command = [str(NMRX), *args]
        if user is not None:
            command += ["--keystore", str(user.keystore), "--password-file",
                        str(user.password_file)]
        return subprocess.run(command, env={**self.env, **(env or {})}, capture_output=True,
                              text=True, timeout=timeout)

    def ok(self, *args, user: User | None = None) -> dict:
        """Run with --json; it must succeed; returns the JSON answer."""
        result = self.nmrx(*args, "--json", user=user)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        return json.loads(result.stdout)

    def fails(self, *args, user: User | None = None) -> str:
        """Run; it must fail with exit code 2 and exactly one error line; returns that line."""
        result = self.nmrx(*args, user=user)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2, result.stdout + result.stderr
        assert len(lines) == 1 and lines[0].startswith("nmrx: error: "), result.stderr
        assert result.stdout == ""
        return lines[0]

    def in_terminal(self, *args, user: User | None = None, timeout=120,
                    prompt: str | None = None, typed: str = "") -> str:
        """Run under a pseudo-terminal (stdin, stdout and stderr are a tty); when the output
        shows `prompt`, type `typed` and Enter. Returns what it showed."""
        command = [str(NMRX), *args]
        if user is not None:
            command += ["--keystore", str(user.keystore), "--password-file",
                        str(user.password_file)]
        main, child = pty.openpty()
        # A terminal of 24 rows × 100 columns, as an xterm would report.
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
        proc = subprocess.Popen(command, env=self.env, stdin=child, stdout=child, stderr=child,
                                close_fds=True)
        os.close(child)
        chunks = []
        while True:
            ready, _, _ = select.select([main], [], [], timeout)
            if not ready:
                proc.kill()
                raise AssertionError("nmrx hung under the terminal: " + b"".join(chunks).decode())
            try:
                data = os.read(main, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
            if prompt and prompt.encode() in b"".join(chunks):
                os.write(main, typed.encode() + b"\n")
                prompt = None
        os.close(main)
        assert proc.wait(timeout) == 0, b"".join(chunks).decode(errors="replace")
        return b"".join(chunks).decode(errors="replace")

    def tx(self, fn, sender=None):
        receipt = self.w3.eth.wait_for_transaction_receipt(
            fn.transact({"from": sender or self.node, "gas": 1_000_000}))
        assert receipt["status"] == 1
        return receipt

    def agent_tx(self, fn):
        """Send `fn` signed with the agent key (the registry's attestor)."""
        tx = fn.build_transaction({
            "from": self.agent.address, "gas": 500_000, "chainId": self.w3.eth.chain_id,
            "nonce": self.w3.eth.get_transaction_count(self.agent.address, "pending")})
        signed = self.agent.sign_transaction(tx)
        receipt = self.w3.eth.wait_for_transaction_receipt(
            self.w3.eth.send_raw_transaction(signed.raw_transaction))
        assert receipt["status"] == 1
        return receipt

    def make_user(self, name: str, models: int, nmr: int = 0) -> User:
        keystore, password = self.folder / f"{name}.json", self.folder / f"{name}.password"
        password.write_text(f"{name} secret\n")
        # The keystore format `nmrx key new` writes (test_mistakes makes one), with a cheap
        # scrypt cost: every command decrypts it, and the default cost is seconds on this box.
        account = Account.create()
        keystore.write_text(json.dumps(Account.encrypt(account.key, f"{name} secret",
                                                       iterations=2**10)))
        address = account.address
        self.w3.eth.wait_for_transaction_receipt(
            self.w3.eth.send_transaction({"from": self.node, "to": address, "value": 10 * NMR}))
        if nmr:
            self.tx(self.nmr.functions.faucet(address, nmr))
        ids = []
        for _ in range(models):
            model = model_id_from_uuid(str(uuid.uuid4()))
            self.agent_tx(self.registry.functions.attest(model, address, CLASSIC))
            ids.append(model)
        return User(name, keystore, password, address, ids)

    def advance(self, seconds: int) -> None:
        self.w3.provider.make_request("evm_increaseTime", [seconds])
        self.w3.provider.make_request("evm_mine", [])

    def now(self) -> int:
        return self.w3.eth.get_block("latest")["timestamp"]

    def stop(self) -> None:
        self.chain.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    s = Stack(tmp_path_factory.mktemp("cli-stack"))
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="session")
def alice(stack):
    return stack.make_user("alice", models=3, nmr=1_000 * NMR)


@pytest.fixture(scope="session")
def bob(stack):
    return stack.make_user("bob", models=1, nmr=200 * NMR)


class AgentApi:
    """The agent's API (agent.api.main.create_app) with its write context, served by uvicorn on
    the stack's chain: the ownership flow reads bios from the tournament simulator, and a Sender
    under the agent key sends the registry writes it plans (`send_all`)."""

    def __init__(self, stack: Stack, folder: Path, accounts: dict[str, int]):
        from agent.api.auth import Writes
        from agent.api.deps import Service
        from agent.api.main import create_app
        from agent.ownership_flow import OwnershipFlow
        from agent.sender import RevertDecoder, Sender
        from agent.staking import Delegations, StakingAgent
        from agent.store import Store
        from agent.tournament.client import NumeraiClient
        from agent.tournament.simulator import ManualClock, Simulator, SimulatorServer
        from agent.vault import Vault
        from tests.agent.staking.conftest import sim_config

        self.simulator_server = SimulatorServer(
            Simulator(sim_config(accounts), ManualClock(datetime.now(UTC))), tick_seconds=0
        ).start()
        self.store = Store(f"sqlite:///{folder / 'agent.db'}").migrate()
        chain_id = stack.w3.eth.chain_id
        # The read side indexes every block at once (ganache mines one per transaction) and
        # asks the simulator, not Numerai, for rates and rounds.
        settings = replace(stack.settings, confirmation_depth=0, poll_interval=0.2,
                           numerai_api_url=self.simulator_server.url,
                           simulator_port=int(self.simulator_server.url.rsplit(":", 1)[1]),
                           store_url=f"sqlite:///{folder / 'read.db'}")
        app = create_app(Service(settings, stack.w3, stack.book.deployments,
                                 stack.agent.address))
        flow = OwnershipFlow(stack.w3, self.store, stack.registry,
                             NumeraiClient(self.simulator_server.url), bytes(range(32)))
        # The staking agent relays signed pool messages (the pool's operator is the agent key).
        self.staking = StakingAgent(
            stack.w3, self.store, stack.pool, stack.book.contract("TournamentStaking"),
            Delegations(Vault(bytes(range(32))), None), self.simulator_server.url)
        app.state.writes = Writes(self.store, chain_id, stack.registry.address,
                                  staking=self.staking, ownership=flow)
        self.sender = Sender(stack.w3, stack.agent, self.store,
                             decoder=RevertDecoder.from_build_dir(stack.settings.build_dir))
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the agent API did not start"
            time.sleep(0.05)

    def send_all(self) -> None:
        for _ in range(20):
            self.sender.run_once(50)
            counts = self.store.job_counts()
            if not counts.get("planned") and not counts.get("sent"):
                return
        raise AssertionError(f"jobs still pending: {self.store.job_counts()}")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.simulator_server.stop()
        self.store.dispose()


@pytest.fixture(scope="session")
def agent_api(stack, tmp_path_factory):
    api = AgentApi(stack, tmp_path_factory.mktemp("agent-api"), {"carol": 1})
    try:
        yield api
    finally:
        api.stop()
