"""Agent-side benchmarks (not a timed test; results in README.md, "Tournament simulator",
"Staking agent" and "Market agent"):

1. A round's Merkle tree and every proof for 100,000 positions (goal ≤ 2 s), as the simulator
   builds it when a round resolves and as the agent rebuilds it to check a posted root.
2. numerapi calls per second against the tournament simulator, served by `nmrx simulator
   --no-chain` in its own process (client and server would share one interpreter otherwise).

3. The staking agent on a fresh chain + simulator: positions claimed and routed per second by
   the agent's `claimBatch` jobs (sent and confirmed by the core's Sender), and with the agent's
   checks before them (numerapi `v3_stake_claim` per position, proof against the on-chain root,
   recomputation from the round's scores), against the chain's raw rate of signed NMR transfers
   measured in the same run (goal: batches ≥ 5× the raw rate).

4. The market agent on a fresh chain: trades settled per second by the agent's `settleBatch`
   jobs (planned from the watched order events, sent and confirmed by the Sender), against the
   chain's raw rate of signed NMR transfers measured in the same run (goal: batches ≥ 5× the
   raw rate); and canonical prediction hashing (`agent.verify.predictions`) of a 5,000-row file.

3 and 4 run on each chain of `--chain` (scripts/bench_chains.py): ganache 7.9.2, the project's
own chain, and Hardhat's EDR node (`make bench-tools` installs it into bench/node_modules).
The raw rate is one transfer per Sender job, as the agent would send them; the pipelined rate
(every transfer signed and broadcast before the first receipt is read, no store) is printed for
context only.

    python scripts/bench_agent.py [--chain ganache|hardhat|both] [--positions 100000]
                                  [--calls 200] [--staking-positions 200] [--market-orders 200]
                                  [--staking-batch 40] [--market-batch 50]
                                  [--only-staking | --only-market]
                                  [--node-logging]
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.payouts import RoundResult, RoundTree, verify
from scripts.bench_chains import CHAINS, HARDHAT, deployed_chain, free_port

GOAL = 5.0


def progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


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


def fund_payer(w3, funder: str, nmr):
    """A fresh key with ether and NMR, funded from the node's unlocked account."""
    from eth_account import Account

    payer = Account.create()
    w3.eth.wait_for_transaction_receipt(
        w3.eth.send_transaction({"from": funder, "to": payer.address, "value": 10**19}))
    w3.eth.wait_for_transaction_receipt(
        nmr.functions.faucet(payer.address, 10**24).transact({"from": funder}))
    return payer


def raw_transfer_rate(w3, funder: str, nmr, count: int, folder: Path) -> float:
    """Signed NMR transfers per second from a fresh key, each its own transaction, through the
    core's Sender (planned jobs, nonces, receipts): the chain's raw rate to compare batches with."""
    from eth_account import Account

    from agent.sender import Sender, call_payload
    from agent.store import Store

    payer = fund_payer(w3, funder, nmr)
    store = Store(f"sqlite:///{folder / 'raw.db'}").migrate()
    store.plan_many(
        (f"raw:{i}", "transfer",
         call_payload(nmr.functions.transfer(Account.create().address, 10**15), gas=80_000))
        for i in range(count)
    )
    sender = Sender(w3, payer, store)
    start = time.perf_counter()
    while store.job_counts().get("planned") or store.job_counts().get("sent"):
        sender.run_once(200)
    elapsed = time.perf_counter() - start
    assert store.job_counts().get("confirmed") == count, store.job_counts()
    return count / elapsed


def pipelined_transfer_rate(w3, funder: str, nmr, count: int) -> float:
    """Signed NMR transfers per second when every one is signed and broadcast before the first
    receipt is read (no store, no estimate): the node's own ceiling, for context."""
    from eth_account import Account

    from agent.sender import market_fees

    payer = fund_payer(w3, funder, nmr)
    max_fee, tip = market_fees(w3)
    nonce = w3.eth.get_transaction_count(payer.address)
    base = {"to": nmr.address, "value": 0, "gas": 80_000, "chainId": w3.eth.chain_id,
            "maxFeePerGas": max_fee, "maxPriorityFeePerGas": tip, "type": 2}
    calls = [nmr.functions.transfer(Account.create().address, 10**15)._encode_transaction_data()
             for _ in range(count)]  # encoded before the clock starts, as the Sender's jobs are
    start = time.perf_counter()
    hashes = []
    for i, data in enumerate(calls):
        signed = payer.sign_transaction({**base, "nonce": nonce + i, "data": data})
        hashes.append(w3.eth.send_raw_transaction(signed.raw_transaction))
    receipts = [w3.eth.wait_for_transaction_receipt(h) for h in hashes]
    elapsed = time.perf_counter() - start
    assert all(r["status"] == 1 for r in receipts)
    return count / elapsed


