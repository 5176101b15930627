"""Shared fixtures: role-named accounts, a MockNMR and a ModelRegistry on the ganache test chain.

Every test runs on the real ganache node that brownie launches (`--network ganache-cli` in
pyproject.toml) and is rewound afterwards by the autouse `isolation` fixture.
"""

import os
from pathlib import Path

import brownie
import pytest
# brownie hashes the modules a conftest imports and cannot read its own compiled (.so) ones, so
# import compiled brownie submodules through the package.
from brownie import _config

from agent.models import model_id_from_uuid

# Several test sessions on one machine (e.g. two work trees) each need their own chain:
# NMRX_TEST_CHAIN_PORT moves this session's ganache off the default 8545.
if os.environ.get("NMRX_TEST_CHAIN_PORT"):
    _config.CONFIG.networks["ganache-cli"]["cmd_settings"]["port"] = int(os.environ["NMRX_TEST_CHAIN_PORT"])

NMR = 10**18


@pytest.fixture(scope="session", autouse=True)
def revert_map_without_none():
    """Work around a brownie 1.22.2 bug with the viaIR pipeline: right after a fresh compile, some
    REVERT program counters carry `fn: None`, and brownie's source lookup for a revert without
    data (MockNMR's, like the real token's) then raises TypeError instead of VirtualMachineError.
    Builds loaded from build/ are not affected; this gives the fresh ones the placeholder name
    brownie uses when `fn` is missing."""
    revert_map = brownie.project.build._revert_map
    for pc, entry in revert_map.items():
        if entry and entry[2] is None:
            revert_map[pc] = (entry[0], entry[1], "<None>", entry[3], entry[4])


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Rewind the chain after every test."""


@pytest.fixture(scope="session")
def admin(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def attestor(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def operator(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def treasury(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def alice(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def bob(accounts):
    return accounts[6]


@pytest.fixture(scope="session")
def carol(accounts):
    return accounts[7]


@pytest.fixture(scope="session")
def rando(accounts):
    return accounts[9]


@pytest.fixture(scope="module")
def nmr(MockNMR, admin):
    return MockNMR.deploy({"from": admin})


@pytest.fixture(scope="module")
def registry(ModelRegistry, admin, attestor):
    return ModelRegistry.deploy(admin, attestor, {"from": admin})


MODEL_UUIDS = [
    "5c7c3e31-1b8f-4a1e-9d1e-0b7c6f1d2a01",
    "5c7c3e31-1b8f-4a1e-9d1e-0b7c6f1d2a02",
    "5c7c3e31-1b8f-4a1e-9d1e-0b7c6f1d2a03",
]


@pytest.fixture(scope="session")
def model_ids():
    """On-chain ids of three example model UUIDs, derived as IModelRegistry documents."""
    return [model_id_from_uuid(u) for u in MODEL_UUIDS]


@pytest.fixture(scope="session")
def model_a(model_ids):
    return model_ids[0]


_slither_lines: list[str] = []


def pytest_runtest_logreport(report):
    """Collect Slither's per-folder lines (recorded by tests/static/test_slither.py), here or as
    an xdist worker's report reaches the controller."""
    if report.when == "call":
        _slither_lines.extend(value for name, value in report.user_properties if name == "slither")


def pytest_terminal_summary(terminalreporter):
    """Show Slither's per-folder result next to the test summary."""
    if _slither_lines:
        terminalreporter.section("slither")
        for line in sorted(_slither_lines):
            terminalreporter.write_line(line)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    """Under xdist, brownie's controller merges the workers' build/tests-*.json (its cache for
    `brownie test --update`, unused here) and asserts their contract hashes agree, which fails
    the whole run after all tests passed if a worker had to be replaced. Drop those files first."""
    if hasattr(session.config, "workerinput") or not session.config.getoption("numprocesses", None):
        return
    for path in (Path(__file__).resolve().parents[1] / "build").glob("tests-*.json"):
        path.unlink(missing_ok=True)
