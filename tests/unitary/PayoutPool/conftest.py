"""Pool fixtures: a MockTournamentStaking played by `numerai`, the pool, registered models, deposits.

alice owns model_ids[0] and [1], bob owns [2]; both deposit 1,000 NMR (`deposited`). Module-scoped
fixtures are base state every later test of the module sees; `staked` is per test.
"""

import pytest

from tests.unitary.PayoutPool.helpers import NMR, TOURNAMENT, Numerai, pool_stake


@pytest.fixture(scope="session")
def numerai_account(accounts):
    return accounts[4]


@pytest.fixture(scope="module")
def tournament(MockTournamentStaking, nmr, numerai_account, admin):
    return MockTournamentStaking.deploy(nmr, TOURNAMENT, numerai_account, numerai_account, {"from": admin})


@pytest.fixture(scope="module")
def pool(PayoutPool, nmr, registry, tournament, admin, operator, treasury):
    return PayoutPool.deploy(nmr, registry, tournament, admin, operator, treasury, {"from": admin})


@pytest.fixture(scope="module")
def numerai(tournament, nmr, numerai_account):
    n = Numerai(tournament, nmr, numerai_account)
    n.fund()
    return n


@pytest.fixture(scope="module")
def models(registry, attestor, alice, bob, model_ids):
    """(alice's first, alice's second, bob's) model ids, registered."""
    registry.attest(model_ids[0], alice, TOURNAMENT, {"from": attestor})
    registry.attest(model_ids[1], alice, TOURNAMENT, {"from": attestor})
    registry.attest(model_ids[2], bob, TOURNAMENT, {"from": attestor})
    return tuple(model_ids)


@pytest.fixture(scope="module")
def deposited(pool, nmr, models, numerai, alice, bob):
    """alice and bob each hold 1,000 NMR of liquid balance; their wallets keep 1,000 more."""
    for user in (alice, bob):
        nmr.faucet(user, 2000 * NMR, {"from": user})
        nmr.approve(pool, 2**256 - 1, {"from": user})
        pool.deposit(1000 * NMR, {"from": user})
    return models


@pytest.fixture
def staked(pool, numerai, deposited, alice):
    """alice's first model has 300 NMR: 100 at risk in round 10, 100 in round 11, 100 idle."""
    model = deposited[0]
    pool.increaseStake(model, 300 * NMR, {"from": alice})
    pool_stake(pool, numerai, model, 10, 100 * NMR, alice)
    pool_stake(pool, numerai, model, 11, 100 * NMR, alice)
    return model


@pytest.fixture(scope="session")
def operator_role():
    from brownie import web3

    return web3.keccak(text="OPERATOR_ROLE").to_0x_hex()


@pytest.fixture(scope="session")
def admin_role():
    return "0x" + "00" * 32


@pytest.fixture
def faulty(FaultyTournamentStaking, PayoutPool, nmr, registry, deposited, admin, operator, treasury, numerai_account, alice):
    """A pool on a FaultyTournamentStaking: (pool, tournament, numerai, alice's funded model)."""
    tournament = FaultyTournamentStaking.deploy(nmr, TOURNAMENT, numerai_account, numerai_account, {"from": admin})
    pool = PayoutPool.deploy(nmr, registry, tournament, admin, operator, treasury, {"from": admin})
    numerai = Numerai(tournament, nmr, numerai_account)
    numerai.fund()
    nmr.approve(pool, 2**256 - 1, {"from": alice})
    pool.deposit(200 * NMR, {"from": alice})
    pool.increaseStake(deposited[0], 200 * NMR, {"from": alice})
    return pool, tournament, numerai, deposited[0]
