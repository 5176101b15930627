"""Ownership verification (issue #12, item 1), wired from the core's pieces.

`start(wallet, model)` issues a one-time code for (wallet, model) and says where to put it (the
model's public bio at numer.ai). `check(wallet, model_name)` reads the model's public bio through
`NumeraiClient`, lets `OwnershipVerifier` decide, and plans the ModelRegistry writes the decision
lists as jobs in the core's store, all in one transaction and in order (revoke the previous
owner, then attest the new one), sent by the core `Sender` under the agent key (the registry's
attestor; revoking also needs the registry's admin role).

Job keys say what each write does: ``registry:<chain>:<registry>:revoke:<model>:<wallet>:<at>``
and ``registry:<chain>:<registry>:attest:<model>:<wallet>:<at>``, where ``<at>`` names the
verification (16 hex digits of the HMAC of the code it spent: every code verifies once), so
A → B → A plans a fresh attestation of A while running `check` again for the same verification
plans nothing new. `release(wallet, model)` lets the verified owner give the model up (a
revoke job).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from web3 import Web3

from agent.models import InvalidModelUuid, model_id_from_uuid
from agent.sender import call_payload
from agent.store import Job, Store
from agent.tournament.client import CLASSIC, NumeraiClient, NumeraiError, Unreachable
from agent.verify.ownership import (
    DEFAULT_TTL,
    ChallengeState,
    ChallengeStore,
    IssuedCode,
    NoOwnershipChallenge,
    OwnershipCodeExpired,
    OwnershipDecision,
    OwnershipError,
    OwnershipVerifier,
    RegistryAction,
    _wallet,
)
from agent.verify.sql_store import SqlChallengeStore

log = logging.getLogger(__name__)

ATTEST_GAS = 150_000
REVOKE_GAS = 100_000
REVOKE_REASON = b"nmrx:reverified".ljust(32, b"\0")
_ID = re.compile(r"^0x[0-9a-fA-F]{64}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class UnknownOwnershipModel(OwnershipError):
    """Numerai has no public model by that name (or the id is not a model id)."""


@dataclass(frozen=True)
class Started:
    """What `start` hands the wallet: the code (shown once) and what to do with it."""

    wallet: str
    model_id: str
    model: str  # as the caller named it
    issued: IssuedCode

    @property
    def code(self) -> str:
        return self.issued.code

    @property
    def expires_at(self) -> datetime:
        return self.issued.expires_at

    @property
    def instructions(self) -> str:
        return f"Model {self.model}: " + self.issued.instructions

    def __repr__(self) -> str:  # never log a live code
        return f"Started(wallet={self.wallet!r}, model_id={self.model_id!r}, code='***')"


@dataclass(frozen=True)
class Checked:
    """What `check` did: the decision (None when the wallet already owned the model) and the
    registry jobs for it, in sending order; `new` counts the jobs this call planned."""

    wallet: str
    model_id: str
    decision: OwnershipDecision | None
    jobs: list[Job] = field(default_factory=list)
    new: int = 0


class OwnershipFlow:
    """Ownership verification on one store, one ModelRegistry (a web3.py contract) and the
    public Numerai API (`client`, no key needed for bios)."""

    def __init__(
        self,
        w3: Web3,
        store: Store,
        registry,
        client: NumeraiClient,
        hmac_key: bytes,
        *,
        ttl: timedelta = DEFAULT_TTL,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        challenges: ChallengeStore | None = None,
    ):
        self.w3, self.store, self.registry, self.client = w3, store, registry, client
        self.challenges = challenges or SqlChallengeStore(store)
        self.verifier = OwnershipVerifier(self.challenges, hmac_key, ttl, clock)
        self.chain_id = w3.eth.chain_id
        self.tag = f"{self.chain_id}:{registry.address}"
        self.tournament = getattr(client, "tournament", CLASSIC)

    # -- models -------------------------------------------------------------------------------

    def _profile(self, name: str) -> dict:
        try:
            profile = self.client.profile(name)
        except Unreachable:
            raise
        except NumeraiError as exc:
            raise UnknownOwnershipModel(
                f"unknown model {name!r}: Numerai has no public model by that name ({exc})"
            ) from None
        if not profile or not profile.get("id"):
            raise UnknownOwnershipModel(
                f"unknown model {name!r}: Numerai has no public model by that name"
            )
        return profile

    def model_id(self, model: str) -> str:
        """The on-chain id (0x bytes32) of a model given by name, Numerai UUID or on-chain id."""
        value = str(model).strip()
        if _ID.match(value):
            return value.lower()
        try:
            if _UUID.match(value):
                return model_id_from_uuid(value)
            return model_id_from_uuid(self._profile(value)["id"])
        except InvalidModelUuid as exc:
            raise UnknownOwnershipModel(f"unknown model {value!r}: {exc}") from None

    # -- the workflow -------------------------------------------------------------------------

    def start(self, wallet: str, model_name_or_id: str) -> Started:
        """Issue a one-time code for (wallet, model); the wallet puts it in the model's bio."""
        model_id = self.model_id(model_name_or_id)
        issued = self.verifier.issue(wallet, model_id)
        log.info("ownership-code-issued wallet=%s model=%s", issued.wallet, model_id)
        return Started(issued.wallet, model_id, str(model_name_or_id), issued)

    def check(self, wallet: str, model: str) -> Checked:
        """Read the model's public bio and verify the wallet's code; plan the registry writes.
        `model` is the model's name (its public profile is read by name)."""
        name = str(model).strip()
        if _ID.match(name) or _UUID.match(name):
            raise UnknownOwnershipModel(
                f"check needs the model's name, not its id {name!r}: Numerai's public profile "
                "(where the bio is) is read by name"
            )
        profile = self._profile(name)
        model_id = model_id_from_uuid(profile["id"])
        wallet = _checksum(wallet)
        current = self.challenges.get(wallet, model_id)
        if (
            current is not None
            and current.state is ChallengeState.VERIFIED
            and current.decided_at is not None
            and current.expires_at <= current.decided_at
        ):
            # Already verified with this code (a second check, or a restart): plan the same
            # jobs again, which finds them planned.
            return self._plan(wallet, model_id, None, current.code_digest)
        prior = self.challenges.verified(model_id)
        try:
            decision = self.verifier.verify(wallet, model_id, profile.get("bio"))
        except OwnershipCodeExpired:
            raise OwnershipCodeExpired(
                f"the ownership code of {wallet} for model {name} has expired; start again to "
                "get a new code, put it in the bio and check before it expires"
            ) from None
        except NoOwnershipChallenge:
            raise NoOwnershipChallenge(
                f"no ownership code is open for {wallet} and model {name}; start first"
            ) from None
        verified = self.challenges.get(wallet, model_id)
        if prior is not None and prior.wallet == wallet:
            # The owner re-verified: ownership is unchanged, nothing to write on-chain.
            log.info("ownership-reverified wallet=%s model=%s", wallet, model_id)
            return Checked(wallet, model_id, decision)
        log.info("ownership-verified wallet=%s model=%s previous=%s", wallet, model_id,
                 decision.previous_owner)
        return self._plan(wallet, model_id, decision, verified.code_digest)

    def release(self, wallet: str, model_name_or_id: str) -> Checked:
        """The verified owner gives the model up: its challenge is RELEASED and the registry
        entry revoked by the agent (the owner may instead call `release` from its own wallet).
        The caller must have authenticated `wallet`."""
        model_id = self.model_id(model_name_or_id)
        wallet = _checksum(wallet)
        verified = self.challenges.verified(model_id)
        decision = self.verifier.release(wallet, model_id)  # NotModelOwner unless the owner
        log.info("ownership-released wallet=%s model=%s", wallet, model_id)
        return self._plan(wallet, model_id, decision, verified.code_digest)

    # -- jobs ---------------------------------------------------------------------------------

    def key(self, action: RegistryAction, at: bytes) -> str:
        """The job key of one registry write of the verification that spent the code whose
        HMAC is `at`."""
        return f"registry:{self.tag}:{action.kind}:{action.model_id}:{action.wallet}:{at[:8].hex()}"

    def _spec(self, action: RegistryAction, at: bytes) -> tuple[str, str, dict]:
        model = bytes.fromhex(action.model_id.removeprefix("0x"))
        if action.kind == "revoke":
            fn, gas = self.registry.functions.revoke(model, REVOKE_REASON), REVOKE_GAS
        elif action.kind == "attest":
            fn = self.registry.functions.attest(model, action.wallet, self.tournament)
            gas = ATTEST_GAS
        else:  # pragma: no cover - the verifier lists only these two
            raise OwnershipError(f"unknown registry action {action.kind!r}")
        payload = {**call_payload(fn, gas=gas), "model": action.model_id, "wallet": action.wallet}
        return self.key(action, at), f"registry-{action.kind}", payload

    def _plan(self, wallet, model_id, decision, at) -> Checked:
        if decision is not None:
            actions = list(decision.actions)
        else:
            actions = [RegistryAction("attest", model_id, wallet)]
        specs = [self._spec(a, at) for a in actions]
        with self.store.begin() as conn:
            new = self.store.plan_many(specs, conn=conn) if decision is not None else 0
        jobs = [j for j in (self.store.job(k) for k, _, _ in specs) if j is not None]
        return Checked(wallet, model_id, decision, jobs, new)


def _checksum(wallet: str) -> str:
    return _wallet(wallet)
