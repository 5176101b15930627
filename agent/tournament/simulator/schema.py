"""The simulator's GraphQL API: `schema.graphql` (the contract) bound to resolvers with ariadne.

Each root field checks the scope Numerai's tokens need for it (`SCOPES`) and answers from the
`Simulator` in the context. Every value numerapi parses has the type it expects: decimals as
strings, times as ISO strings with Z, `tournament` as an int.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ariadne import MutationType, QueryType, load_schema_from_path, make_executable_schema
from graphql import GraphQLResolveInfo, GraphQLSchema

from agent.tournament.simulator import prices
from agent.tournament.simulator.config import CLASSIC
from agent.tournament.simulator.simulator import Simulator
from agent.tournament.simulator.tournament import (
    THRESHOLDS,
    Account,
    ApiError,
    Model,
    Submission,
    iso,
    missing_scope,
    nmr_string,
)

SCHEMA_PATH = Path(__file__).with_name("schema.graphql")

# The scope a token needs per root field (absent: public).
SCOPES = {
    "account": "read_user_info",
    "model": "read_user_info",
    "setUserBio": "read_user_info",
    "setUserLink": "read_user_info",
    "pendingModelPayouts": "read_user_info",
    "submissions": "read_submission_info",
    "submissionDownloadAuth": "read_submission_info",
    "diagnostics": "read_submission_info",
    "submission_upload_auth": "upload_submission",
    "submissionUploadSignalsAuth": "upload_submission",
    "diagnosticsUploadAuth": "upload_submission",
    "computePickleUploadAuth": "upload_submission",
    "computePickleDataVersions": "upload_submission",
    "computePickleDockerImages": "upload_submission",
    "create_submission": "upload_submission",
    "createSignalsSubmission": "upload_submission",
    "createDiagnostics": "upload_submission",
    "createComputePickleUpload": "upload_submission",
    "setSubmissionWebhook": "upload_submission",
    "v2ChangeStake": "stake",
    "releaseStake": "stake",
    "v3StakeAuth": "web3_staking",
    "v3StakeConfig": "web3_staking",
    "v3StakeRound": "web3_staking",
    "v3StakeClaim": "web3_staking",
}

query = QueryType()
mutation = MutationType()


def sim(info: GraphQLResolveInfo) -> Simulator:
    return info.context["simulator"]


def caller(info: GraphQLResolveInfo) -> Account:
    """The account of the request's token, if it carries the scope this field needs."""
    found = sim(info).tournament.authenticate(info.context.get("authorization"))
    if found is None:
        raise ApiError("You must be authenticated to perform this action")
    account, token = found
    scope = SCOPES.get(info.field_name)
    if scope and scope not in token.scopes:
        raise missing_scope(scope)
    return account


def url(info: GraphQLResolveInfo, path: str) -> str:
    return f"{info.context['base_url']}{path}"


# ---------------------------------------------------------------------------- shapes


def model_dict(model: Model, simulator: Simulator) -> dict:
    subs = simulator.tournament.model_submissions(model.id)
    return {
        "id": model.id,
        "name": model.name,
        "tournament": model.tournament,
        "submissions": [submission_dict(s) for s in subs],
        "v2Stake": None,
    }


def submission_dict(sub: Submission) -> dict:
    return {
        "id": sub.id,
        "filename": sub.filename,
        "insertedAt": iso(sub.inserted_at),
        "selected": sub.selected,
        "round": {"tournament": sub.tournament, "number": sub.round},
        "firstEffectiveDate": iso(sub.inserted_at),
    }


def round_dict(simulator: Simulator, rnd) -> dict:
    t = simulator.tournament
    res = simulator.resolutions.get(rnd.number) if rnd.tournament == CLASSIC else None
    rule = res.rule if res else t.payout_rule(rnd)
    return {
        "id": rnd.id,
        "tournament": rnd.tournament,
        "number": rnd.number,
        "target": "target",
        "openTime": iso(rnd.open_time),
        "closeTime": iso(rnd.close_time),
        "closeStakingTime": iso(rnd.close_time),
        "scoreTime": iso(rnd.score_time),
        "resolveTime": iso(rnd.resolve_time),
        "resolvedGeneral": t.is_resolvable(rnd),
        "resolvedStaking": res is not None,
        "payoutFactor": nmr_string(rule.payout_factor),
        "stakeThreshold": None if rnd.abs else nmr_string(THRESHOLDS[rnd.tournament]),
        "dataDatestamp": int(rnd.open_time.strftime("%Y%m%d")),
        "roundScoreConfigs": t.score_configs(rnd),
    }


