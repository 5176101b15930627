"""Benchmark: a user's payouts (15 models × 200 rounds) from the read API at 100 concurrent
connections, against the same question answered the Payouts app's way (numerapi, one call per
model) from the tournament simulator, in the same run. Not a test: prints a table.

    .venv/bin/python scripts/bench_api.py [--requests 5000] [--concurrency 100] [--workers 1]
        [--numerapi-questions 200] [--port 8820] [--store sqlite|postgresql]

The store is seeded directly with the events the read indexer would have stored (ModelBound,
ModelAttested, RoundStaked, RoundClaimed, block times) and a year of USD rates: booking 3,000
claims on a ganache chain would take far longer than the measurement. The API runs in its own
process (uvicorn, `--workers` processes); the load runs here with aiohttp.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODELS, ROUNDS = 15, 200
USER = "0x" + "b0" * 20
POOL, REGISTRY, STAKING = "0x" + "01" * 20, "0x" + "02" * 20, "0x" + "03" * 20
CHAIN_ID = 1338
FIRST_ROUND = 1000


def model_ids() -> list[str]:
    return ["0x" + "00" * 16 + f"{0xbe4c0000 + i:032x}" for i in range(MODELS)]


def seed(store_url: str) -> int:
    """Events of one user with 15 models staked and claimed in 200 rounds; returns claims."""
    from agent.rates import day_number
    from agent.readmodel.indexer import source_name
    from agent.readmodel.tables import block_times, rates
    from agent.store import Store, events
    from agent.tournament.simulator.prices import nmr_price

    store = Store(store_url).migrate()
    rng = random.Random(7)
    source = source_name(CHAIN_ID)
    rows, times = [], {}
    block = 100
    start = datetime(2026, 3, 1, tzinfo=UTC).timestamp()

    def add(address, name, args):
        rows.append(dict(source=source, block_number=block, block_hash=f"0x{block:064x}",
                         log_index=len([r for r in rows[-40:] if r["block_number"] == block]),
                         tx_hash=f"0x{len(rows):064x}", address=address, name=name, args=args))
        times[block] = int(start + (block - 100) * 600)

    for m in model_ids():
        add(REGISTRY, "ModelAttested", {"modelId": m, "owner": USER, "tournament": 8,
                                        "attestor": REGISTRY})
        add(POOL, "ModelBound", {"model": m, "owner": USER})
        block += 1
    claims = 0
    for r in range(FIRST_ROUND, FIRST_ROUND + ROUNDS):
        for m in model_ids():
            stake = rng.randint(5, 50) * 10**18
            add(POOL, "RoundStaked", {"model": m, "round": r, "amount": str(stake),
                                      "caller": POOL})
        block += 144  # a day of blocks later, the results (the stake is the RoundStaked amount)
        for m in model_ids():
            payout = rng.randint(0, 10**18) * rng.randint(0, 5)
            burn = rng.randint(0, 10**18) if payout == 0 else 0
            add(POOL, "RoundClaimed", {"model": m, "round": r, "payout": str(payout),
                                       "burn": str(burn), "toSelf": "0", "toPool": str(payout),
                                       "toWallet": "0"})
            claims += 1
        block += 1
    with store.begin() as conn:
        for i in range(0, len(rows), 2000):
            conn.execute(events.insert(), rows[i:i + 2000])
        conn.execute(block_times.insert(), [dict(chain_id=CHAIN_ID, block_number=b, timestamp=t)
                                            for b, t in times.items()])
        first = date(2026, 2, 1)
        conn.execute(rates.insert(), [
            dict(currency="USD", day=day_number(first + timedelta(days=n)),
                 price=str(nmr_price("USD", first + timedelta(days=n))), source="simulator",
                 fetched_at=time.time()) for n in range(400)])
    store.dispose()
    return claims


def make_app():
    """The app with its read model on the seeded store (NMRX_BENCH_STORE); no chain is called."""
    from web3 import Web3

    from agent.api.deps import Service
    from agent.api.main import create_app
    from agent.chain import Deployments
    from agent.config import Settings
    from agent.readmodel.service import ReadModel
    from agent.store import Store

    deployments = Deployments(CHAIN_ID, {"PayoutPool": POOL, "ModelRegistry": REGISTRY,
                                         "TournamentStaking": STAKING})
    service = Service(Settings(), Web3(Web3.HTTPProvider("http://127.0.0.1:9")), deployments,
                      USER)
    app = create_app(service)
    app.state.read = ReadModel(service, Store(os.environ["NMRX_BENCH_STORE"]))
    return app


def serve(store_url: str, port: int, workers: int) -> None:
    """The API process(es): uvicorn with `workers` worker processes on one port."""
    import uvicorn

    os.environ["NMRX_BENCH_STORE"] = store_url
    uvicorn.run("scripts.bench_api:make_app", factory=True, host="127.0.0.1", port=port,
                workers=workers, log_level="warning", access_log=False, app_dir=str(ROOT))


async def load(url: str, total: int, concurrency: int) -> tuple[list[float], float, int]:
    import aiohttp

    latencies: list[float] = []
    errors = 0
    queue = iter(range(total))
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def worker():
            nonlocal errors
            for _ in queue:
                started = time.perf_counter()
                async with session.get(url) as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
                latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return latencies, elapsed, errors


def numerapi_baseline(questions: int, concurrency: int, port: int) -> tuple:
    """The Payouts app's way: per question, one numerapi call per model (round performances,
    with payouts) against the simulator, the 15 calls one after another as that app made them."""
    import numerapi

    from agent.tournament.simulator import (AccountSpec, ManualClock, Simulator,
                                            SimulatorConfig, SimulatorServer, TokenSpec)

    names = tuple(f"bench_m{i}" for i in range(MODELS))
    now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    config = SimulatorConfig(seed=3, genesis=now - timedelta(days=ROUNDS), overlap=20,
                             accounts=(AccountSpec("bench", names,
                                                   (TokenSpec("BENCHPUB", "BENCHSEC"),)),))
    server = SimulatorServer(Simulator(config, ManualClock(now)), port=port, tick_seconds=0).start()
    try:
        numerapi.base_api.API_TOURNAMENT_URL = server.url
        api = numerapi.NumerAPI("BENCHPUB", "BENCHSEC", verbosity="CRITICAL")
        uuids = list(api.get_models().values())
        assert len(uuids) == MODELS

        def question() -> float:
            started = time.perf_counter()
            for uuid in uuids:
                api.round_model_performances_v2(uuid)
            return time.perf_counter() - started

        errors = 0
        began = time.perf_counter()
        latencies = []
        with ThreadPoolExecutor(concurrency) as pool:
            for f in [pool.submit(question) for _ in range(questions)]:
                try:
                    latencies.append(f.result())
                except Exception:
                    errors += 1
        elapsed = time.perf_counter() - began
        calls = server.simulator.requests
    finally:
        server.stop()
    return latencies, elapsed, errors, calls


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--numerapi-questions", type=int, default=200)
    parser.add_argument("--port", type=int, default=int(os.environ.get("NMRX_BENCH_PORT", 8820)))
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.workers)
        return

    folder = Path(tempfile.mkdtemp(prefix="nmrx-bench-api-"))
    pg = None
    try:
        if args.store == "postgresql":
            import pgserver

            pg = pgserver.get_server(folder / "pg", cleanup_mode="stop")
            store_url = pg.get_uri()
        else:
            store_url = f"sqlite:///{folder / 'bench.db'}"
        t = time.perf_counter()
        claims = seed(store_url)
        print(f"seeded {claims} claims ({MODELS} models x {ROUNDS} rounds) in "
              f"{time.perf_counter() - t:.1f} s ({args.store})", flush=True)
        server = subprocess.Popen([sys.executable, __file__, "--serve", store_url,
                                   "--port", str(args.port), "--workers", str(args.workers)],
                                  cwd=ROOT)
        try:
            import urllib.request

            base = f"http://127.0.0.1:{args.port}"
            for _ in range(200):
                try:
                    urllib.request.urlopen(f"{base}/v1/rates?currency=USD", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            rows = []
            for label, query in [("payouts by model, NMR", "group=model"),
                                 ("payouts by round, USD", "group=round&currency=USD")]:
                url = f"{base}/v1/users/{USER}/payouts?{query}"
                body = json.loads(urllib.request.urlopen(url).read())
                assert body["totals"]["claims"] == claims, body["totals"]
                asyncio.run(load(url, 200, args.concurrency))  # warm-up
                lat, elapsed, errors = asyncio.run(load(url, args.requests, args.concurrency))
                rows.append((f"read API ({args.workers} worker): {label}", len(lat),
                             args.concurrency, pct(lat, 50),
                             pct(lat, 99), len(lat) / elapsed, errors))
        finally:
            server.terminate()
            server.wait(timeout=10)
        lat, elapsed, errors, calls = numerapi_baseline(
            args.numerapi_questions, args.concurrency, args.port + 1)
        rows.append((f"numerapi per model ({MODELS} calls/question)", len(lat), args.concurrency,
                     pct(lat, 50), pct(lat, 99), len(lat) / elapsed, errors))
        print()
        print("| what | questions | concurrency | p50 ms | p99 ms | questions/s | errors |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, n, conc, p50, p99, rps, err in rows:
            print(f"| {name} | {n} | {conc} | {p50:.1f} | {p99:.1f} | {rps:.0f} | {err} |")
        print(f"\n(simulator served {calls} GraphQL calls for the numerapi baseline)")
    finally:
        if pg is not None:
            pg.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
