"""Agent-core throughput (a measurement, not a test): the watcher's ingest rate, events/s, from
a real ganache into the store, on SQLite and on PostgreSQL (pgserver).

    .venv/bin/python scripts/bench_agent_core.py [--txs 1000] [--rpc-url URL]

Without --rpc-url it starts its own ganache on a free loopback port (node_modules/.bin on PATH),
deploys MockNMR from build/contracts and makes `--txs` faucet transactions (two events each).
Goal: >= 2,000 events/s ingested.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eth_account import Account  # noqa: E402

from agent.sender import connect  # noqa: E402
from agent.store import Store  # noqa: E402
from agent.watcher import Source, Watcher  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_ganache():
    port = free_port()
    proc = subprocess.Popen(
        ["ganache-cli", "--server.host", "127.0.0.1", "--server.port", str(port), "--hardfork", "shanghai",
         "--logging.quiet", "--miner.blockGasLimit", "30000000"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            connect(url, retries=1).eth.block_number
            return proc, url
        except Exception:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("ganache did not start; is node_modules/.bin on PATH?")


def make_events(w3, txs: int):
    artifact = json.loads((ROOT / "build" / "contracts" / "MockNMR.json").read_text())
    funder = w3.eth.accounts[0]
    deploy = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"]).constructor().transact({"from": funder})
    token = w3.eth.contract(address=w3.eth.wait_for_transaction_receipt(deploy)["contractAddress"], abi=artifact["abi"])
    key = Account.create()
    w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction({"from": funder, "to": key.address, "value": 10**20}))
    nonce, gas_price = w3.eth.get_transaction_count(key.address), 2 * w3.eth.gas_price
    last = None
    started = time.perf_counter()
    for i in range(txs):
        tx = token.functions.faucet(key.address, i + 1).build_transaction(
            {"from": key.address, "nonce": nonce + i, "gas": 100_000, "gasPrice": gas_price, "chainId": w3.eth.chain_id}
        )
        last = w3.eth.send_raw_transaction(key.sign_transaction(tx).raw_transaction)
    w3.eth.wait_for_transaction_receipt(last)
    return token, txs / (time.perf_counter() - started)


def ingest(w3, token, url: str) -> tuple[int, float]:
    store = Store(url).migrate()
    watcher = Watcher(w3, store, "bench", Source({token.address: token.abi}), start_block=0, confirmations=0,
                      max_range=5000)
    started = time.perf_counter()
    count = watcher.run_until_caught_up(timeout=600)
    elapsed = time.perf_counter() - started
    store.dispose()
    return count, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--txs", type=int, default=1000)
    parser.add_argument("--rpc-url")
    args = parser.parse_args()
    os.environ["PATH"] = f"{ROOT / 'node_modules' / '.bin'}:{os.environ['PATH']}"
    ganache, url = (None, args.rpc_url) if args.rpc_url else start_ganache()
    work = Path(tempfile.mkdtemp(prefix="nmrx-bench-"))
    try:
        w3 = connect(url)
        token, tx_rate = make_events(w3, args.txs)
        print(f"chain: {args.txs} faucet transactions, {tx_rate:.0f} signed tx/s", file=sys.stderr)
        import pgserver

        pg = pgserver.get_server(work / "pg", cleanup_mode="stop")
        try:
            rows = [("sqlite", *ingest(w3, token, f"sqlite:///{work / 'bench.db'}")),
                    ("postgresql", *ingest(w3, token, pg.get_uri()))]
        finally:
            pg.cleanup()
        print("| store | events | seconds | events/s (goal >= 2,000) |")
        print("|---|---:|---:|---:|")
        for name, count, elapsed in rows:
            print(f"| {name} | {count} | {elapsed:.2f} | {count / elapsed:,.0f} |")
    finally:
        if ganache is not None:
            ganache.terminate()
            ganache.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
