import pytest
from brownie import web3


@pytest.fixture(scope="session")
def attestor_role():
    return web3.keccak(text="ATTESTOR_ROLE").to_0x_hex()


@pytest.fixture(scope="session")
def admin_role():
    return "0x" + "00" * 32


@pytest.fixture
def attested(registry, attestor, alice, model_a):
    """`model_a` registered to alice in the classic tournament (8)."""
    return registry.attest(model_a, alice, 8, {"from": attestor})
