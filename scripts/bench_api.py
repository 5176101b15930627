"""Benchmark: a user's payouts (15 models × 200 rounds) from the read API at 100 concurrent
connections, against the same question answered the Payouts app's way (numerapi, one call per
model) from the tournament simulator, in the same run. Not a test: prints a table.

    make bench-tools && python scripts/bench_api.py [--duration 10] [--connections 100]
        [--rates 1000,2000] [--workers 1] [--numerapi-questions 200] [--port 19120]
        [--store sqlite|postgresql]

The load generator is autocannon (bench/node_modules, `make bench-tools`), a far cheaper client
than Python: it and the API share this machine's cores, so every cycle it spends is one the
server does not get. Three kinds of load per question, each at `--connections` connections:

- closed loop (autocannon): each connection asks again as soon as it is answered (throughput;
  latency is then connections / throughput by construction);
- autocannon's `--overallRate` at each of `--rates`: each connection gets a budget per second that
  it spends as fast as it is answered at the start of each second (bursts, not an even pace);
- evenly paced at each of `--rates` (PACED_JS, node's http client): request i is due at
  start + i/rate and its latency counts from then, so a stall also delays every request due
  behind it (no coordinated omission): the latency users see at a stated load.

Every answer must be a 200 (autocannon's non2xx, errors and timeouts all 0) or the bench fails.
Per closed-loop run, the server process's CPU time per answer (from /proc) and the time inside the
app per answer (the route's Prometheus histogram) tell what one answer costs the server.

The store is seeded directly with the events the read indexer would have stored (ModelBound,
ModelAttested, RoundStaked, RoundClaimed, block times) and a year of USD rates: booking 3,000
claims on a ganache chain would take far longer than the measurement. The API runs in its own
process (uvicorn, `--workers` processes, access log off).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AUTOCANNON = ROOT / "bench" / "node_modules" / ".bin" / "autocannon"
ROUTE = "/v1/users/{address}/payouts"

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
    """The API process(es): uvicorn with `workers` worker processes on one port; its HTTP parser
    and event loop are uvicorn's "auto" choice (httptools and uvloop when installed)."""
    import uvicorn

    os.environ["NMRX_BENCH_STORE"] = store_url
    uvicorn.run("scripts.bench_api:make_app", factory=True, host="127.0.0.1", port=port,
                workers=workers, log_level="warning", access_log=False, app_dir=str(ROOT))


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


