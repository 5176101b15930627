from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.errors import NmrxError
from agent.verify.ownership import (
    ChallengeState,
    InMemoryChallengeStore,
    NoOwnershipChallenge,
    NotModelOwner,
    OwnershipCodeExpired,
    OwnershipCodeNotFound,
    OwnershipError,
    OwnershipVerifier,
    RegistryAction,
    bio_contains_code,
    find_codes,
)

ALICE = "0x" + "a1" * 20
BOB = "0x" + "b2" * 20
MODEL = "0x" + "00" * 16 + "5c7c3e311b8f4a1e9d1e0b7c6f1d2a01"
KEY = b"k" * 32


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store():
    return InMemoryChallengeStore()


@pytest.fixture
def verifier(store, clock):
    return OwnershipVerifier(store, KEY, ttl=timedelta(hours=1), clock=clock)


def test_issued_code_is_unguessable_token(verifier):
    codes = {verifier.issue(ALICE, MODEL).code for _ in range(50)}
    assert len(codes) == 50
    assert all(c.startswith("nmrx-") and len(c) == 5 + 32 for c in codes)


def test_store_never_holds_the_code(verifier, store):
    issued = verifier.issue(ALICE, MODEL)
    row = repr(store.all()) + str(store.all()[0].__dict__)
    assert issued.code not in row and issued.code[5:] not in row
    assert issued.code[5:] not in store.all()[0].code_digest.hex()


def test_issued_code_repr_hides_the_code(verifier):
    issued = verifier.issue(ALICE, MODEL)
    assert issued.code not in repr(issued)
    assert issued.code in issued.instructions


def test_code_in_bio_verifies_and_attests(verifier):
    issued = verifier.issue(ALICE, MODEL)
    decision = verifier.verify(ALICE, MODEL, f"my model.\n{issued.code}\n")
    assert decision.owner.lower() == ALICE
    assert decision.actions == (RegistryAction("attest", MODEL, decision.owner),)
    assert verifier.state(ALICE, MODEL) is ChallengeState.VERIFIED
    assert verifier.owner(MODEL) == decision.owner


def test_missing_code_is_explained(verifier):
    verifier.issue(ALICE, MODEL)
    with pytest.raises(OwnershipCodeNotFound, match="paste the code into the model's bio"):
        verifier.verify(ALICE, MODEL, "just a bio")


def test_other_wallets_code_does_not_verify(verifier):
    verifier.issue(ALICE, MODEL)
    bobs = verifier.issue(BOB, MODEL)
    with pytest.raises(OwnershipCodeNotFound):
        verifier.verify(ALICE, MODEL, bobs.code)


def test_code_for_another_model_does_not_verify(verifier):
    other_model = "0x" + "00" * 16 + "ff" * 16
    issued = verifier.issue(ALICE, other_model)
    verifier.issue(ALICE, MODEL)
    with pytest.raises(OwnershipCodeNotFound):
        verifier.verify(ALICE, MODEL, issued.code)


def test_code_expires_after_ttl(verifier, clock):
    issued = verifier.issue(ALICE, MODEL)
    clock.advance(hours=1)
    assert verifier.state(ALICE, MODEL) is ChallengeState.EXPIRED
    with pytest.raises(OwnershipCodeExpired, match="request a new one"):
        verifier.verify(ALICE, MODEL, issued.code)
    with pytest.raises(NoOwnershipChallenge):
        verifier.verify(ALICE, MODEL, issued.code)


def test_code_just_before_expiry_verifies(verifier, clock):
    issued = verifier.issue(ALICE, MODEL)
    clock.advance(minutes=59)
    assert verifier.verify(ALICE, MODEL, issued.code).owner


def test_new_code_replaces_the_old_one(verifier):
    old = verifier.issue(ALICE, MODEL)
    new = verifier.issue(ALICE, MODEL)
    with pytest.raises(OwnershipCodeNotFound):
        verifier.verify(ALICE, MODEL, old.code)
    assert verifier.verify(ALICE, MODEL, new.code).owner


def test_code_verifies_only_once(verifier):
    issued = verifier.issue(ALICE, MODEL)
    verifier.verify(ALICE, MODEL, issued.code)
    with pytest.raises(OwnershipCodeExpired, match="used or expired"):
        verifier.verify(ALICE, MODEL, issued.code)


