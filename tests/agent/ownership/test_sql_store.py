"""The SQL `ChallengeStore`: round trips, atomic multi-row `put`, and one verified owner per model
enforced by the database (SQLite and PostgreSQL)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from agent.store import Store
from agent.verify.ownership import Challenge, ChallengeState
from agent.verify.sql_store import OwnershipConflict, SqlChallengeStore
from tests.agent.core.conftest import pg_url, store_url  # noqa: F401 (fixtures)

A = "0x" + "aa" * 20
B = "0x" + "bb" * 20
MODEL = "0x" + "00" * 16 + "11" * 16


@pytest.fixture
def challenges(store_url):
    store = Store(store_url).migrate()
    yield SqlChallengeStore(store)
    store.dispose()


def test_round_trip_atomic_put_and_one_verified_owner(challenges):
    now = datetime.now(UTC).replace(microsecond=0)
    a = Challenge(A, MODEL, b"\1" * 32, now, now + timedelta(hours=1))
    assert challenges.get(A, MODEL) is None
    challenges.put(a)
    assert challenges.get(A, MODEL) == a and challenges.verified(MODEL) is None

    a_ok = replace(a, state=ChallengeState.VERIFIED, decided_at=now, expires_at=now)
    challenges.put(a_ok)
    assert challenges.verified(MODEL) == a_ok

    b_ok = Challenge(B, MODEL, b"\2" * 32, now, now, ChallengeState.VERIFIED, now)
    # A second verified owner is refused by the database, and the whole put rolls back.
    with pytest.raises(OwnershipConflict, match="verified by another wallet"):
        challenges.put(replace(a_ok, decided_at=now + timedelta(seconds=1)), b_ok)
    assert challenges.get(A, MODEL) == a_ok and challenges.get(B, MODEL) is None

    # Revoke A and verify B in one put: both or neither.
    challenges.put(replace(a_ok, state=ChallengeState.REVOKED), b_ok)
    assert challenges.verified(MODEL) == b_ok
    assert challenges.get(A, MODEL).state is ChallengeState.REVOKED
