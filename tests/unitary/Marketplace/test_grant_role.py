import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import ROLE_DELAY


def test_admin_grant_becomes_active_after_the_delay(market, admin, rando, chain):
    role = market.VERIFIER_ROLE()
    tx = market.grantRole(role, rando, {"from": admin})
    assert tx.events["RoleGranted"] == {
        "role": role, "account": rando, "sender": admin, "activeFrom": tx.timestamp + ROLE_DELAY,
    }
    assert not market.hasRole(role, rando)
    chain.sleep(ROLE_DELAY + 1)
    chain.mine()
    assert market.hasRole(role, rando)


def test_a_fresh_grant_cannot_act_before_the_delay(market, admin, rando, delivered):
    role = market.VERIFIER_ROLE()
    market.grantRole(role, rando, {"from": admin})
    with brownie.reverts(custom_error(market, "MarketplaceUnauthorized", rando, role)):
        market.postVerdict(delivered, 2, "0x" + "00" * 32, {"from": rando})


def test_grant_by_non_admin_reverts(market, verifier, rando, seller):
    role = market.ARBITER_ROLE()
    for caller in (rando, verifier, seller):
        with brownie.reverts(custom_error(market, "MarketplaceUnauthorized", caller, "0x" + "00" * 32)):
            market.grantRole(role, caller, {"from": caller})


def test_admin_role_cannot_be_granted(market, admin, rando):
    with brownie.reverts(custom_error(market, "MarketplaceAdminRoleByTransfer")):
        market.grantRole("0x" + "00" * 32, rando, {"from": admin})


def test_grant_to_zero_address_reverts(market, admin):
    with brownie.reverts(custom_error(market, "MarketplaceZeroAddress")):
        market.grantRole(market.ARBITER_ROLE(), "0x" + "00" * 20, {"from": admin})


def test_granting_a_held_role_emits_nothing(market, admin, verifier):
    tx = market.grantRole(market.VERIFIER_ROLE(), verifier, {"from": admin})
    assert "RoleGranted" not in tx.events
