"""Slither over every contracts/ folder: no High or Medium finding may stand unexplained.

A reviewed false positive is excluded where it occurs, with its reason on the same line:
    // slither-disable-next-line <detector> -- <one-line reason>
Slither runs from the tools environment (.venv-tools) on the offline solc adapter in .solcx.
"""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts"
SLITHER = ROOT / ".venv-tools" / "bin" / "slither"
SOLC = ROOT / ".solcx" / "solc-v0.8.28"
FAILING_IMPACTS = {"High", "Medium"}
DISABLE = re.compile(r"slither-disable-(?:next-line|line|start|end)\b(?P<rest>.*)")

# Slither globs only the *.sol files directly inside the folder it is given.
FOLDERS = sorted({p.parent for p in CONTRACTS.rglob("*.sol")})

def run_slither(folder: Path, out: Path) -> dict:
    command = [
        str(SLITHER), str(folder),
        "--solc-standard-json", "--solc", str(SOLC),
        "--solc-remaps", "@openzeppelin/=node_modules/@openzeppelin/",
        "--solc-args", "--evm-version shanghai",
        "--filter-paths", "node_modules",
        "--json", str(out),
    ]
    # Slither exits non-zero whenever it finds anything; its JSON says whether it ran.
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=os.environ)
    if not out.exists():
        pytest.fail(f"slither did not run on {folder}:\n{proc.stderr[-3000:]}")
    report = json.loads(out.read_text())
    if not report["success"]:
        pytest.fail(f"slither failed on {folder}: {report['error']}")
    return report


@pytest.mark.parametrize("folder", FOLDERS, ids=[str(f.relative_to(ROOT)) for f in FOLDERS])
def test_no_unexplained_high_or_medium_findings(folder, tmp_path, record_property):
    report = run_slither(folder, tmp_path / "slither.json")
    findings = report["results"].get("detectors", [])
    failing = [f for f in findings if f["impact"] in FAILING_IMPACTS]
    # A report property reaches the terminal summary from an xdist worker too (tests/conftest.py).
    record_property(
        "slither",
        f"{folder.relative_to(ROOT)}: {len(failing)} high/medium, "
        f"{len(findings) - len(failing)} low/informational/optimization",
    )
    assert not failing, "\n\n".join(f"[{f['impact']}] {f['check']}: {f['description']}" for f in failing)


def test_every_exclusion_states_its_reason():
    unexplained = []
    for source in CONTRACTS.rglob("*.sol"):
        for number, line in enumerate(source.read_text().splitlines(), 1):
            match = DISABLE.search(line)
            if match and not re.search(r"\s--\s*\S", match.group("rest")):
                unexplained.append(f"{source.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not unexplained, "slither exclusions without a ' -- reason':\n" + "\n".join(unexplained)
