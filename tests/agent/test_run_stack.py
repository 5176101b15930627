"""`nmrx run` end to end, as a user runs it: a real ganache with its state on disk, the deploy
script, the API over HTTP, Ctrl-C, and a second run on the same chain."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

NMRX = Path(sys.executable).parent / "nmrx"
START_TIMEOUT = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def stack_env(tmp_path):
    return {
        **os.environ,
        "NMRX_DATA_DIR": str(tmp_path / "data"),
        "NMRX_DEPLOYMENTS_DIR": str(tmp_path / "deployments"),
        "NMRX_CHAIN_PORT": str(free_port()),
        "NMRX_API_PORT": str(free_port()),
        # `nmrx run` also starts the tournament simulator (8010 by default).
        "NMRX_SIMULATOR_PORT": str(free_port()),
    }


class Stack:
    """One `nmrx run` child process and its output."""

    def __init__(self, env):
        self.env = env
        self.url = f"http://127.0.0.1:{env['NMRX_API_PORT']}"
        self.proc = subprocess.Popen(
            [str(NMRX), "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: list[str] = []

    def wait_serving(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                pytest.fail("nmrx run exited early:\n" + "".join(self.lines))
            self.lines.append(line)
            if "serving http" in line:
                return
        pytest.fail("nmrx run did not start in time:\n" + "".join(self.lines))

    def health(self) -> dict:
        response = requests.get(f"{self.url}/health", timeout=10)
        response.raise_for_status()
        return response.json()

    def interrupt(self, sig: int = signal.SIGINT) -> int:
        self.proc.send_signal(sig)
        out, _ = self.proc.communicate(timeout=60)
        self.lines.append(out)
        return self.proc.returncode

    @property
    def output(self) -> str:
        return "".join(self.lines)


@pytest.fixture
def start_stack(stack_env):
    """Start `nmrx run`; whatever a test leaves running is interrupted afterwards."""
    started: list[Stack] = []

    def start() -> Stack:
        stack = Stack(stack_env)
        started.append(stack)
        stack.wait_serving()
        return stack

    yield start
    for stack in started:
        if stack.proc.poll() is None:
            stack.interrupt()


def run_to_exit(env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(NMRX), "run"], env=env, capture_output=True, text=True, timeout=START_TIMEOUT
    )


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_second_run_reuses_chain_and_addresses(stack_env, start_stack):
    first = start_stack()
    health = first.health()
    assert health["chain_id"] == 1338
    assert set(health["contracts"]) >= {"NMR", "ModelRegistry"}
    assert first.interrupt() in (0, 130)
    assert "stopping the local chain" in first.output
    assert port_is_free(int(stack_env["NMRX_CHAIN_PORT"]))

    second = start_stack()
    again = second.health()
    # SIGTERM (a service manager's stop) cleans up like Ctrl-C: the chain stops with the stack.
    assert second.interrupt(signal.SIGTERM) in (0, 143)
    assert "stopping the local chain" in second.output
    assert port_is_free(int(stack_env["NMRX_CHAIN_PORT"]))
    assert again["contracts"] == health["contracts"]
    assert again["agent_address"] == health["agent_address"]
    assert again["latest_block"] >= health["latest_block"] > 0
    assert "deployed" not in second.output.replace("deploying", "")


def test_port_taken_is_explained(stack_env):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", int(stack_env["NMRX_API_PORT"])))
        blocker.listen()
        result = run_to_exit(stack_env)
    assert result.returncode == 2
    assert "already in use" in result.stderr and "NMRX_API_PORT" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_corrupted_chain_data_is_explained(stack_env, start_stack):
    first = start_stack()
    first.interrupt()
    (Path(stack_env["NMRX_DATA_DIR"]) / "chain" / "CURRENT").write_text("garbage\n")
    result = run_to_exit(stack_env)
    assert result.returncode == 2
    assert "damaged" in result.stderr and "make clean-chain" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert port_is_free(int(stack_env["NMRX_CHAIN_PORT"]))


def test_unreadable_chain_metadata_is_explained(stack_env):
    data = Path(stack_env["NMRX_DATA_DIR"])
    (data / "chain").mkdir(parents=True)
    (data / "chain" / "000001.log").write_bytes(b"\x00\x01")
    (data / "chain.json").write_text("{not json")
    result = run_to_exit(stack_env)
    assert result.returncode == 2
    assert "chain.json is unreadable" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
