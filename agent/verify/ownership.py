"""Model ownership by a one-time code in the model's public bio (like domain verification).

A wallet asks for a code for a model; the owner pastes it into the model's bio on numer.ai; the
agent reads the bio (numerapi, public) and, when the code is there before it expires, records the
wallet as the model's owner and tells the caller what to write on-chain (ModelRegistry).

Codes are 128 random bits from `secrets`; the store keeps only an HMAC of (wallet, model, code)
under the agent's key, so a leaked store neither reveals live codes nor lets a row be moved to
another wallet or model. Persistence is the `ChallengeStore` protocol; `InMemoryChallengeStore`
serves tests and the database store implements the same four methods.

States of a (wallet, model) challenge::

    ISSUED ──code found in bio──▶ VERIFIED ──owner releases──▶ RELEASED
       │                              └──another wallet verifies──▶ REVOKED
       └──TTL passes──▶ EXPIRED
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Protocol

from eth_utils import is_address, to_checksum_address

from agent.errors import NmrxError

CODE_PREFIX = "nmrx-"
DEFAULT_TTL = timedelta(hours=24)
# A code is a whole token: not glued to letters, digits, '-' or '_' on either side, so
# "xnmrx-…" or a longer hex run is not mistaken for it, while markdown, quotes or punctuation
# around it in the bio are fine.
_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])nmrx-([0-9a-f]{32})(?![A-Za-z0-9_-])", re.IGNORECASE)


class OwnershipError(NmrxError, ValueError):
    """An ownership verification step that cannot proceed."""


class NoOwnershipChallenge(OwnershipError):
    """No code was issued to this wallet for this model."""


class OwnershipCodeExpired(OwnershipError):
    """The code's time to live passed before it was found in the bio."""


class OwnershipCodeNotFound(OwnershipError):
    """The model's bio does not contain the code issued to this wallet."""


class NotModelOwner(OwnershipError):
    """The wallet is not the verified owner of the model."""


class ChallengeState(str, Enum):
    ISSUED = "issued"
    VERIFIED = "verified"
    EXPIRED = "expired"
    RELEASED = "released"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Challenge:
    """One (wallet, model) ownership challenge as stored: the code only as its HMAC digest."""

    wallet: str
    model_id: str
    code_digest: bytes
    issued_at: datetime
    expires_at: datetime
    state: ChallengeState = ChallengeState.ISSUED
    decided_at: datetime | None = None


@dataclass(frozen=True)
class IssuedCode:
    """What the wallet is shown once: the code (never stored) and until when it is valid."""

    wallet: str
    model_id: str
    code: str
    expires_at: datetime

    def __repr__(self) -> str:
        # Logged objects must not leak a live code.
        return (f"IssuedCode(wallet={self.wallet!r}, model_id={self.model_id!r}, code='***', "
                f"expires_at={self.expires_at!r})")

    @property
    def instructions(self) -> str:
        return (
            f"Add {self.code} anywhere in the model's bio at numer.ai before "
            f"{self.expires_at:%Y-%m-%d %H:%M} UTC, then ask to verify; you can remove it "
            "afterwards."
        )


@dataclass(frozen=True)
class RegistryAction:
    """One ModelRegistry write the caller must make, in order."""

    kind: str  # "revoke" or "attest"
    model_id: str
    wallet: str


@dataclass(frozen=True)
class OwnershipDecision:
    """The outcome of a verification or release and the on-chain writes it needs, in order:
    a model verified by a new wallet is revoked from its previous owner before it is attested."""

    model_id: str
    owner: str | None
    previous_owner: str | None
    actions: tuple[RegistryAction, ...]

    @property
    def needs_revocation(self) -> bool:
        return any(a.kind == "revoke" for a in self.actions)


class ChallengeStore(Protocol):
    """Where challenges live. `put` of several challenges must be atomic (one transaction): a
    verification revokes the old owner's row and verifies the new one together."""

    def get(self, wallet: str, model_id: str) -> Challenge | None: ...

    def put(self, *challenges: Challenge) -> None: ...

    def verified(self, model_id: str) -> Challenge | None:
        """The model's VERIFIED challenge, if any (at most one exists)."""
        ...