# ---------------------------------------------------------------------------- accounts, profiles


@query.field("account")
def resolve_account(_, info):
    account = caller(info)
    s = sim(info)
    return {
        "id": account.id,
        "username": account.username,
        "email": f"{account.username}@simulator.invalid",
        "walletAddress": account.wallet,
        "availableNmr": nmr_string(0),
        "mfaEnabled": False,
        "status": "VERIFIED",
        "insertedAt": iso(account.inserted_at),
        "models": [model_dict(m, s) for m in account.models],
        "apiTokens": [
            {"name": t.name, "public_id": t.public_id, "scopes": list(t.scopes)}
            for t in account.tokens
        ],
        "walletTxns": [],
    }


@query.field("model")
def resolve_model(_, info, modelId=None):
    account = caller(info)
    return model_dict(sim(info).tournament.model(modelId, account), sim(info))


@query.field("accountProfile")
def resolve_account_profile(_, info, username, tournament=None):
    account = sim(info).tournament.accounts.get(username)
    if account is None:
        raise ApiError("Account not found")
    tournament = tournament or CLASSIC
    return {
        "models": [
            {"id": m.id, "displayName": m.name}
            for m in account.models
            if m.tournament == tournament
        ]
    }


@query.field("v3UserProfile")
def resolve_user_profile(_, info, model_name=None, modelName=None, tournament=None):
    s = sim(info)
    model = s.tournament.model_by_name(model_name or modelName)
    staked = (
        nmr_string(s.nmr_staked(model.id), wei=True)
        if model.tournament == CLASSIC
        else nmr_string(0)
    )
    return {
        "id": model.id,
        "username": model.name,
        "bio": model.bio,
        "startDate": iso(s.tournament.genesis),
        "nmrStaked": staked,
        "stakeValue": staked,
        "dailyModelPerformances": [],
    }


@query.field("v2SignalsProfile")
def resolve_signals_profile(_, info, modelName=None):
    sim(info).tournament.model_by_name(modelName)
    return {"dailyModelPerformances": []}


@mutation.field("setUserBio")
def resolve_set_bio(_, info, value, modelId=None):
    account = caller(info)
    t = sim(info).tournament
    model = t.model(modelId, account) if modelId else t._only_model(account, CLASSIC)
    model.bio = value
    t.changed = True
    return True


@mutation.field("setUserLink")
def resolve_set_link(_, info, linkUrl, linkText=None, modelId=None):
    account = caller(info)
    t = sim(info).tournament
    if modelId:
        t.model(modelId, account)
    return True


@mutation.field("setSubmissionWebhook")
def resolve_set_webhook(_, info, modelId, newSubmissionWebhook=None):
    account = caller(info)
    t = sim(info).tournament
    t.model(modelId, account).webhook = newSubmissionWebhook
    t.changed = True
    return "true"


# ---------------------------------------------------------------------------- rounds, datasets


@query.field("rounds")
def resolve_rounds(_, info, tournament=None, number=None, target=None, status=None, limit=None):
    s = sim(info)
    tournament = tournament or CLASSIC
    if number == 0:
        current = s.tournament.current_round(tournament)
        return [None if current is None else round_dict(s, current)]
    rounds = s.tournament.rounds(tournament)
    if number is not None:
        rounds = [r for r in rounds if r.number == number]
    if status is not None:
        rounds = [r for r in rounds if _status(s, r) == status]
    if limit is not None:
        rounds = rounds[:limit]
    return [round_dict(s, r) for r in rounds]


