"""Crash safety of the staking flows: an agent process SIGKILLed at random points while staking
200 positions and then claiming them, restarted each time (10 kills in all); on chain every
position was staked once and claimed once, and the pool's NMR adds up."""

import os
import random
import signal
import subprocess
import sys
import time

from agent.config import PROJECT_ROOT
from agent.store import CONFIRMED
from tests.agent.core.conftest import BUILD

from .conftest import NMR

USERS = {"u0": 50, "u1": 50, "u2": 50, "u3": 50}
PER_ROUND = NMR
KILLS_PER_PHASE = 5


def spawn(env, log):
    full = {**os.environ, "BUILD_DIR": str(BUILD), "PYTHONPATH": str(PROJECT_ROOT), **env}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.agent.staking.agent_proc"],
        cwd=PROJECT_ROOT,
        env=full,
        stdout=log,
        stderr=log,
    )


def run_with_kills(env, log, rng, kills):
    done = 0
    for _ in range(kills):
        proc = spawn(env, log)
        deadline = time.monotonic() + rng.uniform(
            1.5, 4.5
        )  # start-up is ~1.5 s; land anywhere after
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            done += 1
        proc.wait()
    final = spawn(env, log)
    assert final.wait(timeout=120) == 0
    return done


def test_sigkill_while_staking_and_claiming_200_positions(
    make_setup, sqlite_url, accounts, pool, staking, nmr, operator_key, tmp_path
):
    wallets = list(accounts[5:9])
    s = make_setup(USERS, wallets, sqlite_url, batch=10)
    models = [m for u in USERS for m in s.models[u]]
    assert len(models) == 200
    for user, wallet in zip(USERS, wallets):
        s.fund(wallet, 50 * 2 * NMR)
        for m in s.models[user]:
            s.tx(s.pool.functions.increaseStake(m, 2 * NMR), wallet)
            s.tx(s.pool.functions.setPolicy(m, PER_ROUND, 0), wallet)
    s.wait()
    started = time.monotonic()
    round_ = s.simulator.tournament.current_round().number
    held = nmr.balanceOf(pool)
    env = {
        "STORE_URL": sqlite_url,
        "RPC_URL": s.w3.provider.endpoint_uri,
        "AGENT_KEY": operator_key.key.hex(),
        "POOL": pool.address,
        "STAKING": staking.address,
        "NUMERAI_URL": s.server.url,
        "DELEGATIONS": str(tmp_path / "delegations.json"),
        "NMRX_VAULT_KEY": bytes(range(32)).hex(),
        "ROUND": str(round_),
        "COUNT": "200",
        "BATCH": "10",
    }
    rng = random.Random(7)
    log = open(tmp_path / "agents.log", "ab")
    kills = run_with_kills({**env, "PHASE": "stake"}, log, rng, KILLS_PER_PHASE)

    logs = s.staking.events.Staked().get_logs(from_block=0, argument_filters={"round": round_})
    assert len(logs) == 200 and {"0x" + bytes(e["args"]["modelId"]).hex() for e in logs} == set(
        models
    )
    assert all(staking.stakeOf(round_, pool, m) == PER_ROUND for m in models)

    assert s.resolve() == [round_]
    kills += run_with_kills({**env, "PHASE": "claim"}, log, rng, KILLS_PER_PHASE)
    assert kills == 2 * KILLS_PER_PHASE, (tmp_path / "agents.log").read_text()[-2000:]
    print(f"agent runs with {kills} kills: {time.monotonic() - started:.1f} s")

    claimed = s.staking.events.Claimed().get_logs(from_block=0, argument_filters={"round": round_})
    assert len(claimed) == 200 and {
        "0x" + bytes(e["args"]["modelId"]).hex() for e in claimed
    } == set(models)
    booked = s.pool.events.RoundClaimed().get_logs(from_block=0)
    assert len(booked) == 200
    tree = s.simulator.resolutions[round_].tree
    assert nmr.balanceOf(pool) == held + tree.total_payout - tree.total_burn
    assert all(pool.stakeOf(m, round_) == 0 for m in models)
    jobs = s.store.jobs()
    assert {j.state for j in jobs if j.kind in ("stake", "claim-batch")} == {CONFIRMED}
    assert not [j for j in jobs if j.kind == "claim"]  # no mismatch
