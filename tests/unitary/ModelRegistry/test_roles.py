import brownie

from tests.errors import custom_error


def test_deployer_roles(registry, admin, attestor, admin_role, attestor_role):
    assert registry.hasRole(admin_role, admin)
    assert registry.hasRole(attestor_role, attestor)
    assert not registry.hasRole(attestor_role, admin)


def test_admin_grants_attestor_with_event(registry, admin, bob, attestor_role):
    tx = registry.grantRole(attestor_role, bob, {"from": admin})
    assert registry.hasRole(attestor_role, bob)
    assert tx.events["RoleGranted"] == {"role": attestor_role, "account": bob, "sender": admin}


def test_admin_revokes_attestor_who_can_no_longer_attest(
    registry, admin, attestor, alice, model_a, attestor_role
):
    registry.revokeRole(attestor_role, attestor, {"from": admin})
    with brownie.reverts(
        custom_error(registry, "AccessControlUnauthorizedAccount", attestor, attestor_role)
    ):
        registry.attest(model_a, alice, 8, {"from": attestor})


def test_grant_role_by_non_admin_reverts(registry, attestor, rando, admin_role, attestor_role):
    for caller in (rando, attestor):
        with brownie.reverts(
            custom_error(registry, "AccessControlUnauthorizedAccount", caller, admin_role)
        ):
            registry.grantRole(attestor_role, caller, {"from": caller})


def test_owner_of_unregistered_is_zero(registry, model_a):
    assert registry.ownerOf(model_a) == "0x" + "00" * 20
