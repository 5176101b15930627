"""GET /health against the real test chain."""

import pytest
from fastapi.testclient import TestClient
from web3 import Web3

from agent.api.deps import Service
from agent.api.main import create_app
from agent.chain import Deployments
from agent.config import Settings


@pytest.fixture
def client(web3, nmr, registry, attestor):
    w3 = Web3(Web3.HTTPProvider(web3.provider.endpoint_uri))
    deployments = Deployments(w3.eth.chain_id, {"NMR": nmr.address, "ModelRegistry": registry.address})
    service = Service(Settings(rpc_url=web3.provider.endpoint_uri), w3, deployments, attestor.address)
    return TestClient(create_app(service))


def test_health_reports_chain_block_agent_and_contracts(client, web3, nmr, registry, attestor):
    body = client.get("/health").json()
    assert body["chain_id"] == web3.eth.chain_id
    assert body["latest_block"] == web3.eth.block_number
    assert body["agent_address"] == attestor.address
    assert body["contracts"] == {"NMR": nmr.address, "ModelRegistry": registry.address}


def test_health_follows_new_blocks(client, chain):
    before = client.get("/health").json()["latest_block"]
    chain.mine(3)
    assert client.get("/health").json()["latest_block"] == before + 3


def test_health_is_503_when_chain_is_down(attestor):
    w3 = Web3(Web3.HTTPProvider("http://127.0.0.1:9", request_kwargs={"timeout": 2}))
    service = Service(Settings(rpc_url="http://127.0.0.1:9"), w3, Deployments(1, {}), attestor.address)
    response = TestClient(create_app(service)).get("/health")
    assert response.status_code == 503
    assert "does not answer" in response.json()["detail"]
