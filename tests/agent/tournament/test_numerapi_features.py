"""The simulator through numerapi's own public methods, feature by feature (no chain)."""

from decimal import Decimal

import numerapi
import pandas as pd
import pytest

from tests.agent.tournament.conftest import ALICE_READ_ONLY, BOB, DAY, client, predictions_for


def models(api):
    return api.get_models()


# ---------------------------------------------------------------------------- account and models


def test_account_lists_models_and_token_scopes(alice_api):
    account = alice_api.get_account()
    assert account["username"] == "alice"
    assert sorted(m["name"] for m in account["models"]) == ["alice_model", "alice_second"]
    assert {t["public_id"] for t in account["apiTokens"]} == {"ALICEPUBLICID", "ALICEREADONLY"}
    assert account["availableNmr"] == Decimal(0)


def test_get_models_filters_by_tournament(simulator):
    bob = client(BOB)
    assert list(bob.get_models()) == ["bob_model"]
    assert list(bob.get_models(tournament=11)) == ["bob_signals"]


def test_model_name_and_public_model_list(alice_api):
    model_id = models(alice_api)["alice_model"]
    assert alice_api.modelid_to_modelname(model_id) == "alice_model"
    assert alice_api.models_of_account("alice") == models(alice_api)


# ---------------------------------------------------------------------------- profile and bio


def test_bio_round_trip(alice_api):
    model_id = models(alice_api)["alice_model"]
    assert alice_api.set_bio(model_id, "nmrx-verify: 1234") is True
    profile = numerapi.NumerAPI(verbosity="CRITICAL").public_user_profile("alice_model")
    assert profile["bio"] == "nmrx-verify: 1234"
    assert profile["nmrStaked"] == Decimal(0)
    assert profile["startDate"].tzinfo is not None


def test_webhook_answers_true(alice_api):
    assert (
        alice_api.set_submission_webhook(
            models(alice_api)["alice_model"], "https://example.invalid"
        )
        is True
    )


# ---------------------------------------------------------------------------- rounds


def test_current_round_is_open(simulator, alice_api):
    assert alice_api.get_current_round() == simulator.config.first_round
    assert alice_api.check_round_open() is True


def test_no_round_before_the_first_opens(make_simulator):
    simulator = make_simulator()
    simulator.clock.advance(-2 * DAY)  # before the first round
    api = client()
    assert api.get_current_round() is None
    assert api.check_round_open() is False


def test_round_list_carries_score_configs(simulator, alice_api):
    simulator.clock.advance(2 * DAY)
    rounds = alice_api.list_rounds()
    assert [r["number"] for r in rounds] == [1345, 1344, 1343]
    configs = {c["name"]: c for c in rounds[0]["roundScoreConfigs"]}
    assert (configs["corr60"]["defaultMultiplier"], configs["mmc60"]["defaultMultiplier"]) == (
        3.0,
        15.0,
    )
    assert configs["corr60"]["clipThreshold"] == 1.0
    assert rounds[0]["payoutFactor"] == Decimal(1)
    assert rounds[0]["openTime"].tzinfo is not None


def test_legacy_rounds_carry_the_legacy_rule(make_simulator):
    make_simulator(first_round=1340)
    configs = {c["name"]: c for c in client().list_rounds()[0]["roundScoreConfigs"]}
    assert (configs["corr"]["defaultMultiplier"], configs["mmc"]["defaultMultiplier"]) == (0.5, 2.0)
    assert configs["corr"]["clipThreshold"] == 0.05
    assert configs["corr"]["stakeThreshold"] == 72000.0


# ---------------------------------------------------------------------------- submissions


def test_upload_is_listed_downloaded_and_scored(simulator, alice_api, tmp_path):
    model_id = models(alice_api)["alice_model"]
    submission_id = predictions_for(alice_api, tmp_path, model_id)
    assert [s["id"] for s in alice_api.submission_ids(model_id)] == [submission_id]
    path = alice_api.download_submission(
        submission_id=submission_id, dest_path=str(tmp_path / "back.csv")
    )
    assert pd.read_csv(path)["prediction"].count() == simulator.config.live_ids
    assert alice_api.submission_scores(model_id) == []  # not scored before the round closes

    simulator.clock.advance(DAY)
    scores = alice_api.submission_scores(model_id)
    assert {s["displayName"] for s in scores} == {"CORR60", "MMC60"}
    assert all(s["submissionId"] == submission_id and s["day"] == 1 for s in scores)


def test_same_predictions_same_scores_different_predictions_different(make_simulator, tmp_path):
    simulator = make_simulator()
    api = client()
    first = predictions_for(api, tmp_path, models(api)["alice_model"], skew=0)
    same = predictions_for(api, tmp_path, models(api)["alice_second"], skew=0)
    t = simulator.tournament
    assert t.submission_final_scores(t.submissions[first]) == t.submission_final_scores(
        t.submissions[same]
    )
    other = predictions_for(api, tmp_path, models(api)["alice_second"], skew=1)
    assert t.submission_final_scores(t.submissions[first]) != t.submission_final_scores(
        t.submissions[other]
    )