def autocannon(url: str, connections: int, duration: float, rate: int | None = None) -> dict:
    """One autocannon run; its JSON result. Fails unless every answer was a 200."""
    cmd = [str(AUTOCANNON), "-j", "-c", str(connections), "-d", str(duration), url]
    if rate:
        cmd[1:1] = ["--overallRate", str(rate)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench_api: autocannon failed ({done.returncode}): "
                         f"{done.stderr.strip()[-300:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    bad = {k: result[k] for k in ("non2xx", "errors", "timeouts") if result[k]}
    if bad or not result["2xx"]:
        raise SystemExit(f"bench_api: not every answer was a 200 at {url}: {bad or 'no answers'}"
                         f" (status codes: {result.get('statusCodeStats')})")
    return result


# Evenly paced open-loop load (node's own http client, keep-alive, at most `connections` sockets):
# request i is due at start + i / rate whatever the answers do, and its latency counts from when
# it was due (queueing behind a slow answer included: no coordinated omission), in µs.
# autocannon's --overallRate is not this: it gives each connection a budget per second that it
# spends as fast as it is answered at the start of each second, a burst.
PACED_JS = r"""
const http = require('http');
const [url, rate, seconds, connections] = process.argv.slice(1);
const total = Math.round(Number(rate) * Number(seconds));
// fifo: every open socket is reused in turn, so none idles into the server's keep-alive
// timeout (5 s) and is closed just as a request is sent on it.
const agent = new http.Agent({keepAlive: true, maxSockets: Number(connections),
                              scheduling: 'fifo'});
const latencies = [];
let sent = 0, finished = 0, non200 = 0, errors = 0;
const reasons = {};
const start = process.hrtime.bigint();
const gap = 1e9 / Number(rate);
function done() {
  if (++finished < total) return;
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = q => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  console.log(JSON.stringify({answers: latencies.length, non200, errors, reasons, duration: elapsed,
                              p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1]}));
  agent.destroy();
}
function fire(due) {
  const req = http.get(url, {agent}, res => {
    if (res.statusCode !== 200) non200++;
    res.resume();
    res.on('end', () => { latencies.push(Number(process.hrtime.bigint() - due) / 1e6); done(); });
  });
  req.on('error', e => { errors++; reasons[e.code || e.message] = 1; done(); });
}
const timer = setInterval(() => {
  const now = process.hrtime.bigint();
  while (sent < total) {
    const due = start + BigInt(Math.round(sent * gap));
    if (due > now) break;
    fire(due);
    sent++;
  }
  if (sent >= total) clearInterval(timer);
}, 1);
"""


def paced(url: str, connections: int, duration: float, rate: int) -> dict:
    """Evenly paced load at `rate` answers/s (PACED_JS); fails unless every answer was a 200."""
    done = subprocess.run(["node", "-e", PACED_JS, url, str(rate), str(duration),
                           str(connections)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench_api: the paced load failed: {done.stderr.strip()[-300:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["non200"] or result["errors"]:
        raise SystemExit(f"bench_api: not every answer was a 200 at {url}: {result}")
    return result


def summary(result: dict) -> tuple:
    """(answers, p50, p99, answers/s) of an autocannon result (latencies in whole ms)."""
    lat = result["latency"]
    return result["2xx"], f"{lat['p50']:.0f}", f"{lat['p99']:.0f}", result["2xx"] / result[
        "duration"]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the processes so far (/proc/PID/stat, clock ticks)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def server_pids(parent: int) -> list[int]:
    """The uvicorn process and its workers (with --workers N, the workers do the answering)."""
    children = Path(f"/proc/{parent}/task/{parent}/children")
    found = [parent]
    for pid in children.read_text().split() if children.exists() else []:
        found += server_pids(int(pid))
    return found


def app_seconds(base: str) -> tuple[float, float]:
    """(answers, seconds inside the app) for the payouts route, from the Prometheus histogram
    (one worker's view: with --workers N each worker has its own registry)."""
    text = urllib.request.urlopen(f"{base}/metrics").read().decode()
    count = total = 0.0
    for line in text.splitlines():
        if line.startswith("nmrx_api_request_seconds_count") and f'route="{ROUTE}"' in line:
            count = float(line.rsplit(" ", 1)[1])
        elif line.startswith("nmrx_api_request_seconds_sum") and f'route="{ROUTE}"' in line:
            total = float(line.rsplit(" ", 1)[1])
    return count, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per autocannon run")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--rates", default="1000,2000",
                        help="fixed offered loads (answers/s over all connections), comma list")
    parser.add_argument("--numerapi-questions", type=int, default=200)
    parser.add_argument("--port", type=int, default=int(os.environ.get("NMRX_BENCH_PORT", 19120)))
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.workers)
        return
    if not os.access(AUTOCANNON, os.X_OK):
        raise SystemExit(f"bench_api: {AUTOCANNON.relative_to(ROOT)} is missing; "
                         "run `make bench-tools` first")
    rates = [int(r) for r in args.rates.split(",") if r.strip()]
    load_before = os.getloadavg()[0]

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
        rows = []
        try:
            base = f"http://127.0.0.1:{args.port}"
            for _ in range(300):
                try:
                    urllib.request.urlopen(f"{base}/v1/rates?currency=USD", timeout=1)
                    break
                except OSError:
                    if server.poll() is not None:
                        raise SystemExit("bench_api: the API server exited; see above") from None
                    time.sleep(0.1)
            time.sleep(0.5)  # with --workers N, let every worker come up
            pids = server_pids(server.pid)
            who = f"{args.workers} worker{'s' if args.workers > 1 else ''}"
            for label, query in [("payouts by model, NMR", "group=model"),
                                 ("payouts by round, USD", "group=round&currency=USD")]:
                url = f"{base}/v1/users/{USER}/payouts?{query}"
                body = json.loads(urllib.request.urlopen(url).read())
                assert body["totals"]["claims"] == claims, body["totals"]
                autocannon(url, args.connections, 2)  # warm-up
                cpu, app = cpu_seconds(pids), app_seconds(base)
                got = autocannon(url, args.connections, args.duration)
                answers = got["2xx"]
                cpu_us = (cpu_seconds(pids) - cpu) / answers * 1e6
                app_n, app_s = (b - a for a, b in zip(app, app_seconds(base), strict=True))
                app_us = app_s / app_n * 1e6 if app_n else float("nan")
                rows.append((f"API ({who}): {label}", "closed loop (autocannon)",
                             *summary(got), cpu_us, app_us))
                for rate in rates:
                    got = autocannon(url, args.connections, args.duration, rate)
                    rows.append((f"API ({who}): {label}", f"{rate:,}/s autocannon --overallRate",
                                 *summary(got), None, None))
                for rate in rates:
                    got = paced(url, args.connections, args.duration, rate)
                    rows.append((f"API ({who}): {label}", f"{rate:,}/s evenly paced",
                                 got["answers"], f"{got['p50']:.2f}", f"{got['p99']:.2f}",
                                 got["answers"] / got["duration"], None, None))
        finally:
            server.terminate()
            server.wait(timeout=10)
        lat, elapsed, errors, calls = numerapi_baseline(
            args.numerapi_questions, args.connections, args.port + 1)
        if errors:
            raise SystemExit(f"bench_api: {errors} numerapi questions failed")
        print()
        print("| what | load | answers | p50 ms | p99 ms | answers/s | server CPU µs/answer "
              "| in-app µs/answer (route histogram) |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for name, load, answers, p50, p99, rps, cpu_us, app_us in rows:
            print(f"| {name} | {load} | {answers:,} | {p50} | {p99} | {rps:,.0f} "
                  f"| {'' if cpu_us is None else f'{cpu_us:.0f}'} "
                  f"| {'' if app_us is None else f'{app_us:.0f}'} |")
        print(f"| numerapi per model, the Payouts app's way ({MODELS} calls/question) "
              f"| closed loop | {len(lat)} | {pct(lat, 50):,.0f} | {pct(lat, 99):,.0f} "
              f"| {len(lat) / elapsed:.0f} | | |")
        print(f"\n(autocannon {args.connections} connections, {args.duration:g} s per run, whole "
              f"milliseconds; simulator served {calls} GraphQL calls for the numerapi baseline;"
              f" load average before: {load_before:.2f})")
    finally:
        if pg is not None:
            pg.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
