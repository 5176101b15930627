"""scripts/deploy.py on the test chain: deploys, records, and skips what is already there."""

import json

import pytest


@pytest.fixture
def deploy_env(monkeypatch, tmp_path, attestor):
    monkeypatch.setenv("NMRX_DEPLOYMENTS_DIR", str(tmp_path))
    monkeypatch.setenv("NMRX_AGENT_ADDRESS", attestor.address)
    monkeypatch.delenv("NMRX_NMR_ADDRESS", raising=False)
    return tmp_path


def test_deploy_writes_book_with_code_at_each_address(deploy_env, chain, web3):
    from scripts import deploy

    book = deploy.main()
    saved = json.loads((deploy_env / f"{chain.id}.json").read_text())
    assert saved == book
    assert set(book["contracts"]) == {
        "NMR", "ModelRegistry", "TournamentStaking", "PayoutPool", "Marketplace", "MarketLens"
    }
    for entry in book["contracts"].values():
        assert len(web3.eth.get_code(entry["address"])) > 0


def test_second_deploy_keeps_addresses_and_sends_nothing(deploy_env, chain):
    from scripts import deploy

    first = deploy.main()
    height = chain.height
    assert deploy.main() == first
    assert chain.height == height


def test_missing_code_is_redeployed_with_dependents(deploy_env, chain):
    from scripts import deploy

    first = deploy.main()
    book_path = deploy_env / f"{chain.id}.json"
    book = json.loads(book_path.read_text())
    book["contracts"]["ModelRegistry"]["address"] = "0x" + "12" * 20
    book_path.write_text(json.dumps(book))
    second = deploy.main()
    assert second["contracts"]["NMR"] == first["contracts"]["NMR"]
    assert second["contracts"]["TournamentStaking"] == first["contracts"]["TournamentStaking"]
    assert second["contracts"]["ModelRegistry"]["address"] not in (
        first["contracts"]["ModelRegistry"]["address"],
        "0x" + "12" * 20,
    )
    # The pool reads the registry, so it follows it.
    assert second["contracts"]["PayoutPool"]["address"] != first["contracts"]["PayoutPool"]["address"]


def test_agent_gets_attestor_role(deploy_env, attestor, ModelRegistry, web3):
    from scripts import deploy

    book = deploy.main()
    registry = ModelRegistry.at(book["contracts"]["ModelRegistry"]["address"])
    assert registry.hasRole(web3.keccak(text="ATTESTOR_ROLE"), attestor)


def test_configured_nmr_address_is_used_not_deployed(deploy_env, monkeypatch, nmr):
    from scripts import deploy

    monkeypatch.setenv("NMRX_NMR_ADDRESS", nmr.address)
    assert deploy.main()["contracts"]["NMR"]["address"] == nmr.address


def test_pool_is_wired_to_deployed_contracts_and_agent(deploy_env, attestor, PayoutPool, web3):
    from scripts import deploy

    book = deploy.main()
    pool = PayoutPool.at(book["contracts"]["PayoutPool"]["address"])
    assert pool.hasRole(web3.keccak(text="OPERATOR_ROLE"), attestor)
    assert book["contracts"]["PayoutPool"]["args"][:3] == [
        book["contracts"][name]["address"] for name in ("NMR", "ModelRegistry", "TournamentStaking")
    ]


def test_marketplace_gets_agent_as_verifier_and_arbiter_and_treasury_apart_from_admin(
    deploy_env, admin, attestor, Marketplace, web3
):
    from scripts import deploy

    book = deploy.main()
    market = Marketplace.at(book["contracts"]["Marketplace"]["address"])
    assert market.hasRole(web3.keccak(text="VERIFIER_ROLE"), attestor)
    arbiter = book["contracts"]["Marketplace"]["args"][5]
    assert market.hasRole(web3.keccak(text="ARBITER_ROLE"), arbiter)
    assert len({arbiter.lower(), market.treasury().lower(), admin.address.lower()}) == 3
    assert market.admin() == admin


def test_marketplace_arbiter_set_to_the_admin_stops_the_deploy(deploy_env, monkeypatch, admin):
    from scripts import deploy

    monkeypatch.setenv("NMRX_ARBITER_ADDRESS", admin.address)
    with pytest.raises(SystemExit):
        deploy.main()