def test_submission_scores_run_to_resolution(simulator, alice_api, tmp_path):
    model_id = models(alice_api)["alice_model"]
    predictions_for(alice_api, tmp_path, model_id)
    simulator.clock.advance(5 * DAY)
    scores = alice_api.submission_scores(model_id, display_name="CORR60")
    assert [s["day"] for s in scores] == [1, 2, 3]
    assert scores[-1]["resolved"] is True
    assert (
        alice_api.submission_scores(model_id, distinct_on_round=True, display_name="CORR60")
        == scores[-1:]
    )


def test_round_performances(simulator, alice_api, tmp_path):
    model_id = models(alice_api)["alice_model"]
    predictions_for(alice_api, tmp_path, model_id)
    simulator.clock.advance(DAY)
    with pytest.warns(DeprecationWarning):
        performance = alice_api.round_model_performances_v2(model_id)[0]
    assert performance["roundNumber"] == simulator.config.first_round
    assert {m["displayName"]: m["multiplier"] for m in performance["payoutMultipliers"]} == {
        "CORR60": 3.0,
        "MMC60": 15.0,
    }
    assert performance["atRisk"] == Decimal(0)


def test_a_file_without_the_live_ids_is_refused(alice_api, tmp_path):
    frame = pd.DataFrame({"id": ["n000"], "prediction": [0.5]})
    with pytest.raises(ValueError, match="live ids are missing"):
        alice_api.upload_predictions(df=frame, model_id=models(alice_api)["alice_model"])


def test_predictions_outside_zero_one_are_refused(alice_api, tmp_path):
    path = alice_api.download_dataset("v5.0/live_ids.csv", str(tmp_path / "ids.csv"))
    frame = pd.DataFrame({"id": pd.read_csv(path)["id"], "prediction": 2.0})
    with pytest.raises(ValueError, match="between 0 and 1"):
        alice_api.upload_predictions(df=frame, model_id=models(alice_api)["alice_model"])


def test_a_closed_round_refuses_submissions(make_simulator, tmp_path):
    simulator = make_simulator(submission_window_seconds=3600)
    api = client()
    two_hours_in = simulator.tournament.genesis.timestamp() + 2 * 3600
    simulator.clock.advance(two_hours_in - simulator.clock.now().timestamp())
    frame = pd.DataFrame({"id": ["n000"], "prediction": [0.5]})
    with pytest.raises(ValueError, match="closed for submissions"):
        api.upload_predictions(df=frame, model_id=models(api)["alice_model"])


# ---------------------------------------------------------------------------- refusals


def test_wrong_keys_are_refused(simulator):
    with pytest.raises(ValueError, match="Your session is invalid or has expired"):
        client(("ALICEPUBLICID", "wrong")).get_account()


def test_missing_scope_is_refused_with_numerais_message(simulator):
    api = client(ALICE_READ_ONLY)
    assert api.get_account()["username"] == "alice"
    with pytest.raises(ValueError, match="^Insufficient permission for upload_submission$"):
        api.upload_predictions(
            df=pd.DataFrame({"id": ["x"], "prediction": [0.5]}), model_id=models(api)["alice_model"]
        )
    with pytest.raises(ValueError, match="^Insufficient permission for web3_staking$"):
        api.v3_stake_config()


def test_unknown_and_foreign_models_are_refused(alice_api):
    bob_model = client(BOB).get_models()["bob_model"]
    with pytest.raises(ValueError, match="^Model not found$"):
        alice_api.set_bio(bob_model, "not mine")
    with pytest.raises(ValueError, match="^Model not found$"):
        alice_api.public_user_profile("nobody")
    with pytest.raises(ValueError, match="^Model not found$"):
        alice_api.submission_ids("00000000-0000-0000-0000-000000000000")


def test_legacy_stake_changes_are_disabled(alice_api):
    with pytest.raises(ValueError, match="Atomic Blockchain Staking"):
        alice_api.stake_increase(1, models(alice_api)["alice_model"])


def test_pending_payouts_are_empty_without_stakes(alice_api):
    assert alice_api.pending_model_payouts() == {"actual": [], "pending": []}


def test_signals_upload_uses_tickers(simulator, tmp_path):
    signals = client(BOB, numerapi.SignalsAPI)
    model_id = signals.get_models()["bob_signals"]
    path = signals.download_dataset("signals/v1.0/live_ids.csv", str(tmp_path / "tickers.csv"))
    tickers = pd.read_csv(path)["numerai_ticker"]
    frame = pd.DataFrame({"numerai_ticker": tickers, "signal": 0.5})
    submission_id = signals.upload_predictions(df=frame, model_id=model_id)
    assert [s["id"] for s in signals.submission_ids(model_id)] == [submission_id]
