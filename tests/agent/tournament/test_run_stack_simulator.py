"""`nmrx run` starts the tournament simulator with the stack, playing Numerai on the local chain."""

import os

import numerapi
import pytest
from numerapi import base_api

from tests.agent.test_run_stack import Stack, free_port


@pytest.fixture
def stack(tmp_path):
    env = {
        **os.environ,
        "NMRX_DATA_DIR": str(tmp_path / "data"),
        "NMRX_DEPLOYMENTS_DIR": str(tmp_path / "deployments"),
        "NMRX_CHAIN_PORT": str(free_port()),
        "NMRX_API_PORT": str(free_port()),
        "NMRX_SIMULATOR_PORT": str(free_port()),
    }
    running = Stack(env)
    running.wait_serving()
    yield running
    if running.proc.poll() is None:
        running.interrupt()


def test_run_serves_the_simulator_on_the_local_chain(stack, monkeypatch):
    url = f"http://127.0.0.1:{stack.env['NMRX_SIMULATOR_PORT']}"
    assert f"tournament simulator at {url}" in stack.output
    monkeypatch.setattr(base_api, "API_TOURNAMENT_URL", url)
    api = numerapi.NumerAPI("NMRXDEMOPUBLICID", "NMRXDEMOSECRETKEY", verbosity="CRITICAL")
    assert list(api.get_models()) == ["demo_model"]
    assert api.v3_stake_config()["address"] == stack.health()["contracts"]["TournamentStaking"]
    # The agent core runs its staking and market flows inside the stack, without errors.
    core = stack.health()["core"]
    assert core is not None and core["stopped"] is None, core
    assert any(name.startswith("market:") for name in core["cursor_lag"]), core
    assert core["last_error"] is None, core
    assert stack.interrupt() in (0, 130)
    assert "stopping the tournament simulator" in stack.output