def bench_staking(kind: str, positions: int, batch: int = 40, node_logging: bool = False) -> dict:
    """Positions claimed per second by the agent's batches vs raw signed transfers per second."""
    from agent.simulate import DAY, Simulation

    folder = Path(tempfile.mkdtemp(prefix=f"nmrx-bench-{kind}-"))
    progress(f"[{kind}] staking: fresh chain and contracts (log {folder / 'setup.log'}) ...")
    with open(folder / "setup.log", "w") as log, \
            deployed_chain(kind, folder, log, node_logging=node_logging) as c:
        users = 4
        models = max(1, positions // users)
        sim = Simulation(c, users=users, models=models, seed=9, folder=folder, out=log)
        sim.agent.config.claim_batch_size = batch
        try:
            progress(f"[{kind}] staking: {users} users x {models} models, submitting and "
                     "staking ...")
            sim.setup()
            sim.submit_all()
            sim.agent.stake_round()
            sim.agent_round()
            jobs = sim.store.jobs("confirmed")
            staked = sum(1 for j in jobs if j.kind == "stake")
            for _ in range(2):
                sim.advance(DAY)
            sim.watcher.poll()
            progress(f"[{kind}] staking: claiming {staked} positions in batches of {batch} ...")
            start = time.perf_counter()
            planned = sim.agent.claim_resolved()
            checked = time.perf_counter()
            # The Sender alone, from planned claimBatch jobs to confirmed receipts, as the raw
            # transfers and the market's batches are timed; then the agent's round (watcher
            # ingest of the claims, reconciliation) for the end-to-end rate.
            while sim.store.job_counts().get("planned") or sim.store.job_counts().get("sent"):
                sim.sender.run_once(200)
            sent = time.perf_counter()
            sim.agent_round()
            done = time.perf_counter()
            events = sim.store.events(sim.watcher.name)
            claimed = sum(1 for e in events if e["name"] == "RoundClaimed")
            assert claimed == planned == staked, (claimed, planned, staked)
            progress(f"[{kind}] staking: {staked} raw transfers through the Sender ...")
            raw = raw_transfer_rate(c.w3, c.funder, c.nmr, staked, folder)
            pipelined = pipelined_transfer_rate(c.w3, c.funder, c.nmr, staked)
        finally:
            sim.close()
    return {
        "positions": staked,
        "batch": batch,
        "send_rate": staked / (sent - checked),
        "end_to_end_rate": staked / (done - start),
        "raw_rate": raw,
        "pipelined_rate": pipelined,
    }


def bench_market(kind: str, orders: int, batch: int = 50, node_logging: bool = False) -> dict:
    """Plain-file trades settled per second by the agent's `settleBatch` jobs, vs raw transfers."""
    from types import SimpleNamespace

    from eth_account import Account

    from agent.chain import ContractBook, Deployments
    from agent.config import Settings
    from agent.market.settlement import MarketSettlement, SettlementConfig
    from agent.models import model_id_from_uuid
    from agent.sender import Sender
    from agent.simulate import DAY
    from agent.store import Store
    from tests.unitary.market_fixtures import FILE, PAID, ladder, sign_ladder

    folder = Path(tempfile.mkdtemp(prefix=f"nmrx-bench-market-{kind}-"))
    progress(f"[{kind}] market: fresh chain and contracts (log {folder / 'setup.log'}) ...")
    with open(folder / "setup.log", "w") as log, \
            deployed_chain(kind, folder, log, node_logging=node_logging) as c:
        w3, agent, funder, nmr = c.w3, c.operator, c.funder, c.nmr
        book = ContractBook(w3, Deployments.load(folder / "deployments", w3.eth.chain_id),
                            Settings().build_dir)
        market = book.contract("Marketplace")
        seller = Account.create()
        nonces = {}

        def signed(fn, account, wait=True):
            n = nonces.setdefault(account.address, w3.eth.get_transaction_count(account.address))
            nonces[account.address] = n + 1
            tx = fn.build_transaction({"from": account.address, "nonce": n, "gas": 500_000,
                                       "chainId": w3.eth.chain_id})
            h = w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction)
            if wait:
                assert w3.eth.wait_for_transaction_receipt(h)["status"] == 1, fn.fn_name
            return h

        def unlocked(fn):
            return fn.transact({"from": funder, "gas": 500_000})

        progress(f"[{kind}] market: a listing, {orders} filled and delivered orders ...")
        price = 10**18
        w3.eth.wait_for_transaction_receipt(
            w3.eth.send_transaction({"from": funder, "to": seller.address, "value": 10**19}))
        model = model_id_from_uuid("be11c4a5-0000-4000-8000-000000000001")
        signed(c.registry.functions.attest(model, seller.address, 8), c.attestor)
        unlocked(nmr.functions.faucet(seller.address, orders * price))
        unlocked(nmr.functions.faucet(funder, orders * price))
        signed(nmr.functions.approve(market.address, orders * price), seller)
        signed(market.functions.deposit(orders * price), seller)
        signed(market.functions.postBond(orders * price), seller)
        signed(market.functions.createListing(model, FILE, 500, 510), seller)
        w3.eth.wait_for_transaction_receipt(unlocked(nmr.functions.approve(market.address, 0)))
        w3.eth.wait_for_transaction_receipt(
            unlocked(nmr.functions.approve(market.address, orders * price)))
        w3.eth.wait_for_transaction_receipt(unlocked(market.functions.deposit(orders * price)))
        listing_id = market.events.ListingCreated().get_logs(from_block=0)[-1]["args"][
            "listingId"]
        now = w3.eth.get_block("latest")["timestamp"]
        lad = ladder(listing_id, (price,), (orders,), deliver_by=now + DAY, expiry=now + DAY)
        r, vs = sign_ladder(market, SimpleNamespace(private_key=seller.key), lad,
                            chain_id=w3.eth.chain_id)
        first = w3.eth.block_number + 1
        fills = [unlocked(market.functions.fill(lad, r, vs, 1, price, 2**96, 10_000))
                 for _ in range(orders)]
        w3.eth.wait_for_transaction_receipt(fills[-1])
        view = market.functions.listingOf(listing_id).call()
        opened = [
            (a["orderId"], view[0], a["buyer"], view[1], PAID, 0, a["deliverBy"], a["feeBps"],
             view[11], view[12], a["price"], a["buyerCollateral"], a["bond"])
            for a in (e["args"] for e in market.events.OrderOpened().get_logs(from_block=first))
        ]
        assert len(opened) == orders
        hashes = [signed(market.functions.deliver(o, o[0].to_bytes(32, "big")), agent,
                         wait=False) for o in opened]
        w3.eth.wait_for_transaction_receipt(hashes[-1])
        w3.provider.make_request("evm_increaseTime", [2 * DAY + 1])
        w3.provider.make_request("evm_mine", [])

        progress(f"[{kind}] market: settling {orders} orders in batches of {batch} ...")
        store = Store(f"sqlite:///{folder / 'agent.db'}").migrate()
        settlement = MarketSettlement(w3, store, market, c.staking,
                                      config=SettlementConfig(batch_size=batch))
        watcher = settlement.watcher(confirmations=0, start_block=first - 10)
        sender = Sender(w3, agent, store)
        watched = time.perf_counter()
        watcher.poll()
        start = time.perf_counter()
        report = settlement.tick()
        planned = time.perf_counter()
        while store.job_counts().get("planned") or store.job_counts().get("sent"):
            sender.run_once(200)
        done = time.perf_counter()
        settled = market.events.OrderSettled().get_logs(from_block=first)
        assert len(settled) == report.settlements == orders, (len(settled), report)
        gas = sum(w3.eth.get_transaction_receipt(j.tx_hash)["gasUsed"]
                  for j in store.jobs("confirmed"))
        progress(f"[{kind}] market: {orders} raw transfers through the Sender ...")
        raw = raw_transfer_rate(w3, funder, nmr, orders, folder)
        pipelined = pipelined_transfer_rate(w3, funder, nmr, orders)
    return {
        "orders": orders,
        "batch": batch,
        "send_rate": orders / (done - planned),
        "end_to_end_rate": orders / (done - watched),
        "plan_s": planned - start,
        "gas_per_order": gas / orders,
        "raw_rate": raw,
        "pipelined_rate": pipelined,
    }


