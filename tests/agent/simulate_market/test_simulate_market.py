"""`nmrx simulate` with the market story (agent/simulate_market.py): the CLI on its own fresh
ganache and simulator, small staking sizes; every scripted outcome is checked against the
chain's OrderSettled events and the Marketplace's NMR balance against the accounts + escrow."""

import re
import subprocess
import sys

import pytest

from agent.config import PROJECT_ROOT
from agent.simulate_market import BUYER_SLASHED, RELEASED, render
from agent.store import CONFIRMED, Store
from tests.agent.core.conftest import fresh_pg_database, pg_url  # noqa: F401 (fixture)

AMOUNT = r"([\d,]+\.\d{6}) NMR"


def wei(text: str) -> int:
    """A printed amount (6 decimals) in millionths of an NMR, exactly."""
    return int(text.replace(",", "").replace(".", ""))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_flags(request):
    """No flag: the run's own SQLite file; or a fresh database on the session's PostgreSQL."""
    if request.param == "sqlite":
        return []
    return ["--store-url", fresh_pg_database(request.getfixturevalue("pg_url"))]


def test_nmrx_simulate_market_story_settles_as_scripted_and_adds_up(store_flags):
    nmrx = [sys.executable, "-W", "ignore", "-m", "agent.cli", "simulate",
            "--days", "1", "--users", "1", "--models", "1", "--seed", "4", *store_flags]
    proc = subprocess.run(nmrx, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=240,
                          check=False)
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr[-3000:] + out
    # Both progress bars ran to the end.
    assert "nmrx simulate [" in proc.stderr and "nmrx simulate market [" in proc.stderr
    assert "7/7 market summary" in proc.stderr
    market = out[out.index("nmrx simulate: market summary"):]
    print(market)
    assert "✗" not in market and "DO NOT" not in market
    assert "✓ sellers verified through their models' bios and attested on chain: 3/3" in market
    for line in (
        "✓ ann buys a file from sam (ask): expected released, chain's OrderSettled says "
        "released",
        "✓ dave buys a file from sam (bid): expected released, chain's OrderSettled says "
        "released",
        "stakes within it: expected released, chain's OrderSettled says released",
        "✓ oscar buys stake from sam (ask), over-stakes: expected buyer slashed, chain's "
        "OrderSettled says buyer slashed",
        "✓ rita buys stake from sam (bid), resubmits: expected buyer slashed, chain's "
        "OrderSettled says buyer slashed",
        "fred stakes another file: expected seller slashed, chain's OrderSettled says seller "
        "slashed",
        "✓ oscar buys stake from nick (signed ask), nick never delivers: expected refunded, "
        "chain's OrderSettled says refunded",
        "✓ the buyer opened its sealed file with its own key",
    ):
        assert line in market, line
    assert "orders 7, delivered 6" in market
    # The balances add up, recomputed from the printed amounts rather than trusting the ✓.
    accounts = {
        name: (wei(balance), wei(bond), wei(due))
        for name, balance, bond, due in re.findall(
            rf"  (\w+): marketplace balance {AMOUNT}, bond {AMOUNT}, sale fees due {AMOUNT}",
            market)
    }
    assert set(accounts) == {"sam", "fred", "nick", "ann", "oscar", "rita", "dave"}
    (treasury,) = re.findall(rf"treasury and agent: {AMOUNT}", market)
    held, holdings, fees, escrow, lens_held, lens_owed = re.search(
        rf"the Marketplace holds {AMOUNT} = accounts {AMOUNT} \+ fees {AMOUNT} \+ escrow "
        rf"{AMOUNT} \(0 open orders\); MarketLens: held {AMOUNT}, owed {AMOUNT}: balances add up",
        market).groups()
    assert wei(holdings) == sum(sum(a) for a in accounts.values()) + wei(treasury)
    assert wei(held) == wei(holdings) + wei(fees) + wei(escrow) == wei(lens_owed) == wei(lens_held)
    assert wei(escrow) == 0 and wei(fees) + accounts["sam"][2] > 0
    # What the outcomes did to the parties, by the deployed terms (fee 2.5 %, seller slash 100 %
    # of the price, half the locked bond to a buyer who got no delivery, collateral 10 %).
    assert accounts["fred"][1] == 90_000_000  # bond 100 - the 10 NMR price slashed
    assert accounts["nick"][1] == 98_000_000  # bond 100 - half of the order's 4 NMR bond
    assert accounts["sam"][1] == 100_000_000  # the honest seller keeps its bond
    assert accounts["rita"][0] == 89_000_000  # 100 - 10 price - 1 collateral (slashed)
    assert accounts["dave"][0] == 101_000_000  # 100 - 4 file + 10 back + 1 + 5 of fred's slash
    # The jobs the agent ran: attestations, deliveries, verdicts, settlement batches, none failed.
    assert "'registry-attest': {'confirmed': 3}" in market
    assert "'market-deliver': {'confirmed': 6}" in market
    assert "'verdict': {'confirmed': 4}" in market
    assert "failed" not in market
    if store_flags:  # the agent's jobs are in the PostgreSQL database it was given
        store = Store(store_flags[1])
        try:
            kinds = [j.kind for j in store.jobs() if j.state == CONFIRMED]
        finally:
            store.dispose()
        assert kinds.count("verdict") == 4 and kinds.count("market-deliver") == 6


def test_render_marks_a_wrong_outcome_and_unbalanced_books():
    summary = {
        "verified": ["sam"], "sellers": ["sam", "fred"],
        "trades": [{"label": "x", "expected": BUYER_SLASHED, "outcome": RELEASED, "ok": False,
                    "order": 1},
                   {"label": "y", "expected": RELEASED, "outcome": None, "ok": False,
                    "order": 2}],
        "accounts": [], "treasury": 0, "holdings": 5, "fees": 0, "escrow": 0, "open_orders": 0,
        "held": 6, "lens": (6, 5), "opened_file": None, "deliveries": 0, "jobs": {},
        "balances_add_up": False,
    }
    text = "\n".join(render(summary))
    assert "✗ x: expected buyer slashed, chain's OrderSettled says released" in text
    assert "✗ y: expected released, chain's OrderSettled says not settled" in text
    assert "✗ sellers verified" in text and "1/2" in text
    assert "balances DO NOT ADD UP" in text and "✓" not in text
