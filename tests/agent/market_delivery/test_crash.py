"""Crash safety: a failure injected between the steps of a delivery, then a restarted agent
(a new flow on the same store and blob folder) given the same file again. Never a second upload,
never a second name, never a second hash."""

import pytest
import requests

from agent.market import delivery as delivery_module
from agent.market.delivery import PREPARED, UPLOADING, AutoSubmissionFailed
from tests.unitary.market_fixtures import FILE, STAKE, VERIFIED_FILE

from .conftest import BUYER_KEY


class Crash(Exception):
    """The injected crash."""


def uploads_named(simulator, slot, name):
    return [s for s in simulator[0].tournament.model_submissions(slot) if s.filename == name]


def test_a_crash_between_upload_and_job_planning_uploads_once_and_posts_one_hash(
    env, buy, seller, buyer, predictions, slot, simulator, monkeypatch
):
    env.buyers.register(buyer.address, numerai_key=BUYER_KEY, slot_model=slot)
    order = buy(STAKE)

    def crash(self, order_id):
        raise Crash("killed after the upload")

    monkeypatch.setattr(delivery_module.DeliveryFlow, "_after_upload", crash)
    with pytest.raises(Crash):
        env.flow.submit_file(order, predictions, seller.address)
    monkeypatch.undo()
    interrupted = env.flow.record(order)
    assert interrupted.state == UPLOADING and interrupted.submitted_at is None
    assert len(uploads_named(simulator, slot, interrupted.submission_filename)) == 1
    assert env.store.job(env.flow.key(order)) is None

    restarted = env.new_flow()
    record = restarted.submit_file(order, predictions, seller.address)
    assert record.state == PREPARED
    assert record.submission_filename == interrupted.submission_filename
    assert len(uploads_named(simulator, slot, record.submission_filename)) == 1
    restarted.submit_file(order, predictions, seller.address)  # once more: nothing new
    assert env.store.job_counts() == {"planned": 1}
    env.send_all()
    assert env.delivered_hash(order) == record.prediction_hash  # exactly one OrderDelivered


def test_a_crash_before_the_upload_uploads_once_under_the_recorded_name(
    sqlite_env, buy, seller, buyer, buyer_keypair, predictions, slot, simulator, monkeypatch
):
    env = sqlite_env
    env.buyers.register(buyer.address, public_key=buyer_keypair.public_hex(),
                        numerai_key=BUYER_KEY, slot_model=slot)
    order = buy(VERIFIED_FILE)

    def crash(*args, **kwargs):
        raise Crash("killed before the upload")

    monkeypatch.setattr(delivery_module, "_upload", crash)
    with pytest.raises(Crash):
        env.flow.submit_file(order, predictions, seller.address)
    monkeypatch.undo()
    interrupted = env.flow.record(order)
    assert interrupted.state == UPLOADING
    assert uploads_named(simulator, slot, interrupted.submission_filename) == []

    record = env.new_flow().submit_file(order, predictions, seller.address)
    assert record.state == PREPARED and record.delivery_hash == interrupted.delivery_hash
    assert len(uploads_named(simulator, slot, interrupted.submission_filename)) == 1
    env.send_all()
    assert env.delivered_hash(order) == interrupted.delivery_hash


def test_a_crash_between_sealing_and_planning_leaves_no_row_and_a_retry_posts_one_hash(
    sqlite_env, buy, seller, buyer, buyer_keypair, predictions, monkeypatch
):
    env = sqlite_env
    env.buyers.register(buyer.address, public_key=buyer_keypair.public_hex())
    order = buy(FILE)
    put = env.flow.blobs.put

    def put_then_crash(data):
        put(data)
        raise Crash("killed after writing the blob")

    monkeypatch.setattr(env.flow.blobs, "put", put_then_crash)
    with pytest.raises(Crash):
        env.flow.submit_file(order, predictions, seller.address)
    assert env.flow.record(order) is None and env.store.job_counts() == {}

    restarted = env.new_flow()
    record = restarted.submit_file(order, predictions, seller.address)
    restarted.submit_file(order, predictions, seller.address)
    assert env.store.job_counts() == {"planned": 1}
    env.send_all()
    assert env.delivered_hash(order) == record.delivery_hash
    assert restarted.blobs.has(record.blob)


def test_an_unanswered_upload_is_recorded_failed_and_retried_under_the_same_name(
    sqlite_env, buy, seller, buyer, predictions, slot, simulator, monkeypatch
):
    env = sqlite_env
    env.buyers.register(buyer.address, numerai_key=BUYER_KEY, slot_model=slot)
    order = buy(STAKE)

    def refused(*args, **kwargs):
        raise requests.ConnectionError("connection reset")

    monkeypatch.setattr(delivery_module, "_upload", refused)
    with pytest.raises(AutoSubmissionFailed, match="did not answer"):
        env.flow.submit_file(order, predictions, seller.address)
    monkeypatch.undo()
    failed = env.flow.record(order)
    assert failed.state == "failed" and env.failures == [failed]
    record = env.new_flow().submit_file(order, predictions, seller.address)
    assert record.state == PREPARED and record.submission_filename == failed.submission_filename
    assert len(uploads_named(simulator, slot, record.submission_filename)) == 1