def _status(s: Simulator, rnd) -> str:
    if rnd.number in s.resolutions:
        return "RESOLVED"
    if s.tournament.is_open(rnd):
        return "OPEN"
    return "RESOLVING" if s.tournament.is_resolvable(rnd) else "SCORING"


@query.field("pipelineStatus")
def resolve_pipeline_status(_, info, tournament, date=None):
    s = sim(info)
    current = s.tournament.current_round(CLASSIC)
    opened = iso(current.open_time) if current else None
    return {
        "dataReadyAt": opened,
        "isScoringDay": True,
        "resolvedAt": opened,
        "scoredAt": opened,
        "startedAt": opened,
        "tournament": tournament,
    }


LIVE_FILES = {CLASSIC: "v5.0/live_ids.csv", 11: "signals/v1.0/live_ids.csv"}


@query.field("listDatasets")
def resolve_list_datasets(_, info, round=None, tournament=None):
    return [LIVE_FILES.get(tournament or CLASSIC, LIVE_FILES[CLASSIC])]


@query.field("dataset")
def resolve_dataset(_, info, filename, round=None, tournament=None):
    s = sim(info)
    tournament = tournament or CLASSIC
    if filename != LIVE_FILES.get(tournament):
        raise ApiError(
            f"Dataset {filename} not found; the simulator serves {LIVE_FILES.get(tournament)}"
        )
    rnd = s.tournament.round(round, tournament) if round else s.tournament.current_round(tournament)
    if rnd is None:
        raise ApiError("No round is open yet")
    return url(info, f"/datasets/{tournament}/{rnd.number}/live_ids.csv")


# ---------------------------------------------------------------------------- submissions


def _upload_auth(info, filename, tournament, modelId):
    account = caller(info)
    key = sim(info).tournament.upload_auth(account, filename, tournament, modelId)
    return {"filename": key, "url": url(info, f"/uploads/{key}")}


@query.field("submission_upload_auth")
def resolve_upload_auth(_, info, filename, tournament, modelId=None):
    return _upload_auth(info, filename, tournament, modelId)


@query.field("submissionUploadSignalsAuth")
def resolve_signals_upload_auth(_, info, filename, tournament, modelId=None):
    return _upload_auth(info, filename, tournament, modelId)


@mutation.field("create_submission")
def resolve_create_submission(_, info, filename, tournament, modelId=None, **_ignored):
    account = caller(info)
    sub = sim(info).tournament.create_submission(account, filename, tournament, modelId)
    return submission_dict(sub)


@mutation.field("createSignalsSubmission")
def resolve_create_signals_submission(_, info, filename, modelId=None, **_ignored):
    account = caller(info)
    sub = sim(info).tournament.create_submission(account, filename, 11, modelId)
    return submission_dict(sub)


@query.field("submissions")
def resolve_submissions(_, info, modelId=None):
    account = caller(info)
    s = sim(info)
    models = [s.tournament.model(modelId, account)] if modelId else account.models
    return [submission_dict(sub) for m in models for sub in s.tournament.model_submissions(m.id)]


@query.field("submissionDownloadAuth")
def resolve_download_auth(_, info, id=None):
    account = caller(info)
    sub = sim(info).submission_of(account, id)
    return {"filename": sub.filename, "url": url(info, f"/downloads/{sub.download_key}")}


def _unavailable(what: str):
    def resolver(_, info, **kwargs):
        if info.field_name in SCOPES:
            caller(info)
        raise ApiError(f"{what} is not available in the nmrx tournament simulator")

    return resolver


for _field, _what in [
    ("diagnosticsUploadAuth", "Diagnostics"),
    ("diagnostics", "Diagnostics"),
    ("computePickleUploadAuth", "Model upload"),
]:
    query.set_field(_field, _unavailable(_what))
for _field, _what in [
    ("createDiagnostics", "Diagnostics"),
    ("createComputePickleUpload", "Model upload"),
]:
    mutation.set_field(_field, _unavailable(_what))


@query.field("computePickleDataVersions")
@query.field("computePickleDockerImages")
def resolve_no_compute(_, info):
    caller(info)
    return []


