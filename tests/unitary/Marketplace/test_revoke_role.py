import brownie

from tests.errors import custom_error


def test_admin_revokes_verifier_role(market, admin, verifier):
    role = market.VERIFIER_ROLE()
    tx = market.revokeRole(role, verifier, {"from": admin})
    assert not market.hasRole(role, verifier)
    assert tx.events["RoleRevoked"] == {"role": role, "account": verifier, "sender": admin}


def test_revoke_by_non_admin_reverts(market, verifier, arbiter):
    with brownie.reverts(custom_error(market, "MarketplaceUnauthorized", arbiter, "0x" + "00" * 32)):
        market.revokeRole(market.VERIFIER_ROLE(), verifier, {"from": arbiter})


def test_revoked_verifier_can_no_longer_post_verdicts(market, admin, verifier, delivered):
    role = market.VERIFIER_ROLE()
    market.revokeRole(role, verifier, {"from": admin})
    with brownie.reverts(custom_error(market, "MarketplaceUnauthorized", verifier, role)):
        market.postVerdict(delivered, 1, "0x" + "00" * 32, {"from": verifier})


def test_admin_role_is_not_revoked_this_way(market, admin):
    tx = market.revokeRole("0x" + "00" * 32, admin, {"from": admin})
    assert "RoleRevoked" not in tx.events and market.admin() == admin


def test_revoking_a_pending_grant_cancels_it(market, admin, rando, chain):
    role = market.ARBITER_ROLE()
    market.grantRole(role, rando, {"from": admin})
    market.revokeRole(role, rando, {"from": admin})
    chain.sleep(3 * 86400)
    chain.mine()
    assert not market.hasRole(role, rando)