CHAIN_NAMES = {"ganache": "ganache 7.9.2", "hardhat": "Hardhat 2.29.1 EDR node"}


def verdict(ratio: float) -> str:
    return f"{ratio:.1f}x raw ({'meets' if ratio >= GOAL else 'MISSES'} the {GOAL:.0f}x goal)"


def raw_rows(r: dict) -> list[str]:
    return [
        "| raw signed NMR transfers through the Sender, one per transaction and job (same chain,"
        f" same run) | {r['raw_rate']:.0f} transfers/s |",
        "| (context) the same transfers pipelined: all signed and broadcast, then the receipts,"
        f" no store | {r['pipelined_rate']:.0f} transfers/s |",
    ]


def staking_rows(r: dict) -> list[str]:
    ratio = r["send_rate"] / r["raw_rate"]
    checked = r["end_to_end_rate"]
    return raw_rows(r) + [
        f"| positions claimed and routed by `claimBatch` jobs of {r['batch']}"
        f" ({r['positions']} positions) | {r['send_rate']:.0f} positions/s = {verdict(ratio)} |",
        "| the same with the agent's checks first (fetch, proof vs root, recomputation) and"
        " the watcher's ingest after |"
        f" {checked:.0f} positions/s = {checked / r['raw_rate']:.1f}x raw |",
    ]


