import json
from dataclasses import replace

import pytest
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.errors import NmrxError
from agent.verify.consistency import (
    EVIDENCE_VERSION,
    Delivery,
    InvalidTradeFacts,
    Mode,
    Outcome,
    Position,
    TradeFacts,
    canonical_json,
    check_buyer_position,
    check_seller,
    evidence_hash,
    judge_trade,
)
from agent.verify.predictions import prediction_hash

NMR = 10**18
SOLD = prediction_hash(b"id,prediction\na,0.5\nb,0.25\n")
OTHER = prediction_hash(b"id,prediction\na,0.5\nb,0.26\n")
DELIVERED_AT = 1_700_000_000
DEADLINE = DELIVERED_AT + 3600
SCORES = {"corr60": 0.0213, "mmc60": 0.0041}

DELIVERY = Delivery(SOLD, DELIVERED_AT)
SELLER_ON_SOLD = Position(SOLD, 5 * NMR, DELIVERED_AT - 600)
BASE = TradeFacts(
    order_id=7, round=1343, model_id="0x" + "00" * 16 + "ab" * 16, mode=Mode.STAKE,
    delivery=DELIVERY, deadline=DEADLINE, allowance=10 * NMR,
    buyer_position=Position(SOLD, 10 * NMR, DELIVERED_AT + 60), seller_position=SELLER_ON_SOLD,
)

# (name, changes to BASE, outcome, reason)
CASES = [
    ("honest stake trade", {}, Outcome.CONSISTENT, "consistent"),
    ("buyer stakes less than bought",
     {"buyer_position": Position(SOLD, 3 * NMR, DELIVERED_AT + 60)},
     Outcome.CONSISTENT, "consistent"),
    ("buyer does not stake", {"buyer_position": None}, Outcome.CONSISTENT, "consistent"),
    ("no delivery", {"delivery": None}, Outcome.SELLER_FAULT, "no_delivery"),
    ("no delivery even if buyer over-staked",
     {"delivery": None, "buyer_position": Position(SOLD, 99 * NMR, DELIVERED_AT)},
     Outcome.SELLER_FAULT, "no_delivery"),
    ("delivered after the deadline", {"delivery": Delivery(SOLD, DEADLINE + 1)},
     Outcome.SELLER_FAULT, "late_delivery"),
    ("delivered exactly at the deadline", {"delivery": Delivery(SOLD, DEADLINE),
                                           "buyer_position": Position(SOLD, NMR, DEADLINE)},
     Outcome.CONSISTENT, "consistent"),
    ("over-stake by one wei", {"buyer_position": Position(SOLD, 10 * NMR + 1, DELIVERED_AT + 60)},
     Outcome.BUYER_FAULT, "over_stake"),
    ("timing attack: buyer replaced the delivered submission and staked on it",
     {"buyer_position": Position(OTHER, 10 * NMR, DELIVERED_AT + 30)},
     Outcome.BUYER_FAULT, "resubmitted_after_delivery"),
    ("timing attack in the same second as the delivery",
     {"buyer_position": Position(OTHER, NMR, DELIVERED_AT)},
     Outcome.BUYER_FAULT, "resubmitted_after_delivery"),
    ("big stake on the buyer's own other file is not over-stake but resubmission",
     {"buyer_position": Position(OTHER, 99 * NMR, DELIVERED_AT + 30)},
     Outcome.BUYER_FAULT, "resubmitted_after_delivery"),
    ("buyer staked on something else before delivery",
     {"buyer_position": Position(OTHER, 99 * NMR, DELIVERED_AT - 1)},
     Outcome.CONSISTENT, "consistent"),
    ("seller staked on another file", {"seller_position": Position(OTHER, 5 * NMR, DELIVERED_AT)},
     Outcome.SELLER_FAULT, "seller_submitted_other"),
    ("seller fraud outranks a buyer over-stake",
     {"seller_position": Position(OTHER, 5 * NMR, DELIVERED_AT),
      "buyer_position": Position(SOLD, 50 * NMR, DELIVERED_AT + 60)},
     Outcome.SELLER_FAULT, "seller_submitted_other"),
    ("seller unstaked, known submission hash matches",
     {"seller_position": None, "seller_submission_hash": SOLD}, Outcome.CONSISTENT, "consistent"),
    ("seller unstaked, known submission hash differs",
     {"seller_position": None, "seller_submission_hash": OTHER},
     Outcome.SELLER_FAULT, "seller_submitted_other"),
    ("seller position hash wins over its submission hash",
     {"seller_submission_hash": OTHER}, Outcome.CONSISTENT, "consistent"),
    ("hashes cannot decide, scores not out yet", {"seller_position": None},
     Outcome.PENDING, "awaiting_scores"),
    ("hashes cannot decide, only one side scored", {"seller_position": None, "sold_scores": SCORES},
     Outcome.PENDING, "awaiting_scores"),
    ("hashes cannot decide, scores share no metric",
     {"seller_position": None, "sold_scores": {"corr60": 0.1}, "seller_scores": {"mmc60": 0.1}},
     Outcome.PENDING, "awaiting_scores"),
    ("pending seller check outranks a buyer fault",
     {"seller_position": None, "buyer_position": Position(SOLD, 50 * NMR, DELIVERED_AT + 60)},
     Outcome.PENDING, "awaiting_scores"),
    ("hashes cannot decide, scores equal", {"seller_position": None, "sold_scores": SCORES,
                                             "seller_scores": dict(SCORES)},
     Outcome.CONSISTENT, "consistent"),
    ("hashes cannot decide, scores within tolerance",
     {"seller_position": None, "sold_scores": SCORES,
      "seller_scores": {"corr60": 0.0213 + 5e-7, "mmc60": 0.0041 - 5e-7}},
     Outcome.CONSISTENT, "consistent"),
    ("hashes cannot decide, scores differ",
     {"seller_position": None, "sold_scores": SCORES,
      "seller_scores": {"corr60": 0.0213, "mmc60": 0.01}},
     Outcome.SELLER_FAULT, "scores_differ"),
    ("scores differ, then a buyer fault does not matter",
     {"seller_position": None, "sold_scores": SCORES,
      "seller_scores": {"corr60": -0.02, "mmc60": 0.0041},
      "buyer_position": Position(OTHER, NMR, DELIVERED_AT + 5)},
     Outcome.SELLER_FAULT, "scores_differ"),
    ("scores decide and the buyer resubmitted",
     {"seller_position": None, "sold_scores": SCORES, "seller_scores": SCORES,
      "buyer_position": Position(OTHER, NMR, DELIVERED_AT + 5)},
     Outcome.BUYER_FAULT, "resubmitted_after_delivery"),
    ("file mode ignores buyer positions",
     {"mode": Mode.FILE, "allowance": None,
      "buyer_position": Position(OTHER, 99 * NMR, DELIVERED_AT + 5)},
     Outcome.CONSISTENT, "consistent"),
    ("file mode still checks the seller",
     {"mode": Mode.FILE, "allowance": None, "seller_position": Position(OTHER, NMR, DELIVERED_AT)},
     Outcome.SELLER_FAULT, "seller_submitted_other"),
    ("file mode no delivery", {"mode": Mode.FILE, "delivery": None},
     Outcome.SELLER_FAULT, "no_delivery"),
]


