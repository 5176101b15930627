"""agent.tournament.client: numerapi with a configurable endpoint and one-line errors."""

import socket

import pandas as pd
import pytest
from numerapi import base_api

from agent.errors import NmrxError
from agent.tournament.client import (
    InvalidKeys,
    MissingKeys,
    MissingScope,
    NumeraiClient,
    RoundClosed,
    UnknownModel,
    Unreachable,
)
from tests.agent.tournament.conftest import ALICE, ALICE_READ_ONLY, BOB, DAY


@pytest.fixture
def alice(simulator):
    return NumeraiClient(simulator.url, *ALICE)


def test_client_points_numerapi_at_its_url(simulator, alice, monkeypatch):
    monkeypatch.setattr(base_api, "API_TOURNAMENT_URL", "http://127.0.0.1:9")
    assert sorted(alice.models()) == ["alice_model", "alice_second"]
    assert base_api.API_TOURNAMENT_URL == simulator.url


def test_keys_come_from_numerais_environment_variables(simulator, monkeypatch):
    monkeypatch.setenv("NUMERAI_PUBLIC_ID", BOB[0])
    monkeypatch.setenv("NUMERAI_SECRET_KEY", BOB[1])
    assert list(NumeraiClient(simulator.url).models()) == ["bob_model"]


def test_signals_client_uses_tournament_11(simulator):
    assert list(NumeraiClient(simulator.url, *BOB, tournament=11).models()) == ["bob_signals"]


def test_profile_and_bio(alice):
    alice.set_bio(alice.model_id("alice_model"), "hello")
    assert alice.profile("alice_model")["bio"] == "hello"


def test_missing_scope_is_one_line(simulator):
    client = NumeraiClient(simulator.url, *ALICE_READ_ONLY)
    with pytest.raises(MissingScope) as refused:
        client.stake_config()
    assert refused.value.scope == "web3_staking"
    assert "\n" not in str(refused.value) and "NUMERAI_PUBLIC_ID" in str(refused.value)


def test_unknown_model(alice):
    with pytest.raises(UnknownModel):
        alice.submissions("00000000-0000-0000-0000-000000000000")
    with pytest.raises(UnknownModel, match="no model named 'nope'"):
        alice.model_id("nope")


def test_closed_round(make_simulator):
    simulator = make_simulator(submission_window_seconds=3600)
    simulator.clock.advance(
        simulator.tournament.genesis.timestamp() + 7200 - simulator.clock.now().timestamp()
    )
    client = NumeraiClient(simulator.url, *ALICE)
    with pytest.raises(RoundClosed):
        client.upload(
            client.model_id("alice_model"), df=pd.DataFrame({"id": ["x"], "prediction": [0.5]})
        )


def test_wrong_and_missing_keys(simulator, monkeypatch):
    monkeypatch.delenv("NUMERAI_PUBLIC_ID", raising=False)
    monkeypatch.delenv("NUMERAI_SECRET_KEY", raising=False)
    with pytest.raises(InvalidKeys):
        NumeraiClient(simulator.url, ALICE[0], "wrong").account()
    with pytest.raises(MissingKeys):
        NumeraiClient(simulator.url).account()


def test_nothing_listening_is_unreachable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(Unreachable, match=f"127.0.0.1:{port}"):
        NumeraiClient(f"http://127.0.0.1:{port}", *ALICE).current_round()


def test_every_error_is_an_nmrx_error():
    assert issubclass(Unreachable, NmrxError)


def test_payouts_and_scores_through_the_client(simulator, alice):
    assert alice.payouts() == {"actual": [], "pending": []}
    simulator.clock.advance(DAY)
    assert alice.current_round() == simulator.config.first_round + 1


def test_settings_point_numerapi_at_the_local_simulator():
    from agent.config import Settings

    assert Settings.load({}).numerai_url == "http://127.0.0.1:8010"
    assert (
        Settings.load({"NMRX_SIMULATOR_PORT": "0"}).numerai_url == "https://api-tournament.numer.ai"
    )
    assert Settings.load({"NMRX_NUMERAI_API_URL": "http://x:1"}).numerai_url == "http://x:1"
    assert (
        Settings.load({"NMRX_RPC_URL": "http://node:8545"}).numerai_url
        == "https://api-tournament.numer.ai"
    )
