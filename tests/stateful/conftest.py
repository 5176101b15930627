import pytest


@pytest.fixture(scope="session")
def numerai_account(accounts):
    return accounts[4]
