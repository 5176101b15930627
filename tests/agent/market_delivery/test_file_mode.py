"""FILE and VERIFIED_FILE delivery on ganache + the simulator, on SQLite and PostgreSQL."""

import pytest
from eth_utils import keccak
from sqlalchemy import func, select

from agent.market.buyers import BuyerSettingsError
from agent.market.delivery import (
    DELIVERED,
    PREPARED,
    AlreadyDelivering,
    DeliveryError,
    NotOrderSeller,
)
from agent.market.sealing import (
    CannotOpenDelivery,
    generate_buyer_keypair,
    open_sealed,
    seal,
)
from agent.market.submission import parse_submission_filename
from agent.store.schema import deliveries, jobs
from agent.verify.predictions import InvalidPredictionFile, prediction_hash, write_predictions
from tests.unitary.market_fixtures import FILE, VERIFIED_FILE

from .conftest import BUYER_KEY


def test_a_file_delivery_opens_only_with_the_buyers_key(
    env, buy, seller, buyer, buyer_keypair, predictions
):
    env.buyers.register(buyer.address, public_key=buyer_keypair.public_hex())
    order = buy(FILE)
    record = env.flow.submit_file(order, predictions, seller.address)
    assert record.state == PREPARED and record.mode == "file"
    assert record.prediction_hash == "0x" + prediction_hash(predictions).hex()

    env.send_all()
    env.assert_confirmed(order)
    [moved] = env.flow.sync()
    assert moved.state == DELIVERED

    ciphertext = env.flow.sealed_file(order, buyer=buyer.address)
    assert ciphertext != predictions and predictions not in ciphertext
    # The hash on-chain is the stored ciphertext's keccak, and the row and blob address agree.
    assert env.delivered_hash(order) == "0x" + keccak(ciphertext).hex() == moved.delivery_hash
    assert moved.blob == "keccak256:" + moved.delivery_hash
    assert open_sealed(ciphertext, buyer_keypair.private_key, moved.delivery_hash) == predictions
    with pytest.raises(CannotOpenDelivery, match="does not open with this key"):
        open_sealed(ciphertext, generate_buyer_keypair().private_key)
    with pytest.raises(DeliveryError, match="only the buyer"):
        env.flow.sealed_file(order, buyer=seller.address)


def test_an_invalid_file_is_refused_and_nothing_is_written(
    env, buy, seller, buyer, buyer_keypair, predictions, live_ids
):
    env.buyers.register(buyer.address, public_key=buyer_keypair.public_hex())
    order = buy(FILE)
    missing_row = b"\n".join(predictions.splitlines()[:-1]) + b"\n"
    with pytest.raises(InvalidPredictionFile, match="1 of the round's 25 live ids are missing"):
        env.flow.submit_file(order, missing_row, seller.address)
    out_of_range = write_predictions({i: 1.5 for i in live_ids})
    with pytest.raises(InvalidPredictionFile, match=r"outside \[0, 1\]"):
        env.flow.submit_file(order, out_of_range, seller.address)
    with pytest.raises(NotOrderSeller, match="is not the seller of order"):
        env.flow.submit_file(order, predictions, buyer.address)
    with env.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(deliveries)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(jobs)).scalar() == 0
    assert not (env.folder / "blobs").exists()


def test_a_buyer_without_a_key_is_refused_before_anything_is_written(
    sqlite_env, buy, seller, predictions
):
    env = sqlite_env
    order = buy(FILE)
    with pytest.raises(BuyerSettingsError, match="registered no delivery public key"):
        env.flow.submit_file(order, predictions, seller.address)
    assert env.flow.record(order) is None and env.store.job_counts() == {}


def test_a_file_sealed_client_side_is_checked_by_hash_and_delivered(
    sqlite_env, buy, seller, buyer, buyer_keypair, predictions
):
    env = sqlite_env
    order = buy(FILE)
    ciphertext = seal(predictions, buyer_keypair.public_key)
    with pytest.raises(DeliveryError, match="was altered"):
        env.flow.submit_sealed(order, ciphertext, seller.address, "0x" + "11" * 32)
    assert env.flow.record(order) is None
    record = env.flow.submit_sealed(order, ciphertext, seller.address, keccak(ciphertext))
    assert record.state == PREPARED and record.prediction_hash is None
    # Again (a retry, the hash as bare hex) plans nothing new; another ciphertext is refused.
    env.flow.submit_sealed(order, ciphertext, seller.address, keccak(ciphertext).hex().upper())
    assert env.store.job_counts() == {"planned": 1}
    with pytest.raises(AlreadyDelivering):
        env.flow.submit_sealed(order, seal(predictions, buyer_keypair.public_key), seller.address)
    env.send_all()
    assert env.delivered_hash(order) == "0x" + keccak(ciphertext).hex()
    assert open_sealed(env.flow.sealed_file(order), buyer_keypair.private_key) == predictions
    # A verified-file order needs the file itself (the agent submits it to the buyer's slot).
    with pytest.raises(DeliveryError, match="hand over the file itself"):
        env.flow.submit_sealed(buy(VERIFIED_FILE), ciphertext, seller.address)


def test_verified_file_is_sealed_and_auto_submitted_to_the_buyers_slot(
    sqlite_env, buy, seller, buyer, buyer_keypair, predictions, buyer_api, slot
):
    env = sqlite_env  # the store's part is the file and stake modes' (tested on both stores)
    env.buyers.register(buyer.address, public_key=buyer_keypair.public_key,
                        numerai_key=BUYER_KEY, slot_model=slot)
    order = buy(VERIFIED_FILE)
    record = env.flow.submit_file(order, predictions, seller.address)
    assert record.state == PREPARED and record.submitted_at is not None
    names = [s["filename"] for s in buyer_api.submission_ids(slot)]
    assert record.submission_filename in names
    parse_submission_filename(record.submission_filename)  # the agent's random name
    env.send_all()
    ciphertext = env.flow.sealed_file(order)
    assert env.delivered_hash(order) == "0x" + keccak(ciphertext).hex() == record.delivery_hash
    assert open_sealed(ciphertext, buyer_keypair.private_key) == predictions
    assert record.prediction_hash == "0x" + prediction_hash(predictions).hex()


def test_a_reverted_deliver_transaction_fails_the_delivery_and_says_why(
    sqlite_env, buy, seller, buyer, buyer_keypair, predictions, market, caplog
):
    env = sqlite_env
    env.buyers.register(buyer.address, public_key=buyer_keypair.public_hex())
    order = buy(FILE)
    env.flow.submit_file(order, predictions, seller.address)
    # The seller delivers by hand before the agent's job is sent: the job's call now reverts.
    market.deliver(env.flow.order(order).struct, "0x" + "ab" * 32, {"from": seller})
    env.send_all()
    [failed] = env.flow.sync()
    assert failed.state == "failed" and "the deliver transaction failed" in failed.reason
    assert "Marketplace" in failed.reason  # the contract's custom error, decoded
    assert env.failures == [failed]
    assert any(r.getMessage().startswith("delivery.failed") for r in caplog.records)
    assert env.flow.sync() == []
    # An order the seller delivered by hand is refused before anything is written.
    other = buy(FILE)
    market.deliver(env.flow.order(other).struct, "0x" + "cd" * 32, {"from": seller})
    with pytest.raises(AlreadyDelivering, match="already delivered on-chain"):
        env.flow.submit_file(other, predictions, seller.address)
    assert env.flow.record(other) is None
