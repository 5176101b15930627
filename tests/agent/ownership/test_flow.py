"""Ownership verification end to end: a code issued by the flow, put in the model's bio through
numerapi with the owner's key (simulator), checked by the agent, and attested (or revoked, then
attested) on ModelRegistry by the core Sender on ganache."""

import pytest

from agent.models import model_id_from_uuid
from agent.ownership_flow import UnknownOwnershipModel
from agent.verify.ownership import (
    NoOwnershipChallenge,
    NotModelOwner,
    OwnershipCodeExpired,
    OwnershipCodeNotFound,
)
from tests.agent.ownership.conftest import TTL

ZERO = "0x0000000000000000000000000000000000000000"


@pytest.fixture
def wallets(accounts):
    return accounts[5].address, accounts[6].address


def test_verified_model_is_attested_once(env, wallets):
    """Happy path on SQLite and PostgreSQL; a second check plans nothing new."""
    alice, _ = wallets
    started = env.flow.start(alice, "alice_m0")
    assert started.code in started.instructions and "bio" in started.instructions
    env.set_bio("alice", "alice_m0", f"My model. Ownership: **{started.code}**.")

    checked = env.flow.check(alice, "alice_m0")
    assert [j.kind for j in checked.jobs] == ["registry-attest"] and checked.new == 1
    key = checked.jobs[0].key
    assert key.startswith(
        f"registry:{env.w3.eth.chain_id}:{env.registry.address}:attest:{started.model_id}:{alice}:"
    )
    env.send_all()
    env.assert_confirmed(*checked.jobs)
    assert env.owner_of(started.model_id) == alice
    assert env.flow.verifier.owner(started.model_id) == alice

    again = env.flow.check(alice, "alice_m0")
    assert again.new == 0 and [j.key for j in again.jobs] == [key]
    assert env.store.job_counts() == {"confirmed": 1}


def test_wrong_or_absent_code_is_refused(sqlite_env, wallets):
    env = sqlite_env
    alice, _ = wallets
    started = env.flow.start(alice, "alice_m0")
    with pytest.raises(OwnershipCodeNotFound, match="does not contain the code"):
        env.flow.check(alice, "alice_m0")  # empty bio
    env.set_bio("alice", "alice_m0", "nmrx-" + "0" * 32)
    with pytest.raises(OwnershipCodeNotFound, match="does not contain the code") as err:
        env.flow.check(alice, "alice_m0")
    assert "\n" not in str(err.value) and started.code not in str(err.value)
    # The code glued to other text is not the code.
    env.set_bio("alice", "alice_m0", "x" + started.code)
    with pytest.raises(OwnershipCodeNotFound):
        env.flow.check(alice, "alice_m0")
    assert env.store.job_counts() == {}
    assert env.owner_of(started.model_id) == ZERO


def test_expired_code_unknown_model_and_no_start(sqlite_env, wallets):
    env = sqlite_env
    alice, _ = wallets
    with pytest.raises(NoOwnershipChallenge, match="start first"):
        env.flow.check(alice, "alice_m0")
    with pytest.raises(UnknownOwnershipModel, match="unknown model 'nobody_m9'"):
        env.flow.start(alice, "nobody_m9")
    with pytest.raises(UnknownOwnershipModel, match="unknown model"):
        env.flow.check(alice, "nobody_m9")

    started = env.flow.start(alice, "alice_m0")
    env.set_bio("alice", "alice_m0", started.code)
    env.clock.advance(TTL)
    with pytest.raises(OwnershipCodeExpired, match="start again") as err:
        env.flow.check(alice, "alice_m0")
    assert "\n" not in str(err.value)
    assert env.store.job_counts() == {}

    # Starting again gives a new code that works; the old one no longer does.
    fresh = env.flow.start(alice, "alice_m0")
    assert fresh.code != started.code
    with pytest.raises(OwnershipCodeNotFound):
        env.flow.check(alice, "alice_m0")
    env.set_bio("alice", "alice_m0", fresh.code)
    assert env.flow.check(alice, "alice_m0").new == 1


def test_reverification_by_another_wallet_revokes_then_attests(env, wallets):
    """SQLite and PostgreSQL: A → B → A, every step on chain, revoke before attest each time."""
    alice, bob = wallets
    model_name = "alice_m0"

    def verify(wallet):
        started = env.flow.start(wallet, model_name)
        env.set_bio("alice", model_name, f"owned via {started.code}")
        checked = env.flow.check(wallet, model_name)
        env.send_all()
        env.assert_confirmed(*checked.jobs)
        return started, checked

    started, first = verify(alice)
    model_id = started.model_id
    assert model_id == model_id_from_uuid(env.owner_api("alice").get_models()[model_name])
    assert env.owner_of(model_id) == alice

    _, second = verify(bob)
    assert [j.kind for j in second.jobs] == ["registry-revoke", "registry-attest"]
    assert second.decision.previous_owner == alice and second.new == 2
    assert ":revoke:" in second.jobs[0].key and second.jobs[0].key.count(alice) == 1
    revoke, attest = (env.store.job(j.key) for j in second.jobs)
    assert (revoke.block_number, revoke.nonce) < (attest.block_number, attest.nonce)
    assert env.owner_of(model_id) == bob

    events = env.registry.events
    revoked = events.ModelRevoked.get_logs(from_block=revoke.block_number)
    attested = events.ModelAttested.get_logs(from_block=revoke.block_number)
    assert [e.args.owner for e in revoked] == [alice]
    assert [e.args.owner for e in attested] == [bob]
    assert revoked[0].blockNumber <= attested[0].blockNumber

    _, third = verify(alice)  # back to alice: fresh jobs, not the first verification's
    assert [j.kind for j in third.jobs] == ["registry-revoke", "registry-attest"]
    assert third.jobs[1].key != first.jobs[0].key
    assert env.owner_of(model_id) == alice
    assert env.store.job_counts() == {"confirmed": 5}


def test_owner_releases_then_another_wallet_verifies_without_revoke(sqlite_env, wallets):
    env = sqlite_env
    alice, bob = wallets
    started = env.flow.start(alice, "alice_m0")
    env.set_bio("alice", "alice_m0", started.code)
    env.flow.check(alice, "alice_m0")
    env.send_all()
    with pytest.raises(NotModelOwner, match="not the verified owner"):
        env.flow.release(bob, "alice_m0")

    released = env.flow.release(alice, started.model_id)
    assert [j.kind for j in released.jobs] == ["registry-revoke"] and released.new == 1
    env.send_all()
    env.assert_confirmed(*released.jobs)
    assert env.owner_of(started.model_id) == ZERO

    other = env.flow.start(bob, "alice_m0")
    env.set_bio("alice", "alice_m0", other.code)
    checked = env.flow.check(bob, "alice_m0")
    assert [j.kind for j in checked.jobs] == ["registry-attest"]
    env.send_all()
    env.assert_confirmed(*checked.jobs)
    assert env.owner_of(started.model_id) == bob
