"""STAKE delivery: the upload reaches the buyer's slot in the simulator under the agent's random
name, the chain gets the canonical prediction hash; failures are recorded and announced."""

import hashlib
import logging

import pytest

from agent.market.buyers import BuyerSettingsError
from agent.market.delivery import (
    DELIVERED,
    FAILED_STATE,
    PREPARED,
    AlreadyDelivering,
    AutoSubmissionFailed,
    DeliveryError,
)
from agent.market.submission import parse_submission_filename
from agent.verify.predictions import prediction_hash, write_predictions
from tests.unitary.market_fixtures import STAKE

from .conftest import BUYER_KEY, READ_ONLY_KEY


def slot_submission(simulator, slot, name):
    """The simulator's record of the upload named `name` in `slot` (what Numerai holds)."""
    subs = [s for s in simulator[0].tournament.model_submissions(slot) if s.filename == name]
    assert len(subs) == 1, [s.filename for s in subs]
    return subs[0]


def test_stake_upload_reaches_the_buyers_slot_and_the_chain_gets_its_hash(
    env, buy, seller, buyer, predictions, buyer_api, slot, simulator, round_number, caplog
):
    caplog.set_level(logging.DEBUG)
    assert buyer_api.get_models()["barry_model"] == slot
    env.buyers.register(buyer.address, numerai_key=BUYER_KEY, slot_model=slot)
    assert env.buyers.settings(buyer.address).has_numerai_key
    order = buy(STAKE)
    record = env.flow.submit_file(order, predictions, seller.address)
    assert record.state == PREPARED and record.mode == "stake" and record.blob is None
    assert record.submitted_at is not None

    # numerapi, under the buyer's own key, lists the upload under the agent's random name.
    listed = [s for s in buyer_api.submission_ids(slot)
              if s["filename"] == record.submission_filename]
    assert len(listed) == 1
    assert parse_submission_filename(record.submission_filename)[0] == round_number
    sub = slot_submission(simulator, slot, record.submission_filename)
    assert sub.content == predictions and sub.round == round_number
    assert sub.hash == "0x" + hashlib.sha256(predictions).hexdigest()

    env.send_all()
    env.assert_confirmed(order)
    assert env.flow.sync()[0].state == DELIVERED
    canonical = "0x" + prediction_hash(predictions).hex()
    assert env.delivered_hash(order) == record.prediction_hash == canonical
    assert record.delivery_hash == canonical
    # The buyer never gets the file from the agent in stake mode.
    with pytest.raises(DeliveryError, match="never handed out"):
        env.flow.sealed_file(order)
    # Another file for the same order is refused; the same file again does nothing more.
    other = write_predictions({i: 0.5 for i in simulator[0].tournament.live_ids(
        simulator[0].tournament.current_round())})
    with pytest.raises(AlreadyDelivering, match="another file"):
        env.flow.submit_file(order, other, seller.address)
    env.flow.submit_file(order, predictions, seller.address)
    assert len([s for s in buyer_api.submission_ids(slot)
                if s["filename"] == record.submission_filename]) == 1
    # Nothing logged anywhere (numerapi and requests included, at DEBUG) shows the buyer's key
    # or the file.
    assert "delivery-submitted" in caplog.text  # the capture works
    assert BUYER_KEY.secret_key.reveal() not in caplog.text
    assert predictions.decode().splitlines()[1] not in caplog.text


def test_a_failed_auto_submission_is_recorded_announced_and_retried(
    sqlite_env, buy, seller, buyer, predictions, slot, simulator, caplog
):
    env = sqlite_env
    # The buyer registered a key that cannot upload (read scope only).
    env.buyers.register(buyer.address, numerai_key=READ_ONLY_KEY, slot_model=slot)
    order = buy(STAKE)
    with caplog.at_level(logging.INFO, logger="agent.market.delivery"):
        with pytest.raises(AutoSubmissionFailed, match="upload_submission"):
            env.flow.submit_file(order, predictions, seller.address)
    record = env.flow.record(order)
    assert record.state == FAILED_STATE and "upload_submission" in record.reason
    assert env.failures == [record]
    events = [r.getMessage() for r in caplog.records
              if r.getMessage().startswith("delivery.failed")]
    assert len(events) == 1 and f'"order": "{order}"' in events[0]
    assert READ_ONLY_KEY.secret_key.reveal() not in caplog.text
    assert env.store.job(env.flow.key(order)) is None  # no hash posted for a failed upload

    # The buyer fixes its key; the seller submits again: the same random name is used.
    env.buyers.register(buyer.address, numerai_key=BUYER_KEY)
    retried = env.flow.submit_file(order, predictions, seller.address)
    assert retried.state == PREPARED and retried.reason is None
    assert retried.submission_filename == record.submission_filename
    slot_submission(simulator, slot, record.submission_filename)
    env.send_all()
    assert env.delivered_hash(order) == retried.prediction_hash


def test_a_stake_order_without_a_registered_slot_is_refused_before_anything_is_written(
    sqlite_env, buy, seller, predictions
):
    env = sqlite_env
    with pytest.raises(BuyerSettingsError, match="Numerai upload key and a model slot"):
        env.flow.submit_file(buy(STAKE), predictions, seller.address)
    assert env.flow.records() == [] and env.store.job_counts() == {}


def test_a_second_file_for_a_slot_and_round_is_refused_until_the_buyer_registers_another_slot(
    sqlite_env, buy, seller, buyer, predictions, slot, second_slot, simulator, live_ids
):
    env = sqlite_env
    env.buyers.register(buyer.address, numerai_key=BUYER_KEY, slot_model=slot)
    first, second = buy(STAKE), buy(STAKE)
    env.flow.submit_file(first, predictions, seller.address)
    other = write_predictions({i: 0.25 for i in live_ids})
    with pytest.raises(AutoSubmissionFailed, match="already carries another order's file"):
        env.flow.submit_file(second, other, seller.address)
    failed = env.flow.record(second)
    assert failed.state == FAILED_STATE and "register another model slot" in failed.reason
    assert [s.filename for s in simulator[0].tournament.model_submissions(slot)
            if s.filename == failed.submission_filename] == []

    env.buyers.register(buyer.address, slot_model=second_slot)
    retried = env.flow.submit_file(second, other, seller.address)
    assert retried.state == PREPARED
    slot_submission(simulator, second_slot, retried.submission_filename)
    env.send_all()
    assert env.delivered_hash(first) != env.delivered_hash(second) == retried.prediction_hash