def test_verify_without_code_issued(verifier):
    with pytest.raises(NoOwnershipChallenge, match="request one first"):
        verifier.verify(ALICE, MODEL, "nmrx-" + "0" * 32)


def test_other_wallet_verifying_revokes_previous_owner_first(verifier):
    verifier.verify(ALICE, MODEL, verifier.issue(ALICE, MODEL).code)
    decision = verifier.verify(BOB, MODEL, verifier.issue(BOB, MODEL).code)
    assert decision.needs_revocation
    assert [a.kind for a in decision.actions] == ["revoke", "attest"]
    assert decision.actions[0].wallet.lower() == ALICE
    assert decision.previous_owner.lower() == ALICE
    assert verifier.state(ALICE, MODEL) is ChallengeState.REVOKED
    assert verifier.owner(MODEL).lower() == BOB


def test_owner_reverifying_keeps_ownership_and_needs_no_revocation(verifier):
    verifier.verify(ALICE, MODEL, verifier.issue(ALICE, MODEL).code)
    fresh = verifier.issue(ALICE, MODEL)
    assert verifier.owner(MODEL).lower() == ALICE
    decision = verifier.verify(ALICE, MODEL, fresh.code)
    assert not decision.needs_revocation and decision.previous_owner is None


def test_owner_releases_model(verifier):
    verifier.verify(ALICE, MODEL, verifier.issue(ALICE, MODEL).code)
    decision = verifier.release(ALICE, MODEL)
    assert decision.owner is None and [a.kind for a in decision.actions] == ["revoke"]
    assert verifier.owner(MODEL) is None
    assert verifier.state(ALICE, MODEL) is ChallengeState.RELEASED


def test_non_owner_cannot_release(verifier):
    verifier.issue(BOB, MODEL)
    with pytest.raises(NotModelOwner):
        verifier.release(BOB, MODEL)


def test_wallet_case_does_not_matter(verifier):
    issued = verifier.issue(ALICE.upper().replace("0X", "0x"), MODEL)
    assert verifier.verify(ALICE, MODEL, issued.code).owner


def test_invalid_wallet_is_refused(verifier):
    with pytest.raises(OwnershipError, match="not an Ethereum address"):
        verifier.issue("alice", MODEL)


def test_short_hmac_key_is_refused(store):
    with pytest.raises(OwnershipError, match="32 random bytes"):
        OwnershipVerifier(store, b"short")


def test_errors_are_nmrx_value_errors():
    assert issubclass(OwnershipCodeNotFound, NmrxError)
    assert issubclass(OwnershipCodeNotFound, ValueError)


CODE = "nmrx-" + "0123456789abcdef" * 2


@pytest.mark.parametrize(
    "bio",
    [
        CODE,
        f"  {CODE}  ",
        f"I sell predictions. Verify: {CODE}.",
        f"line one\r\n{CODE}\r\nline three",
        f"**{CODE}**",
        f"`{CODE}`",
        f"({CODE})",
        f'"{CODE}"',
        CODE.upper().replace("NMRX", "nmrx"),
        f"nmrx-{'f' * 32} {CODE}",
    ],
)
def test_code_is_found_as_a_token_in_surrounding_text(bio):
    assert bio_contains_code(bio, CODE)


@pytest.mark.parametrize(
    "bio",
    [
        "",
        None,
        CODE[:-1],
        CODE + "0",
        "x" + CODE,
        CODE + "_x",
        "a-" + CODE,
        CODE.replace("-", " "),
        CODE[:20] + " " + CODE[20:],
    ],
)
def test_partial_or_glued_code_is_not_a_match(bio):
    assert not bio_contains_code(bio, CODE)


def test_find_codes_lists_every_token():
    assert find_codes(f"{CODE} and nmrx-{'a' * 32}") == [CODE, "nmrx-" + "a" * 32]


# Bio text around the code: anything that does not glue a code character to either end.
surrounding = st.text(max_size=60).map(lambda s: s + " ") | st.just("")


@settings(max_examples=200, deadline=None)
@given(surrounding, surrounding.map(lambda s: " " + s if s else s))
def test_code_is_found_in_any_surrounding_text(before, after):
    assert bio_contains_code(before + CODE + after, CODE)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_random_bio_never_verifies(bio):
    assert not bio_contains_code(bio, CODE)
