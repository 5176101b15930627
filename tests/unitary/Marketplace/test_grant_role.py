import brownie

from tests.errors import custom_error


def test_admin_grants_verifier_role(market, admin, rando):
    role = market.VERIFIER_ROLE()
    tx = market.grantRole(role, rando, {"from": admin})
    assert market.hasRole(role, rando)
    assert tx.events["RoleGranted"] == {"role": role, "account": rando, "sender": admin}


def test_grant_by_non_admin_reverts(market, verifier, rando, seller):
    role = market.ARBITER_ROLE()
    for caller in (rando, verifier, seller):
        with brownie.reverts(custom_error(market, "MarketplaceUnauthorized", caller, "0x" + "00" * 32)):
            market.grantRole(role, caller, {"from": caller})


def test_granting_a_held_role_emits_nothing(market, admin, verifier):
    tx = market.grantRole(market.VERIFIER_ROLE(), verifier, {"from": admin})
    assert "RoleGranted" not in tx.events
