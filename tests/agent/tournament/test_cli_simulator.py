"""`nmrx simulator` standalone: accounts from a TOML file and flags, and what it prints."""

import subprocess
import sys
import time
from pathlib import Path

import numerapi
import pytest
from numerapi import base_api

from agent.tournament.simulator.config import SCOPES, SimulatorConfig, SimulatorConfigError
from tests.agent.test_run_stack import free_port

NMRX = Path(sys.executable).parent / "nmrx"
TOML = """
seed = 3
overlap = 4
round_seconds = 600

[[accounts]]
username = "carol"
models = ["carol_model"]
tokens = [{public_id = "CAROLPUB", secret_key = "CAROLSECRET", scopes = ["read_user_info"]}]
"""


@pytest.fixture
def standalone(tmp_path, monkeypatch):
    config = tmp_path / "sim.toml"
    config.write_text(TOML)
    port = free_port()
    proc = subprocess.Popen(
        [
            str(NMRX),
            "simulator",
            "--no-chain",
            "--config",
            str(config),
            "--port",
            str(port),
            "--account",
            "dave:d1,d2:DAVEPUB:DAVESECRET",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        lines.append(line)
        if not line or "Ctrl-C stops" in line:
            break
    monkeypatch.setattr(base_api, "API_TOURNAMENT_URL", f"http://127.0.0.1:{port}")
    yield "".join(lines)
    proc.terminate()
    proc.wait(timeout=30)


def test_prints_what_numerapi_needs(standalone):
    assert "API_TOURNAMENT_URL" in standalone
    assert (
        "NUMERAI_PUBLIC_ID=CAROLPUB NUMERAI_SECRET_KEY=CAROLSECRET  scopes: read_user_info"
        in standalone
    )
    assert "overlap 4, 600s per round" in standalone


def test_accounts_from_file_and_flags_answer(standalone):
    assert list(
        numerapi.NumerAPI("CAROLPUB", "CAROLSECRET", verbosity="CRITICAL").get_models()
    ) == ["carol_model"]
    assert sorted(
        numerapi.NumerAPI("DAVEPUB", "DAVESECRET", verbosity="CRITICAL").get_models()
    ) == ["d1", "d2"]


def test_all_scope_expands_to_numerais_scopes():
    config = SimulatorConfig.from_dict(
        {
            "accounts": [
                {
                    "username": "x",
                    "tokens": [{"public_id": "p", "secret_key": "s", "scopes": ["all"]}],
                }
            ]
        }
    )
    assert config.accounts[0].tokens[0].scopes == SCOPES


def test_unknown_settings_are_refused():
    with pytest.raises(SimulatorConfigError, match="unknown setting"):
        SimulatorConfig.from_dict({"overlapp": 3})


def test_state_file_keeps_genesis_and_bios(tmp_path):
    from agent.tournament.simulator import AccountSpec, Simulator

    config = SimulatorConfig(
        seed=5, round_seconds=60, accounts=(AccountSpec("eve", ("eve_model",)),)
    )
    state = tmp_path / "state.json"
    first = Simulator(config, state_file=state)
    first.tournament.model_by_name("eve_model").bio = "kept"
    first.tournament.changed = True
    first.persist()
    time.sleep(1.1)
    again = Simulator(config, state_file=state)
    assert again.tournament.genesis == first.tournament.genesis
    assert again.tournament.model_by_name("eve_model").bio == "kept"
    assert (
        Simulator(SimulatorConfig(seed=6, round_seconds=60), state_file=state).tournament.genesis
        != first.tournament.genesis
    )


def test_without_a_chain_it_says_what_to_do(tmp_path):
    env = {"PATH": str(NMRX.parent), "NMRX_DATA_DIR": str(tmp_path), "NMRX_CHAIN_PORT": str(free_port())}
    done = subprocess.run([str(NMRX), "simulator"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "or pass --no-chain" in done.stderr and len(done.stderr.strip().splitlines()) == 1
