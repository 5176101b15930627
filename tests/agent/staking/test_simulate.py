"""`nmrx simulate`'s story on the test chain for a few days: every flow runs and the summary's
balances add up to the contracts' NMR holdings."""

import io

from eth_account import Account

from agent.chain import connect
from agent.simulate import Contracts, Simulation, render
from tests.unitary.PayoutPool.helpers import private_key


def test_simulate_a_few_days_adds_up(
    pool, staking, registry, nmr, operator, attestor, numerai_key, accounts, tmp_path
):
    from brownie import web3

    w3 = connect(web3.provider.endpoint_uri)
    c = Contracts(
        w3,
        w3.eth.contract(address=nmr.address, abi=nmr.abi),
        w3.eth.contract(address=registry.address, abi=registry.abi),
        w3.eth.contract(address=staking.address, abi=staking.abi),
        w3.eth.contract(address=pool.address, abi=pool.abi),
        operator=Account.from_key(private_key(operator)),
        attestor=Account.from_key(private_key(attestor)),
        numerai=numerai_key,
        funder=str(accounts[0]),
    )
    err = io.StringIO()
    sim = Simulation(c, users=3, models=2, seed=3, folder=tmp_path, out=err)
    try:
        summary = sim.run(4)
    finally:
        sim.close()
    text = "\n".join(render(summary))
    print(err.getvalue(), text)
    assert "4/" in err.getvalue() and "summary" in err.getvalue()
    assert summary["adds_up"], text
    assert summary["positions"] >= 18 and summary["at_risk"] == 0
    assert summary["payouts"] > 0 or summary["burns"] > 0
    assert "DOES NOT" not in text and "adds up" in text
    kinds = {j.kind for j in sim.store.jobs()}
    assert {"stake", "claim-batch", "relay-policy", "relay-allocation", "withdrawal-batch"} <= kinds
    assert summary["jobs"].get("failed", 0) == 0, summary["jobs"]


def test_nmrx_simulate_command_end_to_end(tmp_path):
    """`nmrx simulate` on its own fresh ganache (free port) and simulator: exit 0, it adds up."""
    import subprocess
    import sys

    from agent.config import PROJECT_ROOT

    nmrx = [
        sys.executable,
        "-m",
        "agent.cli",
        "simulate",
        "--days",
        "2",
        "--users",
        "2",
        "--models",
        "2",
    ]
    proc = subprocess.run(
        nmrx, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=240, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "nmrx simulate [" in proc.stderr and "2/5" in proc.stderr
    assert proc.stdout.count(": adds up") == 3 and "DOES NOT" not in proc.stdout
    assert "positions claimed 8" in proc.stdout