def market_rows(r: dict) -> list[str]:
    ratio = r["send_rate"] / r["raw_rate"]
    e2e = r["end_to_end_rate"]
    return raw_rows(r) + [
        f"| trades settled by `settleBatch` jobs of {r['batch']} ({r['orders']} orders,"
        f" {r['gas_per_order']:,.0f} gas per order) | {r['send_rate']:.0f} trades/s"
        f" = {verdict(ratio)} |",
        "| the same from the watched events (ingest, order book, planning in one transaction) |"
        f" {e2e:.0f} trades/s = {e2e / r['raw_rate']:.1f}x raw |",
    ]


def print_table(title: str, rows: list[str]) -> None:
    print(f"\n{title}\n\n| what | result |\n|---|---|", flush=True)
    for row in rows:
        print(row, flush=True)


def print_hashing() -> None:
    from agent.verify.predictions import measure_hash_throughput

    h = measure_hash_throughput(5000)
    print(
        f"| canonical prediction hash, {h['rows']:,}-row file ({h['bytes'] / 1000:.0f} kB,"
        f" live ids checked) | {h['median_s'] * 1000:.1f} ms per file ="
        f" {h['rows_per_s']:,.0f} rows/s ({h['mb_per_s']:.1f} MB/s) |", flush=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chain", choices=(*CHAINS, "both"), default="both",
                        help="the chain(s) the staking and market benches run on")
    parser.add_argument("--positions", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument(
        "--staking-positions", type=int, default=200, help="0 skips the staking bench"
    )
    parser.add_argument("--staking-batch", type=int, default=40, help="positions per claimBatch")
    parser.add_argument("--only-staking", action="store_true")
    parser.add_argument(
        "--market-orders", type=int, default=200, help="0 skips the market settlement bench"
    )
    parser.add_argument("--market-batch", type=int, default=50, help="orders per settleBatch")
    parser.add_argument("--only-market", action="store_true")
    parser.add_argument("--node-logging", action="store_true",
                        help="leave the Hardhat node's per-request log on (off by default)")
    args = parser.parse_args()
    if args.only_staking and args.only_market:
        parser.error("--only-staking and --only-market exclude each other; give neither for both")
    chains = CHAINS if args.chain == "both" else (args.chain,)
    if "hardhat" in chains and not HARDHAT.exists():
        raise SystemExit("bench_agent: Hardhat's node is not installed; run `make bench-tools` "
                         "first (or pass --chain ganache)")
    staking = args.staking_positions and not args.only_market
    market = args.market_orders and not args.only_staking

    for kind in chains:
        rows = []
        if staking:
            rows += staking_rows(bench_staking(kind, args.staking_positions, args.staking_batch,
                                               args.node_logging))
        if market:
            rows += market_rows(bench_market(kind, args.market_orders, args.market_batch,
                                             args.node_logging))
        if rows:
            print_table(f"{CHAIN_NAMES[kind]}:", rows)
    if args.only_staking:
        return
    if args.only_market:
        print_hashing()
        return

    build, tree = bench_tree(args.positions)
    goal = "meets" if tree <= 2.0 else "MISSES"
    print_table("Off chain:", [
        f"| Merkle tree + every proof, {args.positions:,} positions | {tree:.2f} s"
        f" ({goal} the 2 s goal) |",
        f"| building the {args.positions:,} leaf records (not in the goal) | {build:.2f} s |",
    ])
    for name, rate in bench_calls(args.calls):
        print(f"| numerapi `{name}` against the simulator | {rate:.0f} calls/s |")
    if args.market_orders:
        print_hashing()


if __name__ == "__main__":
    main()
