"""Who kept their word in a trade: pure decisions from facts the workflow gathered (the chain's
positions, the agent's delivery record, Numerai's live scores). No I/O here, so every branch is
table-tested and a verdict can be recomputed by anyone from its evidence.

Every hash below is a canonical prediction hash (`agent.verify.predictions`), the same function
the agent uses for what it delivers and what positions back; timestamps are Unix seconds (block
timestamps for positions, the agent's clock for deliveries); amounts are NMR wei.

The rules, in the order `judge_trade` applies them:

1. Delivery (both modes). Nothing delivered → SELLER_FAULT ``no_delivery``. Delivered after the
   round's submission deadline → SELLER_FAULT ``late_delivery`` (the buyer could not use it).
2. The seller's own submission (both modes). What was sold must be what the seller submitted for
   the model: the hash of the seller's position (or of its latest submission, when known)
   equal to the sold hash → fine; different → SELLER_FAULT ``seller_submitted_other``. When no
   seller hash is known, hashes cannot decide and the live scores of the sold predictions are
   compared with the seller model's: equal within `score_tolerance` on every metric both report
   → fine, otherwise SELLER_FAULT ``scores_differ``; no scores yet → PENDING
   ``awaiting_scores``.
3. The buyer's position (STAKE mode). No position → fine (the buyer chose not to stake). A
   position backing the delivered hash must be within the bought allowance, else BUYER_FAULT
   ``over_stake``. A position backing another hash, staked at or after the delivery, is the
   buyer replacing the delivered submission (the thread's timing attack, whatever the race
   between upload and check: the chain records the hash the stake backs) → BUYER_FAULT
   ``resubmitted_after_delivery``. A position on another hash staked before the delivery is the
   buyer not using what was bought: no fault on either side.
4. Otherwise CONSISTENT.

A seller fault outranks buyer findings (the sale itself was void); PENDING outranks buyer faults
so a seller is never paid before its own consistency is known. Findings that did not decide the
verdict are still listed in the evidence for the arbiter.

PENDING is not a verdict: the workflow checks again when scores arrive, or applies the
Marketplace's timeout exit.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from eth_utils import keccak

from agent.errors import NmrxError

EVIDENCE_VERSION = "nmrx.verdict.v1"
DEFAULT_SCORE_TOLERANCE = 1e-6


class InvalidTradeFacts(NmrxError, ValueError):
    """Facts that cannot be judged (a malformed hash, a negative amount, ...)."""


class Outcome(str, Enum):
    CONSISTENT = "consistent"
    SELLER_FAULT = "seller_fault"
    BUYER_FAULT = "buyer_fault"
    PENDING = "pending"


class Mode(str, Enum):
    FILE = "file"
    STAKE = "stake"


@dataclass(frozen=True)
class Delivery:
    """What the agent delivered: the canonical hash of the file (sealed in FILE mode, uploaded to
    the buyer's slot in STAKE mode) and when the delivery completed.

    In STAKE mode `delivered_at` must be the time the upload was confirmed (``create_submission``
    answered and the slot's latest submission is the delivered file), never the time it was
    started: numerapi does not check the upload's HTTP status, and a buyer staking on its old
    submission while a failed or slow upload was "in flight" must not be blamed for it."""

    prediction_hash: bytes
    delivered_at: int


@dataclass(frozen=True)
class Position:
    """A Numerai position for the round as the chain shows it (`Staked` event)."""

    submission_hash: bytes
    amount: int
    staked_at: int


@dataclass(frozen=True)
class TradeFacts:
    """Everything `judge_trade` needs about one order.

    `allowance` is the NMR (wei) the buyer bought the right to stake (STAKE mode).
    `seller_submission_hash` is the canonical hash of the seller's latest submission for the
    round when known without a position (e.g. numerapi's ``download_submission`` with a
    read-scoped key the seller delegated, hashed with `agent.verify.predictions`).
    `sold_scores` are the live scores of the sold predictions (from the auto-submitted slot),
    `seller_scores` those of the seller's model, metric → value."""

    order_id: int
    round: int
    model_id: str
    mode: Mode
    delivery: Delivery | None
    deadline: int | None = None
    allowance: int | None = None
    buyer_position: Position | None = None
    seller_position: Position | None = None
    seller_submission_hash: bytes | None = None
    sold_scores: Mapping[str, float] | None = None
    seller_scores: Mapping[str, float] | None = None
    score_tolerance: float = DEFAULT_SCORE_TOLERANCE


@dataclass(frozen=True)
class Finding:
    """The result of one check: an outcome, a reason code, a sentence and the facts it used."""

    outcome: Outcome
    reason: str
    detail: str
    facts: dict[str, Any] = field(default_factory=dict)

    def as_evidence(self, check: str) -> dict[str, Any]:
        return {"check": check, "outcome": self.outcome.value, "reason": self.reason,
                "detail": self.detail, "facts": self.facts}


@dataclass(frozen=True)
class Verdict:
    """The decision on a trade and the evidence behind it. `evidence_hash` (keccak256 of the
    canonical evidence JSON) is the bytes32 posted with the on-chain verdict; the evidence itself
    is kept and served so anyone can recompute both."""

    outcome: Outcome
    reason: str
    detail: str
    evidence: dict[str, Any]

    @property
    def is_final(self) -> bool:
        return self.outcome is not Outcome.PENDING

    @property
    def evidence_json(self) -> bytes:
        return canonical_json(self.evidence)

    @property
    def evidence_hash(self) -> bytes:
        return keccak(self.evidence_json)


def canonical_json(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no whitespace, ASCII only, no NaN. Bytes become 0x hex, ints
    beyond 2^53 (wei amounts) stay exact because Python's json writes ints in full."""
    return json.dumps(_jsonable(value), sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False).encode()


def evidence_hash(evidence: Mapping[str, Any]) -> bytes:
    """keccak256 of `canonical_json(evidence)`: a bytes32 for the chain."""
    return keccak(canonical_json(evidence))


def check_delivery(delivery: Delivery | None, deadline: int | None = None) -> Finding:
    """Rule 1: was something delivered, in time?"""
    if delivery is None:
        return Finding(Outcome.SELLER_FAULT, "no_delivery",
                       "nothing was delivered for this order; the buyer is refunded",
                       {"delivery": None, "deadline": deadline})
    facts = {"delivered_hash": delivery.prediction_hash, "delivered_at": delivery.delivered_at,
             "deadline": deadline}
    if deadline is not None and delivery.delivered_at > deadline:
        return Finding(Outcome.SELLER_FAULT, "late_delivery",
                       f"delivered {delivery.delivered_at - deadline} s after the round's "
                       "submission deadline, too late to submit or stake", facts)
    return Finding(Outcome.CONSISTENT, "delivered", "delivered before the deadline", facts)


def check_seller(
    sold_hash: bytes,
    seller_position: Position | None = None,
    seller_submission_hash: bytes | None = None,
    sold_scores: Mapping[str, float] | None = None,
    seller_scores: Mapping[str, float] | None = None,
    tolerance: float = DEFAULT_SCORE_TOLERANCE,
) -> Finding:
    """Rule 2: did the seller submit (and stake on) what it sold?"""
    _check_hash(sold_hash, "sold hash")
    seller_hash, source = (
        (seller_position.submission_hash, "seller_position") if seller_position is not None
        else (seller_submission_hash, "seller_submission") if seller_submission_hash is not None
        else (None, None)
    )
    facts: dict[str, Any] = {
        "sold_hash": sold_hash, "seller_hash": seller_hash, "seller_hash_source": source,
    }
    if seller_hash is not None:
        _check_hash(seller_hash, "seller's submission hash")
        if seller_hash == sold_hash:
            return Finding(Outcome.CONSISTENT, "seller_submitted_sold",
                           "the seller's own submission is the one it sold", facts)
        return Finding(Outcome.SELLER_FAULT, "seller_submitted_other",
                       "the seller's own submission for the round is not the file it sold", facts)
    facts.update(sold_scores=_scores(sold_scores), seller_scores=_scores(seller_scores),
                 tolerance=tolerance)
    if not sold_scores or not seller_scores:
        return Finding(Outcome.PENDING, "awaiting_scores",
                       "the seller's submission hash is unknown; waiting for live scores to "
                       "compare", facts)
    common = sorted(set(sold_scores) & set(seller_scores))
    if not common:
        return Finding(Outcome.PENDING, "awaiting_scores",
                       "the sold and seller scores share no metric yet; waiting for more scores",
                       facts)
    differing = [m for m in common if not _close(sold_scores[m], seller_scores[m], tolerance)]
    facts["compared_metrics"] = common
    if differing:
        facts["differing_metrics"] = differing
        return Finding(Outcome.SELLER_FAULT, "scores_differ",
                       f"live scores of the sold predictions and the seller's model differ on "
                       f"{', '.join(differing)} by more than {tolerance}", facts)
    return Finding(Outcome.CONSISTENT, "scores_match",
                   f"live scores match within {tolerance} on {', '.join(common)}", facts)


def check_buyer_position(delivery: Delivery, buyer_position: Position | None,
                         allowance: int | None) -> Finding:
    """Rule 3 (STAKE mode): did the buyer stake on what was delivered, within the allowance?"""
    if buyer_position is None:
        return Finding(Outcome.CONSISTENT, "buyer_did_not_stake",
                       "the buyer has no position for the round", {"buyer_position": None})
    _check_hash(buyer_position.submission_hash, "buyer's position hash")
    if buyer_position.amount < 0 or (allowance is not None and allowance < 0):
        raise InvalidTradeFacts("stake amounts and allowances are NMR wei, never negative")
    staked_after = buyer_position.staked_at - delivery.delivered_at
    facts = {
        "delivered_hash": delivery.prediction_hash,
        "delivered_at": delivery.delivered_at,
        "position_hash": buyer_position.submission_hash,
        "position_amount": buyer_position.amount,
        "position_staked_at": buyer_position.staked_at,
        "seconds_after_delivery": staked_after,
        "allowance": allowance,
    }
    if buyer_position.submission_hash != delivery.prediction_hash:
        if staked_after >= 0:
            return Finding(Outcome.BUYER_FAULT, "resubmitted_after_delivery",
                           f"the buyer's position, staked {staked_after} s after the delivery, "
                           "backs another submission: the buyer replaced the delivered file", facts)
        return Finding(Outcome.CONSISTENT, "buyer_staked_other_before_delivery",
                       "the buyer staked on another submission before the delivery and did not "
                       "use what was bought; no fault on either side", facts)
    if allowance is None:
        raise InvalidTradeFacts(
            "a STAKE-mode order needs its bought allowance to check the buyer's stake"
        )
    if buyer_position.amount > allowance:
        return Finding(Outcome.BUYER_FAULT, "over_stake",
                       f"the buyer staked {buyer_position.amount} wei on the bought predictions, "
                       f"{buyer_position.amount - allowance} wei more than the {allowance} bought",
                       facts)
    return Finding(Outcome.CONSISTENT, "buyer_staked_delivery",
                   "the buyer's position backs the delivered submission within the allowance",
                   facts)


def judge_trade(facts: TradeFacts) -> Verdict:
    """Apply the rules in order (module docstring) and return the verdict with its evidence."""
    findings: list[tuple[str, Finding]] = [
        ("delivery", check_delivery(facts.delivery, facts.deadline)),
    ]
    if findings[0][1].outcome is Outcome.CONSISTENT:
        delivery = facts.delivery
        findings.append(("seller", check_seller(
            delivery.prediction_hash, facts.seller_position, facts.seller_submission_hash,
            facts.sold_scores, facts.seller_scores, facts.score_tolerance)))
        if facts.mode is Mode.STAKE:
            buyer = check_buyer_position(delivery, facts.buyer_position, facts.allowance)
            findings.append(("buyer", buyer))
    deciding = _deciding(findings)
    evidence = {
        "version": EVIDENCE_VERSION,
        "order_id": facts.order_id,
        "round": facts.round,
        "model_id": facts.model_id,
        "mode": facts.mode.value,
        # The order's terms, whether or not a check needed them: the hash commits to all facts.
        "terms": {"allowance": facts.allowance, "deadline": facts.deadline,
                  "score_tolerance": facts.score_tolerance},
        "outcome": deciding.outcome.value,
        "reason": deciding.reason,
        "checks": [finding.as_evidence(name) for name, finding in findings],
    }
    return Verdict(deciding.outcome, deciding.reason, deciding.detail, _jsonable(evidence))


def _deciding(findings: list[tuple[str, Finding]]) -> Finding:
    for outcome in (Outcome.SELLER_FAULT, Outcome.PENDING, Outcome.BUYER_FAULT):
        for _, finding in findings:
            if finding.outcome is outcome:
                return finding
    return Finding(Outcome.CONSISTENT, "consistent",
                   "delivered in time, the seller submitted what it sold, and the buyer kept to "
                   "the terms")


def _check_hash(value: Any, name: str) -> None:
    if not isinstance(value, bytes) or len(value) != 32:
        raise InvalidTradeFacts(
            f"the {name} must be 32 bytes (a canonical prediction hash), got {value!r}"
        )


def _scores(scores: Mapping[str, float] | None) -> dict[str, float] | None:
    if scores is None:
        return None
    for metric, value in scores.items():
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise InvalidTradeFacts(f"score {metric}={value!r} is not a finite number")
    return {str(k): float(v) for k, v in scores.items()}


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidTradeFacts(f"evidence cannot hold {value}")
    return value
