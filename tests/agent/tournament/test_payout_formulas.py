"""agent/payouts.py reproduces every worked example of ../shared/NUMERAI.md, reads its rule from a
round's score configs, and never burns more than the rule allows."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.payouts import NMR, PayoutError, PayoutRule, abs_rule, legacy_payout_factor, legacy_rule

LEGACY = {"corr": "0.02", "mmc": "0.01"}


def test_legacy_small_pool_pays_full_factor():
    # stake 100, CORR 0.02, MMC 0.01, total at risk 50,000 → pf 1 → 100 × 0.03 = 3.0 NMR
    assert legacy_rule(50_000).settle(100 * NMR, LEGACY) == (3 * NMR, 0)


def test_legacy_payout_factor_halves_above_threshold():
    # stake 1,000, same scores, total at risk 144,000 → pf 0.5 → 1,000 × 0.015 = 15.0 NMR
    rule = legacy_rule(144_000)
    assert rule.payout_factor == Decimal("0.5")
    assert rule.settle(1000 * NMR, LEGACY) == (15 * NMR, 0)


def test_legacy_burn_is_clipped_at_five_percent():
    # stake 100, CORR −0.1, MMC −0.05 → −0.15 clipped to −0.05 → burn 5.0 NMR
    assert legacy_rule(50_000).settle(100 * NMR, {"corr": "-0.1", "mmc": "-0.05"}) == (0, 5 * NMR)


def test_abs_position_pays_three_corr_plus_fifteen_mmc():
    # position 1 NMR, CORR60 0.02, MMC60 0.005, 3/15 → 0.06 + 0.075 = 0.135 NMR payout
    assert abs_rule().settle(NMR, {"corr60": "0.02", "mmc60": "0.005"}) == (135 * NMR // 1000, 0)


def test_abs_burn_is_clipped_at_the_whole_position():
    # position 10 NMR, CORR60 −0.2, MMC60 −0.1 → −2.1 clipped to −1 → burn 10 NMR (all of it)
    assert abs_rule().settle(10 * NMR, {"corr60": "-0.2", "mmc60": "-0.1"}) == (0, 10 * NMR)


def test_rule_is_read_from_round_score_configs():
    configs = [
        {
            "name": "corr60",
            "defaultMultiplier": 3.0,
            "clipThreshold": 1.0,
            "payoutFactor": 1.0,
            "isPayout": True,
        },
        {
            "name": "mmc60",
            "defaultMultiplier": 15.0,
            "clipThreshold": 1.0,
            "payoutFactor": 1.0,
            "isPayout": True,
        },
        {
            "name": "fnc",
            "defaultMultiplier": 9.0,
            "clipThreshold": 1.0,
            "payoutFactor": 1.0,
            "isPayout": False,
        },
    ]
    assert PayoutRule.from_score_configs(configs) == abs_rule()


def test_round_payout_factor_overrides_the_configs():
    configs = [
        {"name": "corr", "defaultMultiplier": "0.5", "clipThreshold": "0.05", "isPayout": True}
    ]
    assert PayoutRule.from_score_configs(configs, payout_factor="0.5").payout_factor == Decimal(
        "0.5"
    )


def test_a_round_without_payout_configs_is_refused():
    with pytest.raises(PayoutError):
        PayoutRule.from_score_configs([{"name": "fnc", "isPayout": False}])


def test_missing_score_is_refused():
    with pytest.raises(PayoutError, match="mmc60"):
        abs_rule().settle(NMR, {"corr60": 0.1})


def test_nothing_at_risk_has_factor_one():
    assert legacy_payout_factor(0) == 1


scores = st.decimals(min_value=-1, max_value=1, places=6)
stakes = st.integers(min_value=1, max_value=10**9 * NMR)


@given(stake=stakes, corr=scores, mmc=scores)
def test_abs_burn_never_exceeds_the_position(stake, corr, mmc):
    payout, burn = abs_rule().settle(stake, {"corr60": corr, "mmc60": mmc})
    assert burn <= stake and payout <= stake
    assert payout == 0 or burn == 0


@given(stake=stakes, corr=scores, mmc=scores, at_risk=st.integers(min_value=0, max_value=10**7))
def test_legacy_burn_never_exceeds_five_percent(stake, corr, mmc, at_risk):
    payout, burn = legacy_rule(at_risk).settle(stake, {"corr": corr, "mmc": mmc})
    assert burn * 20 <= stake and payout * 20 <= stake
