"""Every GraphQL document numerapi 3.1.1 sends validates against the simulator's schema.

The documents are recorded, not copied: each public method of NumerAPI, SignalsAPI and CryptoAPI
is called against a recording transport that answers from the schema itself (a plausible value
of each field's type), so methods that send several documents (upload: auth, then create) get
far enough to send them all.
"""

import inspect
import uuid

import numerapi
import pytest
import requests
from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    execute_sync,
    parse,
    validate,
)
from graphql import build_schema as build_plain_schema
from numerapi import utils

from agent.tournament.simulator.schema import SCHEMA_PATH, build_schema

CLIENTS = (numerapi.NumerAPI, numerapi.SignalsAPI, numerapi.CryptoAPI)
SKIPPED = {"raw_query", "set_global_data_dir"}  # sends no document of its own / none at all


def plausible(info):
    """A value of the field's type that numerapi's parsing accepts."""
    kind = info.return_type
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    if isinstance(kind, GraphQLList):
        inner = kind.of_type.of_type if isinstance(kind.of_type, GraphQLNonNull) else kind.of_type
        return [{}] if isinstance(inner, GraphQLObjectType) else ["x"]
    if isinstance(kind, GraphQLObjectType):
        return {}
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    name, field = kind.name, info.field_name
    if name == "String":
        if field.endswith(("Time", "At", "Date", "date", "startDate")):
            return "2026-11-01T00:00:00Z"
        if field == "url":
            return "http://recorder.invalid/file"
        return "1.5"
    return {"Int": 8, "Float": 0.5, "Boolean": True, "bool": True, "ID": str(uuid.uuid4())}[name]


@pytest.fixture(scope="module")
def schema():
    return build_schema()


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    """({method: [documents]}, [request bodies]) for every public method of every numerapi client."""
    answers = build_plain_schema(SCHEMA_PATH.read_text())  # the same SDL, without the resolvers
    sent: list[dict] = []
    folder = tmp_path_factory.mktemp("recording")
    predictions = folder / "predictions.csv"
    predictions.write_text("id,prediction\nn1,0.5\n")
    documents: dict[str, list[str]] = {}
    current: list[str] = []

    def transport(url, body, headers, **kwargs):
        current.append(body["query"])
        sent.append(body)
        result = execute_sync(
            answers,
            parse(body["query"]),
            variable_values=body["variables"],
            field_resolver=lambda _, info, **a: plausible(info),
        )
        return (
            {"data": result.data}
            if not result.errors
            else {"errors": [{"message": str(e)} for e in result.errors]}
        )

    mp = pytest.MonkeyPatch()
    mp.setattr(utils, "post_with_err_handling", transport)
    mp.setattr(requests, "put", lambda *a, **k: None)
    mp.setattr(utils, "download_file", lambda url, dest, *a, **k: dest)
    arguments = {
        "file_path": str(predictions),
        "dest_path": str(folder / "out.csv"),
        "filename": "v5.0/live.parquet",
        "submission_id": str(uuid.uuid4()),
        "model_id": str(uuid.uuid4()),
        "round_id": 1343,
        "staker": "0x" + "11" * 20,
        "amount": "1.5",
        "nmr": "2.5",  # differs from the recorded current stake, so stake_set sends its change
        "bio": "a bio",
        "username": "model_name",
        "account": "username",
        "link_text": "text",
        "link": "https://example.invalid",
    }
    try:
        for client in CLIENTS:
            api = client("public", "secret", verbosity="CRITICAL", show_progress_bars=False)
            for name, method in inspect.getmembers(client, inspect.isfunction):
                if name.startswith("_") or name in SKIPPED:
                    continue
                params = list(inspect.signature(method).parameters.values())[1:]
                kwargs = {p.name: arguments[p.name] for p in params if p.name in arguments}
                current.clear()
                try:
                    getattr(api, name)(**kwargs)
                except Exception:  # noqa: BLE001 -- numerapi may choke on a plausible answer; the documents are what count
                    pass
                documents[f"{client.__name__}.{name}"] = list(current)
    finally:
        mp.undo()
    return documents, sent


@pytest.fixture(scope="module")
def recorded(recording):
    return recording[0]


def test_every_public_method_sends_a_document(recorded):
    silent = [name for name, docs in recorded.items() if not docs]
    assert not silent, f"methods that sent nothing to the recorder: {silent}"


def test_multi_document_methods_send_them_all(recorded):
    assert len(recorded["NumerAPI.upload_predictions"]) == 2  # upload auth, then create_submission
    assert len(recorded["SignalsAPI.upload_predictions"]) == 2
    assert len(recorded["NumerAPI.stake_set"]) == 3  # model name, current stake, change
    assert len(recorded["NumerAPI.model_upload"]) == 2


def test_every_document_validates_against_the_schema(recorded, schema):
    documents = {doc: name for name, docs in recorded.items() for doc in docs}
    failures = {
        name: [e.message for e in errors]
        for doc, name in documents.items()
        if (errors := validate(schema, parse(doc)))
    }
    assert not failures
    assert len(documents) >= 45


def test_the_simulator_answers_every_document_without_a_fault(recording, simulator, caplog):
    """Replayed with a full-scope key (and the recorder's placeholder ids, so many are refused),
    every request gets a 200 JSON answer and none trips an unexpected server error."""
    from tests.agent.tournament.conftest import ALICE

    headers = {"Authorization": f"Token {ALICE[0]}${ALICE[1]}"}
    for body in recording[1]:
        response = requests.post(simulator.url, json=body, headers=headers, timeout=30)
        assert response.status_code == 200
        assert "data" in response.json() or "errors" in response.json()
    assert not [r for r in caplog.records if "unexpected error" in r.getMessage()]
