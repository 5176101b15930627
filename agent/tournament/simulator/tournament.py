"""The synthetic tournament: a clock of daily rounds, accounts and their models, submissions and
their scores, and each round's payout rule. Deterministic from the config's seed and the clock:
a round's live ids and hidden targets come from the seed, and a submission's scores are
correlations of its predictions with those targets, so the same predictions always get the same
scores and different predictions different ones.

No GraphQL and no chain here (see `schema.py` and `onchain.py`); errors are `ApiError`s whose
message is what numerapi shows its user.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from agent.errors import NmrxError
from agent.payouts import (
    CLASSIC_STAKE_THRESHOLD,
    SIGNALS_STAKE_THRESHOLD,
    PayoutRule,
    legacy_payout_factor,
)
from agent.tournament.simulator.config import CLASSIC, SIGNALS, SimulatorConfig

TOURNAMENTS = (CLASSIC, SIGNALS)
# (name, display name, multiplier, scale of the synthetic score) per tournament and regime.
ABS_SCORES = {
    CLASSIC: [("corr60", "CORR60", Decimal(3), 0.1), ("mmc60", "MMC60", Decimal(15), 0.04)],
    SIGNALS: [("corr60", "CORR60", Decimal(2), 0.1), ("mmc60", "MMC60", Decimal(4), 0.04)],
}
LEGACY_SCORES = {
    CLASSIC: [("corr", "CORR20", Decimal("0.5"), 0.1), ("mmc", "MMC", Decimal(2), 0.04)],
    SIGNALS: [("corr", "CORR20", Decimal("0.5"), 0.1), ("mmc", "MMC", Decimal(2), 0.04)],
}
THRESHOLDS = {CLASSIC: CLASSIC_STAKE_THRESHOLD, SIGNALS: SIGNALS_STAKE_THRESHOLD}
COLUMNS = {CLASSIC: ("id", "prediction"), SIGNALS: ("numerai_ticker", "signal")}


class ApiError(NmrxError, ValueError):
    """A request Numerai refuses; the message is Numerai's."""


def invalid_token() -> ApiError:
    return ApiError("Your session is invalid or has expired.")


def missing_scope(scope: str) -> ApiError:
    return ApiError(f"Insufficient permission for {scope}")


def iso(t: datetime | None) -> str | None:
    """ISO-8601 with a Z, as numerapi's date parsing (and check_round_open) needs."""
    return None if t is None else t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def nmr_string(value: Decimal | int, wei: bool = False) -> str:
    """A decimal amount as Numerai writes it: a JSON string with 18 decimals."""
    amount = Decimal(value) / 10**18 if wei else Decimal(value)
    return f"{amount:.18f}"


# ---------------------------------------------------------------------------- clocks


class SystemClock:
    """Wall-clock time, optionally shifted (`advance`) for demonstrations."""

    def __init__(self):
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


class ManualClock(SystemClock):
    """A clock that moves only when told (tests)."""

    def __init__(self, start: datetime):
        super().__init__()
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)


# ---------------------------------------------------------------------------- records


@dataclass
class Token:
    public_id: str
    secret_key: str
    scopes: tuple[str, ...]
    name: str


@dataclass
class Model:
    id: str
    name: str
    tournament: int
    owner: str
    bio: str = ""
    webhook: str | None = None


@dataclass
class Account:
    id: str
    username: str
    wallet: str | None
    inserted_at: datetime
    models: list[Model] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)


@dataclass
class Submission:
    id: str
    model_id: str
    tournament: int
    round: int
    filename: str
    content: bytes
    hash: str  # 0x sha256 of the file's bytes: the submissionHash of stakes on it
    inserted_at: datetime
    predictions: np.ndarray  # aligned with the round's live ids
    download_key: str
    selected: bool = True


@dataclass(frozen=True)
class Round:
    tournament: int
    number: int
    open_time: datetime
    close_time: datetime
    score_time: datetime
    resolve_time: datetime
    days: int
    abs: bool

    @property
    def id(self) -> str:
        return str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"nmrx-simulator/round/{self.tournament}/{self.number}")
        )

    @property
    def scores(self):
        return (ABS_SCORES if self.abs else LEGACY_SCORES)[self.tournament]


@dataclass
class Upload:
    account: str
    model_id: str | None
    tournament: int
    filename: str
    content: bytes | None = None


# ---------------------------------------------------------------------------- the tournament


