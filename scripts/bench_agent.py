"""Agent-side benchmarks (not a timed test; results in README.md, "Tournament simulator"):

1. A round's Merkle tree and every proof for 100,000 positions (goal ≤ 2 s), as the simulator
   builds it when a round resolves and as the agent rebuilds it to check a posted root.
2. numerapi calls per second against the tournament simulator, served by `nmrx simulator
   --no-chain` in its own process (client and server would share one interpreter otherwise).

    python scripts/bench_agent.py [--positions 100000] [--calls 200]
"""

import argparse
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.payouts import RoundResult, RoundTree, verify


def bench_tree(positions: int, repeats: int = 3) -> tuple[float, float]:
    """Best (build results, tree + all proofs) seconds over `repeats` runs."""
    best_results = best_tree = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        results = [
            RoundResult(1400, f"0x{(i % 997) + 1:040x}", f"0x{i + 1:064x}", (i * 7919) % 10**21, 0)
            for i in range(positions)
        ]
        built = time.perf_counter()
        tree = RoundTree(1400, results)
        proofs = tree.proofs()
        done = time.perf_counter()
        best_results, best_tree = min(best_results, built - start), min(best_tree, done - built)
    for i in random.Random(1).sample(range(positions), 50):
        assert verify(proofs[i], tree.tree.root, results[i].leaf()), "a proof does not verify"
    return best_results, best_tree


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_calls(calls: int) -> list[tuple[str, float]]:
    import numerapi
    from numerapi import base_api

    port = free_port()
    env = {**os.environ, "NMRX_SIMULATOR_PORT": str(port)}
    nmrx = Path(sys.executable).parent / "nmrx"
    server = subprocess.Popen(
        [str(nmrx), "simulator", "--no-chain", "--port", str(port), "--tick-seconds", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base_api.API_TOURNAMENT_URL = f"http://127.0.0.1:{port}"
        api = numerapi.NumerAPI("NMRXDEMOPUBLICID", "NMRXDEMOSECRETKEY", verbosity="CRITICAL")
        deadline = time.monotonic() + 30
        while True:
            try:
                model_id = api.get_models()["demo_model"]
                break
            except (KeyError, ValueError):
                if time.monotonic() > deadline:
                    raise SystemExit("the simulator did not start")
                time.sleep(0.2)
        cases = [
            ("get_current_round (public)", lambda: api.get_current_round()),
            ("get_account (keyed)", lambda: api.get_account()),
            ("list_rounds", lambda: api.list_rounds()),
            ("public_user_profile", lambda: api.public_user_profile("demo_model")),
            ("submission_scores", lambda: api.submission_scores(model_id)),
            ("pending_model_payouts", lambda: api.pending_model_payouts()),
        ]
        rates = []
        for name, call in cases:
            call()
            start = time.perf_counter()
            for _ in range(calls):
                call()
            rates.append((name, calls / (time.perf_counter() - start)))
        return rates
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()

    build, tree = bench_tree(args.positions)
    goal = "meets" if tree <= 2.0 else "MISSES"
    print(
        f"| Merkle tree + every proof, {args.positions:,} positions | {tree:.2f} s ({goal} the 2 s goal) |"
    )
    print(f"| building the {args.positions:,} leaf records (not in the goal) | {build:.2f} s |")
    for name, rate in bench_calls(args.calls):
        print(f"| numerapi `{name}` against the simulator | {rate:.0f} calls/s |")


if __name__ == "__main__":
    main()
