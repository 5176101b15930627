"""nmrx's only way to Numerai: numerapi (`NumerAPI`, `SignalsAPI` for tournament 11), with the
endpoint configurable (the simulator locally) and keys from `NUMERAI_PUBLIC_ID` /
`NUMERAI_SECRET_KEY`, as numerapi's users expect. numerapi's failures become one-line
`NumeraiError`s that say what to do next.

numerapi reads its endpoint from the module global `numerapi.base_api.API_TOURNAMENT_URL` at every
call, so pointing one client at a URL points every numerapi instance in the process there.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

import numerapi
from numerapi import base_api

from agent.errors import NmrxError

CLASSIC, SIGNALS = 8, 11
NUMERAI_URL = "https://api-tournament.numer.ai"
T = TypeVar("T")


class NumeraiError(NmrxError, RuntimeError):
    """Numerai (or the simulator) refused or did not answer; the message says why in one line."""


class MissingKeys(NumeraiError):
    """No API keys were given for a call that needs them."""


class InvalidKeys(NumeraiError):
    """Numerai does not know the key pair."""


class MissingScope(NumeraiError):
    """The key lacks a scope the call needs."""

    def __init__(self, scope: str):
        super().__init__(
            f"the Numerai API key lacks the '{scope}' scope; create a key with it "
            "(numer.ai → Account → API keys) and set NUMERAI_PUBLIC_ID / NUMERAI_SECRET_KEY"
        )
        self.scope = scope


class UnknownModel(NumeraiError):
    """The model does not exist or is not the key owner's."""


class RoundClosed(NumeraiError):
    """The round no longer takes submissions or stakes."""


class Unreachable(NumeraiError):
    """Nothing answered at the endpoint, or it did not answer like Numerai."""


def translate(exc: Exception, url: str, what: str) -> NumeraiError:
    """The one-line error for a numerapi failure while doing `what`."""
    message = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, KeyError):
        # numerapi reads ['data'] from an empty dict when the POST failed (refused, 4xx, not JSON).
        return Unreachable(
            f"Numerai at {url} did not answer {what}; is it running (nmrx simulator) and the URL right?"
        )
    if message == "API keys required for this action.":
        return MissingKeys(
            f"{what} needs Numerai API keys: set NUMERAI_PUBLIC_ID and NUMERAI_SECRET_KEY"
        )
    scope = re.match(r"Insufficient permission for (\w+)", message)
    if scope:
        return MissingScope(scope.group(1))
    if "session is invalid" in message or "invalid api key" in message.lower():
        return InvalidKeys(
            f"Numerai refused the API key ({message}); check NUMERAI_PUBLIC_ID / NUMERAI_SECRET_KEY"
        )
    if "model not found" in message.lower():
        return UnknownModel(f"{what}: Numerai knows no such model of this account ({message})")
    if "closed" in message.lower():
        return RoundClosed(f"{what}: {message}")
    return NumeraiError(f"{what}: {message}")


class NumeraiClient:
    """numerapi for one tournament, at one endpoint, with one key pair."""

    def __init__(
        self,
        url: str | None = None,
        public_id: str | None = None,
        secret_key: str | None = None,
        tournament: int = CLASSIC,
    ):
        self.url = url or os.environ.get("NMRX_NUMERAI_API_URL") or NUMERAI_URL
        public_id = public_id or os.environ.get("NUMERAI_PUBLIC_ID")
        secret_key = secret_key or os.environ.get("NUMERAI_SECRET_KEY")
        cls = numerapi.SignalsAPI if tournament == SIGNALS else numerapi.NumerAPI
        self.api = cls(public_id, secret_key, verbosity="CRITICAL", show_progress_bars=False)
        self.tournament = tournament

    def _call(self, what: str, fn: Callable[..., T], *args, **kwargs) -> T:
        base_api.API_TOURNAMENT_URL = self.url
        try:
            return fn(*args, **kwargs)
        except (ValueError, KeyError, TypeError) as exc:
            raise translate(exc, self.url, what) from exc

    # ------------------------------------------------------------------ account and models

    def account(self) -> dict:
        return self._call("reading the account", self.api.get_account)

    def models(self) -> dict[str, str]:
        """{model name: model id} of this tournament."""
        return self._call("listing models", self.api.get_models, self.tournament)

    def model_id(self, name: str) -> str:
        models = self.models()
        if name not in models:
            raise UnknownModel(
                f"the account has no model named {name!r} (it has: {', '.join(sorted(models)) or 'none'})"
            )
        return models[name]

    def profile(self, model_name: str) -> dict:
        """A model's public profile, `bio` included (no key needed)."""
        return self._call(
            f"reading the profile of {model_name}", self.api.public_user_profile, model_name
        )

    def set_bio(self, model_id: str, bio: str) -> bool:
        return self._call("setting the bio", self.api.set_bio, model_id, bio)

    # ------------------------------------------------------------------ rounds

    def current_round(self) -> int | None:
        return self._call("reading the current round", self.api.get_current_round)

    def round_open(self) -> bool:
        return self._call("checking the round", self.api.check_round_open)

    def rounds(self, **filters) -> list[dict]:
        return self._call("listing rounds", self.api.list_rounds, **filters)

    # ------------------------------------------------------------------ submissions and results

    def upload(self, model_id: str, file_path: str | None = None, df=None) -> str:
        kwargs = {"model_id": model_id, "df": df}
        if file_path:
            kwargs["file_path"] = file_path
        return self._call("uploading predictions", self.api.upload_predictions, **kwargs)

    def submissions(self, model_id: str) -> list[dict]:
        return self._call("listing submissions", self.api.submission_ids, model_id)

    def scores(self, model_id: str, **filters) -> list[dict]:
        return self._call("reading scores", self.api.submission_scores, model_id, **filters)

    def download(self, filename: str, dest_path: str, round_number: int | None = None) -> str:
        """Download one of the round's dataset files (e.g. its live ids) to `dest_path`."""
        return self._call(
            f"downloading {filename}" + (f" of round {round_number}" if round_number else ""),
            self.api.download_dataset, filename, dest_path, round_num=round_number,
        )

    def payouts(self) -> dict:
        """{"actual": [...], "pending": [...]} per model and round, `payoutNmr` as Decimal."""
        return self._call("reading payouts", self.api.pending_model_payouts, self.tournament)

    # ------------------------------------------------------------------ staking v3

    def stake_config(self) -> dict:
        return self._call("reading the staking config", self.api.v3_stake_config)

    def stake_auth(self, submission_id: str, staker: str, max_amount: Decimal | str) -> dict:
        """Numerai's signed authorization to stake up to `max_amount` NMR (maxAmount comes back in wei)."""
        return self._call(
            "requesting a stake authorization",
            self.api.v3_stake_auth,
            submission_id,
            staker,
            max_amount=str(max_amount),
        )

    def stake_round(self, round_number: int) -> dict:
        return self._call(
            f"reading round {round_number}'s stakes", self.api.v3_stake_round, round_number
        )

    def stake_claim(self, round_number: int, model_id: str, staker: str) -> dict:
        """The leaf (payout, burn in wei) and proof of `staker`'s position on `model_id`."""
        return self._call(
            f"fetching round {round_number}'s claim",
            self.api.v3_stake_claim,
            round_number,
            model_id,
            staker,
        )
