"""Gas table of the nmrx contracts, measured on a fresh ganache chain.

    make bench            (or: python scripts/bench_gas.py [pool|market ...])

Each section is a module `scripts/gas_<name>.py` with `measure(accounts) -> list[Row]`, run on its
own clean chain state. Numbers are `gasUsed` from receipts, not estimates; "goal" is the budget
the issue set, and a row over its goal is marked. The tables (markdown) are all that goes to
stdout; compiler and transaction progress goes to stderr.
"""

import contextlib
import importlib
import os
import sys
from pathlib import Path
from typing import NamedTuple

PROJECT = Path(__file__).resolve().parent.parent
SECTIONS = ("registry", "pool", "market")


class Row(NamedTuple):
    operation: str
    gas: int
    goal: int | None = None


def format_table(section: str, rows: list[Row]) -> str:
    lines = [f"### {section}", "", "| operation | gas | goal |", "|---|---:|---:|"]
    for row in rows:
        goal = "" if row.goal is None else f"≤ {row.goal:,}"
        over = " **over**" if row.goal is not None and row.gas > row.goal else ""
        lines.append(f"| {row.operation} | {row.gas:,}{over} | {goal} |")
    return "\n".join(lines)


def run(sections=SECTIONS) -> str:
    from brownie import accounts, chain

    tables = []
    for section in sections:
        try:
            module = importlib.import_module(f"scripts.gas_{section}")
        except ModuleNotFoundError:
            print(f"bench_gas: no scripts/gas_{section}.py yet, skipped", file=sys.stderr)
            continue
        print(f"bench_gas: measuring {section} ...", file=sys.stderr)
        chain.snapshot()
        try:
            # brownie reports every transaction on stdout: keep stdout for the tables alone.
            with contextlib.redirect_stdout(sys.stderr):
                rows = module.measure(accounts)
            tables.append(format_table(section, rows))
        finally:
            chain.revert()
    return "\n\n".join(tables)


def main():
    """Entry point for `brownie run scripts/bench_gas.py --network ganache-cli`."""
    print(run())


if __name__ == "__main__":
    sys.path.insert(0, str(PROJECT))
    os.chdir(PROJECT)
    from brownie import _config, network, project

    # Compiler and chain progress go to stderr; stdout carries only the tables.
    with contextlib.redirect_stdout(sys.stderr):
        loaded = project.load(PROJECT, name="Nmrx")
        loaded.load_config()
        # After load_config, which would put brownie-config.yaml's port 8545 back.
        if os.environ.get("NMRX_TEST_CHAIN_PORT"):
            port = int(os.environ["NMRX_TEST_CHAIN_PORT"])
            _config.CONFIG.networks["ganache-cli"]["cmd_settings"]["port"] = port
        loaded._add_to_main_namespace()  # contract containers importable as `from brownie import X`
        network.connect("ganache-cli")
    try:
        tables = run(tuple(sys.argv[1:]) or SECTIONS)
    finally:
        with contextlib.redirect_stdout(sys.stderr):
            network.disconnect()
    print(tables)
