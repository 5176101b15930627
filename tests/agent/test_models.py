import pytest

from agent.models import InvalidModelUuid, model_id_from_uuid, model_uuid_from_id

UUID = "5c7c3e31-1b8f-4a1e-9d1e-0b7c6f1d2a01"


def test_model_id_is_uuid_right_aligned_in_bytes32():
    assert model_id_from_uuid(UUID) == "0x" + "00" * 16 + UUID.replace("-", "")


def test_model_id_round_trips_to_uuid():
    assert model_uuid_from_id(model_id_from_uuid(UUID)) == UUID


def test_uppercase_uuid_gives_same_id():
    assert model_id_from_uuid(UUID.upper()) == model_id_from_uuid(UUID)


def test_invalid_uuid_is_rejected_with_a_hint():
    with pytest.raises(InvalidModelUuid, match="copy it from numer.ai"):
        model_id_from_uuid("my_model")


def test_id_with_high_bytes_is_not_a_model_id():
    with pytest.raises(InvalidModelUuid):
        model_uuid_from_id("0x" + "11" * 32)