@pytest.mark.parametrize("changes, outcome, reason", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_verdict_table(changes, outcome, reason):
    verdict = judge_trade(replace(BASE, **changes))
    assert (verdict.outcome, verdict.reason) == (outcome, reason)
    assert verdict.evidence["outcome"] == outcome.value and verdict.evidence["reason"] == reason


def test_timing_attack_evidence_shows_hashes_and_timestamps():
    attack = replace(BASE, buyer_position=Position(OTHER, 10 * NMR, DELIVERED_AT + 30))
    buyer_check = next(c for c in judge_trade(attack).evidence["checks"] if c["check"] == "buyer")
    assert buyer_check["facts"]["position_hash"] == "0x" + OTHER.hex()
    assert buyer_check["facts"]["delivered_hash"] == "0x" + SOLD.hex()
    assert buyer_check["facts"]["seconds_after_delivery"] == 30


def test_over_stake_detail_says_by_how_much():
    verdict = judge_trade(replace(BASE, buyer_position=Position(SOLD, 12 * NMR, DELIVERED_AT + 60)))
    assert f"{2 * NMR} wei more" in verdict.detail


def test_findings_that_did_not_decide_stay_in_evidence():
    verdict = judge_trade(replace(BASE, seller_position=Position(OTHER, NMR, DELIVERED_AT),
                                  buyer_position=Position(SOLD, 50 * NMR, DELIVERED_AT + 60)))
    reasons = {c["check"]: c["reason"] for c in verdict.evidence["checks"]}
    assert reasons == {
        "delivery": "delivered", "seller": "seller_submitted_other", "buyer": "over_stake",
    }


def test_evidence_hash_is_keccak_of_canonical_sorted_json():
    verdict = judge_trade(BASE)
    text = verdict.evidence_json
    assert verdict.evidence_hash == keccak(text) and len(verdict.evidence_hash) == 32
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":")).encode()
    assert evidence_hash(verdict.evidence) == verdict.evidence_hash


