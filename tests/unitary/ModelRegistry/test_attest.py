import brownie
from brownie import ZERO_ADDRESS

from tests.errors import custom_error


def test_attest_registers_owner_and_tournament(registry, attested, alice, model_a):
    model = registry.modelOf(model_a)
    assert model["owner"] == alice
    assert model["tournament"] == 8
    assert model["attestedAt"] == attested.timestamp


def test_attest_emits_model_attested(attested, alice, attestor, model_a):
    assert attested.events["ModelAttested"] == {
        "modelId": model_a,
        "owner": alice,
        "tournament": 8,
        "attestor": attestor,
    }


def test_attest_by_non_attestor_reverts(registry, alice, rando, admin, model_a, attestor_role):
    for caller in (rando, alice, admin):
        with brownie.reverts(
            custom_error(registry, "AccessControlUnauthorizedAccount", caller, attestor_role)
        ):
            registry.attest(model_a, alice, 8, {"from": caller})


def test_attest_twice_reverts_already_registered(registry, attested, attestor, bob, alice, model_a):
    with brownie.reverts(custom_error(registry, "ModelRegistryAlreadyRegistered", model_a, alice)):
        registry.attest(model_a, bob, 8, {"from": attestor})


def test_attest_zero_owner_reverts(registry, attestor, model_a):
    with brownie.reverts(custom_error(registry, "ModelRegistryZeroOwner")):
        registry.attest(model_a, ZERO_ADDRESS, 8, {"from": attestor})


def test_attest_zero_model_id_reverts(registry, attestor, alice):
    with brownie.reverts(custom_error(registry, "ModelRegistryZeroModelId")):
        registry.attest("0x" + "00" * 32, alice, 8, {"from": attestor})


def test_attest_zero_tournament_reverts(registry, attestor, alice, model_a):
    with brownie.reverts(custom_error(registry, "ModelRegistryInvalidTournament", 0)):
        registry.attest(model_a, alice, 0, {"from": attestor})