class InMemoryChallengeStore:
    """A `ChallengeStore` in a dict, for tests and one-process tools."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], Challenge] = {}

    def get(self, wallet: str, model_id: str) -> Challenge | None:
        return self._rows.get((wallet, model_id))

    def put(self, *challenges: Challenge) -> None:
        for challenge in challenges:
            self._rows[(challenge.wallet, challenge.model_id)] = challenge

    def verified(self, model_id: str) -> Challenge | None:
        return next(
            (c for c in self._rows.values()
             if c.model_id == model_id and c.state is ChallengeState.VERIFIED),
            None,
        )

    def all(self) -> list[Challenge]:
        return list(self._rows.values())


def find_codes(bio: str | None) -> list[str]:
    """Every ownership-code token in `bio` (lowercased), in order of appearance."""
    return [CODE_PREFIX + m.group(1).lower() for m in _TOKEN.finditer(bio or "")]


def bio_contains_code(bio: str | None, code: str) -> bool:
    """True when `code` appears in `bio` as a whole token (any surrounding text, whitespace,
    markdown or punctuation; case-insensitive, as some editors change case)."""
    wanted = code.strip().lower()
    return any(hmac.compare_digest(found.encode(), wanted.encode()) for found in find_codes(bio))


class OwnershipVerifier:
    """Issues, verifies and releases ownership codes against a `ChallengeStore`.

    `hmac_key` is the agent's secret (32+ random bytes, kept like the agent key); `clock`
    returns an aware UTC datetime and is injectable for tests.
    """

    def __init__(
        self,
        store: ChallengeStore,
        hmac_key: bytes,
        ttl: timedelta = DEFAULT_TTL,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if len(hmac_key) < 32:
            raise OwnershipError("the ownership HMAC key must be at least 32 random bytes")
        if ttl <= timedelta(0):
            raise OwnershipError(f"the code time to live must be positive, got {ttl}")
        self._store, self._key, self._ttl, self._clock = store, hmac_key, ttl, clock

    def issue(self, wallet: str, model_id: str) -> IssuedCode:
        """A new code for (wallet, model), replacing any unverified one. A wallet that already
        owns the model may re-verify: its ownership stays until the new code is found."""
        wallet, model_id = _wallet(wallet), _model(model_id)
        code = CODE_PREFIX + secrets.token_hex(16)
        now = self._clock()
        current = self._store.get(wallet, model_id)
        digest = self._digest(wallet, model_id, code)
        challenge = Challenge(wallet, model_id, digest, now, now + self._ttl)
        if current is not None and current.state is ChallengeState.VERIFIED:
            # Keep the verified row (ownership) and remember the new code on it: state stays
            # VERIFIED, only the digest and expiry change.
            challenge = replace(current, code_digest=challenge.code_digest, issued_at=now,
                                expires_at=challenge.expires_at)
        self._store.put(challenge)
        return IssuedCode(wallet, model_id, code, challenge.expires_at)

    def state(self, wallet: str, model_id: str) -> ChallengeState | None:
        """The challenge's state now (an ISSUED code past its expiry reads EXPIRED)."""
        challenge = self._store.get(_wallet(wallet), _model(model_id))
        if challenge is None:
            return None
        if challenge.state is ChallengeState.ISSUED and self._clock() >= challenge.expires_at:
            return ChallengeState.EXPIRED
        return challenge.state

    def verify(self, wallet: str, model_id: str, bio: str | None) -> OwnershipDecision:
        """Check the model's public `bio` for the wallet's code. On success the wallet is the
        model's owner; the decision lists the registry writes (revoke the previous owner first,
        then attest). Raises `NoOwnershipChallenge`, `OwnershipCodeExpired` or
        `OwnershipCodeNotFound` otherwise. A code verifies once."""
        wallet, model_id = _wallet(wallet), _model(model_id)
        challenge = self._store.get(wallet, model_id)
        now = self._clock()
        if challenge is None or challenge.state not in (
            ChallengeState.ISSUED, ChallengeState.VERIFIED
        ):
            raise NoOwnershipChallenge(
                f"no open ownership code for wallet {wallet} and model {model_id}; "
                "request one first"
            )
        if now >= challenge.expires_at:
            if challenge.state is ChallengeState.ISSUED:
                self._store.put(replace(challenge, state=ChallengeState.EXPIRED, decided_at=now))
            raise OwnershipCodeExpired(
                f"the ownership code for model {model_id} was used or expired at "
                f"{challenge.expires_at:%Y-%m-%d %H:%M} UTC; request a new one and verify "
                "before it expires"
            )
        if not any(hmac.compare_digest(self._digest(wallet, model_id, c), challenge.code_digest)
                   for c in find_codes(bio)):
            raise OwnershipCodeNotFound(
                f"the bio of model {model_id} does not contain the code issued to {wallet}; paste "
                "the code into the model's bio at numer.ai, save, and verify again "
                f"before {challenge.expires_at:%Y-%m-%d %H:%M} UTC"
            )
        previous = self._store.verified(model_id)
        verified = replace(challenge, state=ChallengeState.VERIFIED, decided_at=now,
                           # Spend the code: the same bio cannot verify twice.
                           expires_at=now)
        actions: list[RegistryAction] = []
        previous_owner = None
        if previous is not None and previous.wallet != wallet:
            previous_owner = previous.wallet
            revoked = replace(previous, state=ChallengeState.REVOKED, decided_at=now)
            self._store.put(revoked, verified)
            actions.append(RegistryAction("revoke", model_id, previous.wallet))
        else:
            self._store.put(verified)
        actions.append(RegistryAction("attest", model_id, wallet))
        return OwnershipDecision(model_id, wallet, previous_owner, tuple(actions))

    def owner(self, model_id: str) -> str | None:
        """The model's verified owner wallet, if any."""
        verified = self._store.verified(_model(model_id))
        return verified.wallet if verified else None

    def release(self, wallet: str, model_id: str) -> OwnershipDecision:
        """The owner gives the model up; the decision says to revoke it on-chain."""
        wallet, model_id = _wallet(wallet), _model(model_id)
        verified = self._store.verified(model_id)
        if verified is None or verified.wallet != wallet:
            raise NotModelOwner(
                f"{wallet} is not the verified owner of model {model_id}, so it cannot release it"
            )
        self._store.put(replace(verified, state=ChallengeState.RELEASED, decided_at=self._clock()))
        revoke = RegistryAction("revoke", model_id, wallet)
        return OwnershipDecision(model_id, None, wallet, (revoke,))

    def _digest(self, wallet: str, model_id: str, code: str) -> bytes:
        message = f"nmrx-ownership-v1|{wallet}|{model_id}|{code.lower()}".encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()


def _wallet(wallet: str) -> str:
    if not isinstance(wallet, str) or not is_address(wallet):
        raise OwnershipError(f"{wallet!r} is not an Ethereum address; use the wallet's 0x address")
    return to_checksum_address(wallet)


def _model(model_id: str) -> str:
    value = str(model_id).strip().lower()
    if not value:
        raise OwnershipError("the model id is empty; use the model's id (see agent.models)")
    return value
