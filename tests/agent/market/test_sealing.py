import pytest
from nacl.public import PrivateKey

from agent.market.sealing import (
    SEAL_OVERHEAD,
    CannotOpenDelivery,
    DeliveryHashMismatch,
    InvalidBuyerKey,
    SealingError,
    delivery_hash,
    encode_key,
    generate_buyer_keypair,
    open_delivery,
    open_sealed,
    private_key_from_text,
    public_key_from_text,
    seal,
    seal_delivery,
)
from agent.verify.predictions import (
    InvalidPredictionFile,
    prediction_hash,
    synthetic_predictions,
    write_predictions,
)

PREDICTIONS = synthetic_predictions(50, seed=3)
FILE = write_predictions(PREDICTIONS)


@pytest.fixture
def buyer():
    return generate_buyer_keypair()


def test_buyer_opens_the_sealed_file(buyer):
    assert open_sealed(seal(FILE, buyer.public_key), buyer.private_key) == FILE


def test_other_key_cannot_open_it(buyer):
    ciphertext = seal(FILE, buyer.public_key)
    with pytest.raises(CannotOpenDelivery, match="sealed to another public key"):
        open_sealed(ciphertext, generate_buyer_keypair().private_key)


def test_ciphertext_holds_no_plaintext(buyer):
    ciphertext = seal(FILE, buyer.public_key)
    assert FILE not in ciphertext
    assert all(i.encode() not in ciphertext for i in list(PREDICTIONS)[:5])
    assert len(ciphertext) == len(FILE) + SEAL_OVERHEAD


@pytest.mark.parametrize("position", [0, 31, 32, 47, 48, -1])
def test_any_flipped_byte_is_detected(buyer, position):
    tampered = bytearray(seal(FILE, buyer.public_key))
    tampered[position] ^= 0x01
    with pytest.raises(CannotOpenDelivery, match="altered"):
        open_sealed(bytes(tampered), buyer.private_key)


def test_truncated_ciphertext_is_refused(buyer):
    with pytest.raises(CannotOpenDelivery):
        open_sealed(seal(FILE, buyer.public_key)[:-1], buyer.private_key)
    with pytest.raises(CannotOpenDelivery, match="too short"):
        open_sealed(b"x" * 10, buyer.private_key)


def test_sealing_twice_gives_different_ciphertexts(buyer):
    assert seal(FILE, buyer.public_key) != seal(FILE, buyer.public_key)


def test_delivery_carries_both_hashes(buyer):
    delivery = seal_delivery(FILE, buyer.public_hex())
    assert delivery.delivery_hash == delivery_hash(delivery.ciphertext)
    assert len(delivery.delivery_hash) == 32
    assert delivery.prediction_hash == prediction_hash(FILE)
    assert delivery.ciphertext.hex() not in repr(delivery)


def test_expected_hash_is_checked_before_opening(buyer):
    delivery = seal_delivery(FILE, buyer.public_key)
    posted = "0x" + delivery.delivery_hash.hex()
    assert open_sealed(delivery.ciphertext, buyer.private_key, posted) == FILE
    other = seal_delivery(FILE, buyer.public_key)
    with pytest.raises(DeliveryHashMismatch, match="posted on-chain"):
        open_sealed(other.ciphertext, buyer.private_key, delivery.delivery_hash)


def test_invalid_file_is_refused_before_sealing(buyer):
    with pytest.raises(InvalidPredictionFile):
        seal(b"id,prediction\na,2\n", buyer.public_key)


def test_file_for_another_round_is_refused(buyer):
    with pytest.raises(InvalidPredictionFile, match="missing"):
        seal(FILE, buyer.public_key, live_ids=set(PREDICTIONS) | {"n_new"})


def test_seal_with_live_ids_accepts_the_rounds_file(buyer):
    ciphertext = seal(FILE, buyer.public_key, live_ids=set(PREDICTIONS))
    assert open_sealed(ciphertext, buyer.private_key) == FILE


@pytest.mark.parametrize("fmt", ["hex", "base64"])
def test_keys_round_trip_through_text(buyer, fmt):
    public = public_key_from_text(encode_key(buyer.public_key, fmt))
    private = private_key_from_text(encode_key(buyer.private_key, fmt))
    assert open_sealed(seal(FILE, public), private) == FILE


def test_keys_accept_0x_hex_and_raw_bytes(buyer):
    assert bytes(public_key_from_text("0x" + buyer.public_hex())) == bytes(buyer.public_key)
    assert bytes(public_key_from_text(bytes(buyer.public_key))) == bytes(buyer.public_key)
    assert bytes(private_key_from_text(buyer.private_hex())) == bytes(buyer.private_key)


@pytest.mark.parametrize("text", ["", "zz" * 32, "ab" * 31, "not a key", "QUJD"])
def test_bad_key_text_is_refused_without_echoing_it(text):
    with pytest.raises(InvalidBuyerKey, match="32 bytes") as error:
        private_key_from_text(text)
    assert not text or text not in str(error.value)


def test_unknown_key_format_is_refused(buyer):
    with pytest.raises(SealingError, match="'hex' or 'base64'"):
        encode_key(buyer.public_key, "pem")


def test_keypair_repr_hides_private_key(buyer):
    assert buyer.private_hex() not in repr(buyer)
    assert buyer.public_hex() in repr(buyer)


def test_private_key_object_is_accepted(buyer):
    assert open_sealed(seal(FILE, buyer.public_key), PrivateKey(bytes(buyer.private_key))) == FILE


def test_buyer_opens_and_checks_a_delivery_in_one_call(buyer):
    delivery = seal_delivery(FILE, buyer.public_key)
    data, parsed = open_delivery(delivery.ciphertext, buyer.private_key, delivery.delivery_hash,
                                 delivery.prediction_hash, live_ids=set(PREDICTIONS))
    assert data == FILE and parsed.hash == delivery.prediction_hash


def test_delivery_of_another_file_than_sold_is_caught(buyer):
    other = write_predictions({i: 0.5 for i in PREDICTIONS})
    delivery = seal_delivery(other, buyer.public_key)
    with pytest.raises(DeliveryHashMismatch, match="dispute"):
        open_delivery(delivery.ciphertext, buyer.private_key, delivery.delivery_hash,
                      prediction_hash(FILE))


def test_sealed_invalid_file_is_refused_on_opening(buyer):
    from nacl.public import SealedBox

    ciphertext = SealedBox(buyer.public_key).encrypt(b"id,prediction\na,7\n")
    with pytest.raises(InvalidPredictionFile, match="outside"):
        open_delivery(ciphertext, buyer.private_key)