class Tournament:
    """All off-chain state of the simulated Numerai, guarded by one lock (`lock`)."""

    def __init__(self, config: SimulatorConfig, clock: SystemClock | None = None):
        self.config = config
        self.clock = clock or SystemClock()
        self.genesis = config.start()
        self.lock = threading.RLock()
        self.accounts: dict[str, Account] = {}
        self.models: dict[str, Model] = {}
        self.tokens: dict[tuple[str, str], tuple[Account, Token]] = {}
        self.submissions: dict[str, Submission] = {}
        self.uploads: dict[str, Upload] = {}
        self.downloads: dict[str, Submission] = {}
        self.changed = False  # something `state.py` records changed since the last save
        for spec in config.accounts:
            self.add_account(spec.username, spec.wallet)
            for name in spec.models:
                self.add_model(spec.username, name, CLASSIC)
            for name in spec.signals_models:
                self.add_model(spec.username, name, SIGNALS)
            for t in spec.tokens:
                self.add_token(spec.username, t.public_id, t.secret_key, t.scopes, t.name)

    # ------------------------------------------------------------------ accounts

    def add_account(self, username: str, wallet: str | None = None) -> Account:
        if username in self.accounts:
            raise ApiError(f"username {username} is taken")
        account_id = str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"nmrx-simulator/{self.config.seed}/{username}")
        )
        account = Account(account_id, username, wallet, self.genesis)
        self.accounts[username] = account
        return account

    def add_model(self, username: str, name: str, tournament: int = CLASSIC) -> Model:
        if any(m.name == name for m in self.models.values()):
            raise ApiError(f"model name {name} is taken")
        model = Model(self.config.model_uuid(username, name), name, tournament, username)
        self.models[model.id] = model
        self.accounts[username].models.append(model)
        return model

    def add_token(
        self, username: str, public_id: str, secret_key: str, scopes, name="simulator"
    ) -> Token:
        token = Token(public_id, secret_key, tuple(scopes), name)
        account = self.accounts[username]
        account.tokens.append(token)
        self.tokens[(public_id, secret_key)] = (account, token)
        return token

    def authenticate(self, header: str | None) -> tuple[Account, Token] | None:
        """The account and token of an `Authorization: Token <public_id>$<secret>` header."""
        if not header:
            return None
        scheme, _, credentials = header.partition(" ")
        public_id, _, secret = credentials.partition("$")
        found = self.tokens.get((public_id, secret)) if scheme == "Token" else None
        if found is None:
            raise invalid_token()
        return found

    def model(
        self, model_id: str | None, account: Account | None = None, tournament: int | None = None
    ) -> Model:
        """The model `model_id` (of `account`, when given)."""
        model = self.models.get(str(model_id)) if model_id else None
        if model is None or (account is not None and model.owner != account.username):
            raise ApiError("Model not found")
        if tournament is not None and model.tournament != tournament:
            raise ApiError(f"Model {model.name} is not in tournament {tournament}")
        return model

    def model_by_name(self, name: str | None) -> Model:
        for model in self.models.values():
            if model.name == name or (name and model.name.lower() == name.lower()):
                return model
        raise ApiError("Model not found")

    # ------------------------------------------------------------------ rounds

    def round(self, number: int, tournament: int = CLASSIC) -> Round:
        if tournament not in TOURNAMENTS:
            raise ApiError(f"Tournament {tournament} is not simulated (8: Classic, 11: Signals)")
        c = self.config
        open_time = self.genesis + timedelta(seconds=(number - c.first_round) * c.round_seconds)
        close_time = open_time + timedelta(seconds=c.window)
        return Round(
            tournament,
            number,
            open_time,
            close_time,
            close_time,
            open_time + timedelta(seconds=c.overlap * c.round_seconds),
            c.overlap,
            number >= c.abs_from_round,
        )

    def current_round(self, tournament: int = CLASSIC) -> Round | None:
        """The newest round opened by now (None before the first)."""
        self.round(self.config.first_round, tournament)  # refuses unknown tournaments
        elapsed = (self.clock.now() - self.genesis).total_seconds()
        if elapsed < 0:
            return None
        return self.round(
            self.config.first_round + int(elapsed // self.config.round_seconds), tournament
        )

    def rounds(self, tournament: int = CLASSIC) -> list[Round]:
        """Every round opened so far, newest first."""
        current = self.current_round(tournament)
        if current is None:
            return []
        return [
            self.round(n, tournament)
            for n in range(current.number, self.config.first_round - 1, -1)
        ]

    def is_open(self, rnd: Round) -> bool:
        return rnd.open_time <= self.clock.now() < rnd.close_time

    def is_resolvable(self, rnd: Round) -> bool:
        return self.clock.now() >= rnd.resolve_time

    def days_scored(self, rnd: Round) -> int:
        """Daily scores published so far: day d appears `d - 1` days after the round closes."""
        elapsed = (self.clock.now() - rnd.score_time).total_seconds()
        if elapsed < 0:
            return 0
        return min(rnd.days, int(elapsed // self.config.round_seconds) + 1)

    def payout_rule(self, rnd: Round, total_at_risk: Decimal = Decimal(0)) -> PayoutRule:
        multipliers = {name: m for name, _, m, _ in rnd.scores}
        if rnd.abs:
            return PayoutRule(multipliers, Decimal(1), Decimal(1))
        factor = legacy_payout_factor(total_at_risk, THRESHOLDS[rnd.tournament])
        return PayoutRule(multipliers, Decimal("0.05"), factor)

    def score_configs(self, rnd: Round) -> list[dict]:
        """The round's `roundScoreConfigs`, as numerapi's `list_rounds` reads them."""
        rule = self.payout_rule(rnd)
        configs = []
        for i, (name, display, multiplier, _) in enumerate(rnd.scores):
            config_id = str(
                uuid.uuid5(
                    uuid.NAMESPACE_URL, f"nmrx-simulator/score/{rnd.tournament}/{name}/{rnd.abs}"
                )
            )
            configs.append(
                {
                    "id": config_id,
                    "scoreConfigId": config_id,
                    "roundNumberStart": self.config.abs_from_round if rnd.abs else None,
                    "roundNumberEnd": None if rnd.abs else self.config.abs_from_round - 1,
                    "name": name,
                    "version": "1",
                    "displayName": display,
                    "totalScoreDays": rnd.days,
                    "returnsLagDays": 0,
                    "dataDelayDays": 0,
                    "universe": "classic" if rnd.tournament == CLASSIC else "signals",
                    "isCanonScore": i == 0,
                    "isPayout": True,
                    "scoringStart": iso(rnd.score_time),
                    "scoringEnd": iso(rnd.resolve_time),
                    "minMultiplier": 0.0,
                    "maxMultiplier": float(multiplier),
                    "defaultMultiplier": float(multiplier),
                    "clipThreshold": float(rule.clip),
                    "stakeThreshold": None if rnd.abs else float(THRESHOLDS[rnd.tournament]),
                    "payoutFactor": float(rule.payout_factor),
                }
            )
        return configs

    # ------------------------------------------------------------------ synthetic data

    def _rng(self, *parts) -> np.random.Generator:
        digest = hashlib.sha256("/".join(map(str, (self.config.seed, *parts))).encode()).digest()
        return np.random.default_rng(int.from_bytes(digest[:8], "big"))

    def live_ids(self, rnd: Round) -> list[str]:
        rng = self._rng("ids", rnd.tournament, rnd.number)
        prefix = "n" if rnd.tournament == CLASSIC else "T"
        return [f"{prefix}{v:015x}" for v in rng.integers(0, 2**60, self.config.live_ids)]

    def live_csv(self, rnd: Round) -> bytes:
        key = COLUMNS[rnd.tournament][0]
        return ("\n".join([key, *self.live_ids(rnd)]) + "\n").encode()

    def final_scores(
        self, rnd: Round, predictions: np.ndarray | None, submission_hash: str
    ) -> dict[str, float]:
        """Each payout score of a submission when its round resolves: the rank correlation of its
        predictions with the round's hidden target for that score, scaled to Numerai's range.
        Without the file (a stake on a submission this simulator never saw) the hash alone decides."""
        result = {}
        for name, _, _, scale in rnd.scores:
            if predictions is None:
                value = self._rng(
                    "blind", rnd.tournament, rnd.number, name, submission_hash
                ).uniform(-1, 1)
            else:
                target = self._rng("target", rnd.tournament, rnd.number, name).standard_normal(
                    len(predictions)
                )
                ranks = pd.Series(predictions).rank().to_numpy()
                value = 0.0 if np.std(ranks) == 0 else float(np.corrcoef(ranks, target)[0, 1])
            result[name] = round(value * scale, 6)
        return result

    def submission_final_scores(self, sub: Submission) -> dict[str, float]:
        return self.final_scores(self.round(sub.round, sub.tournament), sub.predictions, sub.hash)

    def daily_scores(self, sub: Submission) -> list[dict]:
        """The daily score entries published so far (the last day's value is the final score)."""
        rnd = self.round(sub.round, sub.tournament)
        final = self.submission_final_scores(sub)
        days = self.days_scored(rnd)
        entries = []
        for day in range(1, days + 1):
            for name, display, _, scale in rnd.scores:
                value = round(final[name] * day / rnd.days, 6)
                entries.append(
                    {
                        "name": name,
                        "displayName": display,
                        "day": day,
                        "date": rnd.score_time
                        + timedelta(seconds=(day - 1) * self.config.round_seconds),
                        "value": value,
                        "percentile": round(min(1.0, max(0.0, 0.5 + value / (2 * scale))), 6),
                        "resolved": day == rnd.days,
                    }
                )
        return entries

    # ------------------------------------------------------------------ submissions

    def upload_auth(
        self, account: Account, filename: str, tournament: int, model_id: str | None
    ) -> str:
        """Start an upload: the key of a one-time PUT URL."""
        model = (
            self.model(model_id, account, tournament)
            if model_id
            else self._only_model(account, tournament)
        )
        key = secrets.token_urlsafe(16)
        self.uploads[key] = Upload(account.username, model.id, tournament, filename)
        return key

    def _only_model(self, account: Account, tournament: int) -> Model:
        models = [m for m in account.models if m.tournament == tournament]
        if len(models) != 1:
            raise ApiError("modelId is required for accounts with several models")
        return models[0]

    def put_upload(self, key: str, content: bytes) -> bool:
        upload = self.uploads.get(key)
        if upload is None or upload.content is not None:
            return False
        upload.content = content
        return True

    def create_submission(
        self, account: Account, key: str, tournament: int, model_id: str | None
    ) -> Submission:
        """Validate an uploaded file against the open round and record it as the model's submission."""
        upload = self.uploads.get(key)
        if upload is None or upload.account != account.username:
            raise ApiError("Upload not found; request a new upload URL")
        if upload.content is None:
            raise ApiError("The file was not uploaded; PUT it to the upload URL first")
        model = self.model(model_id or upload.model_id, account, tournament)
        rnd = self.current_round(tournament)
        if rnd is None or not self.is_open(rnd):
            number = "" if rnd is None else f" {rnd.number}"
            raise ApiError(
                f"Round{number} is closed for submissions; wait for the next round to open"
            )
        predictions = self._validate(upload.content, rnd)
        del self.uploads[key]
        for old in self.submissions.values():
            if (
                old.model_id == model.id
                and old.round == rnd.number
                and old.tournament == tournament
            ):
                old.selected = False
        sub = Submission(
            id=str(uuid.uuid4()),
            model_id=model.id,
            tournament=tournament,
            round=rnd.number,
            filename=upload.filename,
            content=upload.content,
            hash="0x" + hashlib.sha256(upload.content).hexdigest(),
            inserted_at=self.clock.now(),
            predictions=predictions,
            download_key=secrets.token_urlsafe(16),
        )
        self.submissions[sub.id] = sub
        self.downloads[sub.download_key] = sub
        self.changed = True
        return sub

    def _validate(self, content: bytes, rnd: Round) -> np.ndarray:
        key, column = COLUMNS[rnd.tournament]
        try:
            frame = pd.read_csv(io.BytesIO(content))
        except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise ApiError(f"Invalid submission file: not a CSV ({exc})") from None
        if key not in frame.columns or column not in frame.columns:
            raise ApiError(f"Invalid submission file: it needs the columns '{key}' and '{column}'")
        ids = self.live_ids(rnd)
        frame = frame.drop_duplicates(subset=key, keep="last").set_index(key)
        missing = set(ids) - set(frame.index.astype(str))
        if missing:
            raise ApiError(
                f"Invalid submission file: {len(missing)} of round {rnd.number}'s {len(ids)} live ids are missing"
            )
        values = pd.to_numeric(frame.loc[ids, column], errors="coerce").to_numpy(dtype=float)
        if np.isnan(values).any() or (values < 0).any() or (values > 1).any():
            raise ApiError(
                f"Invalid submission file: every '{column}' must be a number between 0 and 1"
            )
        return values

    def selected_submission(self, model_id: str, rnd: Round) -> Submission | None:
        for sub in self.submissions.values():
            if (
                sub.model_id == model_id
                and sub.round == rnd.number
                and sub.tournament == rnd.tournament
                and sub.selected
            ):
                return sub
        return None

    def submission_by_hash(
        self, model_id: str, round_number: int, submission_hash: str
    ) -> Submission | None:
        for sub in self.submissions.values():
            if (
                sub.model_id == model_id
                and sub.round == round_number
                and sub.hash == submission_hash.lower()
            ):
                return sub
        return None

    def model_submissions(self, model_id: str) -> list[Submission]:
        return sorted(
            (s for s in self.submissions.values() if s.model_id == model_id),
            key=lambda s: s.inserted_at,
        )
