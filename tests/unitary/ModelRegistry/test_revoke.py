import brownie
from brownie import ZERO_ADDRESS, web3

from tests.errors import custom_error

REASON = web3.keccak(text="bio code was copied from another account").to_0x_hex()


def test_revoke_by_admin_clears_entry(registry, attested, admin, model_a):
    registry.revoke(model_a, REASON, {"from": admin})
    assert registry.ownerOf(model_a) == ZERO_ADDRESS


def test_revoke_emits_model_revoked(registry, attested, admin, alice, model_a):
    tx = registry.revoke(model_a, REASON, {"from": admin})
    assert tx.events["ModelRevoked"] == {"modelId": model_a, "owner": alice, "reason": REASON}


def test_revoke_by_non_admin_reverts(registry, attested, alice, attestor, rando, model_a, admin_role):
    for caller in (rando, alice, attestor):
        with brownie.reverts(
            custom_error(registry, "AccessControlUnauthorizedAccount", caller, admin_role)
        ):
            registry.revoke(model_a, REASON, {"from": caller})


def test_revoke_unregistered_reverts(registry, admin, model_a):
    with brownie.reverts(custom_error(registry, "ModelRegistryNotRegistered", model_a)):
        registry.revoke(model_a, REASON, {"from": admin})