@mutation.field("v2ChangeStake")
@mutation.field("releaseStake")
def resolve_legacy_stake(_, info, **kwargs):
    caller(info)
    raise ApiError(
        "Legacy stake changes are disabled: this tournament uses Atomic Blockchain Staking (v3)"
    )


# ---------------------------------------------------------------------------- scores and payouts


@query.field("submissionScores")
def resolve_submission_scores(
    _,
    info,
    modelId,
    displayName=None,
    version=None,
    day=None,
    resolved=None,
    tournament=None,
    lastNRounds=None,
    distinctOnRound=None,
):
    s = sim(info)
    model = s.tournament.model(modelId)
    subs = [x for x in s.tournament.model_submissions(model.id) if x.selected]
    rounds = sorted({x.round for x in subs}, reverse=True)
    if lastNRounds:
        rounds = rounds[:lastNRounds]
    out = []
    for sub in subs:
        if sub.round not in rounds:
            continue
        rnd = s.tournament.round(sub.round, sub.tournament)
        entries = s.tournament.daily_scores(sub)
        if distinctOnRound:
            last = max((e["day"] for e in entries), default=0)
            entries = [e for e in entries if e["day"] == last]
        for e in entries:
            if displayName and displayName not in (e["displayName"], e["name"]):
                continue
            if day is not None and e["day"] != day:
                continue
            if resolved is not None and e["resolved"] != resolved:
                continue
            out.append(
                {
                    "roundId": rnd.id,
                    "submissionId": sub.id,
                    "roundNumber": rnd.number,
                    "roundResolveTime": iso(rnd.resolve_time),
                    "roundScoreTime": iso(rnd.score_time),
                    "roundCloseStakingTime": iso(rnd.close_time),
                    "value": e["value"],
                    "percentile": e["percentile"],
                    "displayName": e["displayName"],
                    "version": "1",
                    "date": iso(e["date"]),
                    "day": e["day"],
                    "resolveDate": iso(rnd.resolve_time) if e["resolved"] else None,
                    "resolved": e["resolved"],
                }
            )
    return out


@query.field("v2RoundModelPerformances")
def resolve_round_performances(_, info, modelId, tournament):
    s = sim(info)
    return s.performances(s.tournament.model(modelId).id, tournament)


@query.field("pendingModelPayouts")
def resolve_pending_payouts(_, info, tournament):
    account = caller(info)
    return sim(info).pending_payouts(account, tournament)


@query.field("accountLeaderboard")
@query.field("v2Leaderboard")
@query.field("signalsLeaderboard")
@query.field("cryptosignalsLeaderboard")
def resolve_leaderboard(_, info, limit, offset, tournament=None):
    return []


# ---------------------------------------------------------------------------- staking v3


@query.field("v3StakeAuth")
def resolve_stake_auth(_, info, submissionId, staker, maxAmount):
    account = caller(info)
    return sim(info).stake_auth(account, submissionId, staker, maxAmount)


@query.field("v3StakeConfig")
def resolve_stake_config(_, info):
    caller(info)
    return sim(info).stake_config()


@query.field("v3StakeRound")
def resolve_stake_round(_, info, roundId):
    caller(info)
    return sim(info).stake_round(roundId)


@query.field("v3StakeClaim")
def resolve_stake_claim(_, info, roundId, modelId, staker):
    account = caller(info)
    return sim(info).stake_claim(account, roundId, modelId, staker)


# ---------------------------------------------------------------------------- prices (simulator only)


@query.field("nmrPrices")
def resolve_nmr_prices(_, info, currency, fromDay, toDay):
    try:
        first, last = date.fromisoformat(fromDay), date.fromisoformat(toDay)
        rows = prices.series(currency, first, last)
    except ValueError as exc:
        raise ApiError(f"nmrPrices: {exc}") from None
    return [{"day": d.isoformat(), "price": str(p)} for d, p in rows]


def build_schema() -> GraphQLSchema:
    """The executable schema: `schema.graphql` with the resolvers above."""
    return make_executable_schema(load_schema_from_path(str(SCHEMA_PATH)), query, mutation)
