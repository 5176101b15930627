import brownie
from brownie import ZERO_ADDRESS

from tests.errors import custom_error


def test_release_by_owner_clears_entry(registry, attested, alice, model_a):
    registry.release(model_a, {"from": alice})
    assert registry.ownerOf(model_a) == ZERO_ADDRESS
    model = registry.modelOf(model_a)
    assert model["owner"] == ZERO_ADDRESS
    assert model["tournament"] == 0 and model["attestedAt"] == 0


def test_release_emits_model_released(registry, attested, alice, model_a):
    tx = registry.release(model_a, {"from": alice})
    assert tx.events["ModelReleased"] == {"modelId": model_a, "owner": alice}


def test_release_allows_new_attestation(registry, attested, attestor, alice, bob, model_a):
    registry.release(model_a, {"from": alice})
    registry.attest(model_a, bob, 8, {"from": attestor})
    assert registry.ownerOf(model_a) == bob


def test_release_by_non_owner_reverts(registry, attested, admin, attestor, rando, model_a):
    for caller in (rando, admin, attestor):
        with brownie.reverts(custom_error(registry, "ModelRegistryNotOwner", model_a, caller)):
            registry.release(model_a, {"from": caller})


def test_release_unregistered_reverts(registry, alice, model_a):
    with brownie.reverts(custom_error(registry, "ModelRegistryNotRegistered", model_a)):
        registry.release(model_a, {"from": alice})