def test_evidence_round_trips_through_json_to_the_same_hash():
    verdict = judge_trade(
        replace(BASE, seller_position=None, sold_scores=SCORES, seller_scores=SCORES)
    )
    assert evidence_hash(json.loads(verdict.evidence_json)) == verdict.evidence_hash


def test_evidence_keeps_wei_amounts_exact():
    amount = 10**25 + 1
    position = Position(SOLD, amount, DELIVERED_AT)
    verdict = judge_trade(replace(BASE, allowance=amount, buyer_position=position))
    assert str(amount).encode() in verdict.evidence_json


def test_evidence_identifies_the_order():
    evidence = judge_trade(BASE).evidence
    assert (evidence["version"], evidence["order_id"], evidence["round"], evidence["mode"]) == (
        EVIDENCE_VERSION, 7, 1343, "stake")
    assert judge_trade(replace(BASE, order_id=8)).evidence_hash != judge_trade(BASE).evidence_hash


def test_same_facts_give_the_same_evidence_hash():
    assert judge_trade(BASE).evidence_hash == judge_trade(replace(BASE)).evidence_hash


def test_only_pending_is_not_final():
    assert judge_trade(BASE).is_final
    assert not judge_trade(replace(BASE, seller_position=None)).is_final


def test_canonical_json_has_no_whitespace_and_hex_bytes():
    assert canonical_json({"b": b"\x01", "a": [1, 2]}) == b'{"a":[1,2],"b":"0x01"}'


def test_stake_mode_without_allowance_is_refused():
    with pytest.raises(InvalidTradeFacts, match="allowance"):
        judge_trade(replace(BASE, allowance=None))


def test_malformed_hash_is_refused():
    with pytest.raises(InvalidTradeFacts, match="32 bytes"):
        check_seller(b"short")
    with pytest.raises(InvalidTradeFacts, match="32 bytes"):
        judge_trade(replace(BASE, buyer_position=Position("0x12", NMR, DELIVERED_AT)))


def test_negative_amount_is_refused():
    with pytest.raises(InvalidTradeFacts, match="never negative"):
        check_buyer_position(DELIVERY, Position(SOLD, -1, DELIVERED_AT), 10)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "0.1"])
def test_non_finite_scores_are_refused(bad):
    with pytest.raises(InvalidTradeFacts, match="finite"):
        check_seller(SOLD, sold_scores={"corr60": bad}, seller_scores=SCORES)


def test_tolerance_is_configurable():
    close = {"corr60": 0.0213 + 1e-4, "mmc60": 0.0041}
    strict = check_seller(SOLD, sold_scores=SCORES, seller_scores=close)
    loose = check_seller(SOLD, sold_scores=SCORES, seller_scores=close, tolerance=1e-3)
    assert (strict.outcome, loose.outcome) == (Outcome.SELLER_FAULT, Outcome.CONSISTENT)


def test_errors_are_nmrx_value_errors():
    assert issubclass(InvalidTradeFacts, NmrxError) and issubclass(InvalidTradeFacts, ValueError)


# Properties over arbitrary STAKE-mode facts where the seller is known honest, so the buyer's
# position alone decides. hypothesis's own `given`: these tests touch no chain state.
hashes = st.sampled_from([SOLD, OTHER])
positions = st.builds(Position, hashes, st.integers(0, 100 * NMR),
                      st.integers(DELIVERED_AT - 3600, DELIVERED_AT + 3600))


@settings(max_examples=200, deadline=None)
@given(st.none() | positions, st.integers(0, 100 * NMR))
def test_buyer_is_blamed_exactly_for_over_stake_or_replacing_the_delivery(position, allowance):
    verdict = judge_trade(replace(BASE, buyer_position=position, allowance=allowance))
    on_sold = position is not None and position.submission_hash == SOLD
    over_stake = on_sold and position.amount > allowance
    replaced = (position is not None and position.submission_hash != SOLD
                and position.staked_at >= DELIVERED_AT)
    assert (verdict.outcome is Outcome.BUYER_FAULT) == (over_stake or replaced)
    assert verdict.outcome is not Outcome.SELLER_FAULT


@settings(max_examples=100, deadline=None)
@given(st.none() | positions, st.integers(0, 100 * NMR), st.integers(0, 2**32))
def test_evidence_hash_commits_to_every_fact(position, allowance, order_id):
    facts = replace(BASE, buyer_position=position, allowance=allowance, order_id=order_id)
    verdict = judge_trade(facts)
    assert evidence_hash(json.loads(verdict.evidence_json)) == verdict.evidence_hash
    for changed in ({"order_id": order_id + 1}, {"allowance": allowance + 1},
                    {"deadline": DEADLINE + 1}):
        assert judge_trade(replace(facts, **changed)).evidence_hash != verdict.evidence_hash
