"""Fixtures of the agent-core tests: a store on SQLite and on a real PostgreSQL (started here
with pgserver unless NMRX_TEST_PG_URL names one), web3.py on brownie's ganache, a funded agent
key, and MockNMR / ModelRegistry from brownie's project as event sources and call targets."""

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
from eth_account import Account
from sqlalchemy import create_engine, text

from agent.config import PROJECT_ROOT
from agent.sender import RevertDecoder, Sender, connect
from agent.store import Store, normalize_url

from .helpers import recipient  # noqa: F401  (re-exported for the tests)

BUILD = PROJECT_ROOT / "build" / "contracts"


@pytest.fixture(scope="session")
def pg_url():
    """A PostgreSQL server URL for the session (admin database)."""
    if os.environ.get("NMRX_TEST_PG_URL"):
        yield os.environ["NMRX_TEST_PG_URL"]
        return
    import pgserver

    folder = Path(tempfile.mkdtemp(prefix="nmrx-pg-"))
    server = pgserver.get_server(folder, cleanup_mode="stop")
    yield server.get_uri()
    server.cleanup()
    shutil.rmtree(folder, ignore_errors=True)


def fresh_pg_database(pg_url: str) -> str:
    """A new empty database on the server, so every test starts from a clean store."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalize_url(pg_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    base, _, query = normalize_url(pg_url).partition("?")
    return f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'agent.db'}"
    return fresh_pg_database(request.getfixturevalue("pg_url"))


@pytest.fixture
def pg_store_url(pg_url):
    return fresh_pg_database(pg_url)


@pytest.fixture
def store(store_url):
    s = Store(store_url).migrate()
    yield s
    s.dispose()


@pytest.fixture(scope="session")
def node_url(web3):
    return web3.provider.endpoint_uri


@pytest.fixture
def w3(node_url):
    return connect(node_url)


@pytest.fixture(scope="session")
def decoder():
    return RevertDecoder.from_build_dir(BUILD)


@pytest.fixture
def agent_account(accounts):
    """A fresh key (local signing only) with gas money from a ganache account."""
    account = Account.create()
    accounts[0].transfer(account.address, "50 ether")
    return account


@pytest.fixture
def token(nmr, agent_account, w3):
    """MockNMR as a web3.py contract, with 10,000 NMR on the agent key."""
    nmr.faucet(agent_account.address, 10_000 * 10**18, {"from": nmr.tx.sender})
    return w3.eth.contract(address=nmr.address, abi=nmr.abi)


@pytest.fixture
def sender(w3, agent_account, store, decoder):
    return Sender(w3, agent_account, store, decoder=decoder)

