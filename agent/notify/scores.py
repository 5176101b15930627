"""Daily scores as notifications: Numerai publishes a score for each live round every day; the
agent reads the newest day of each of its delegated models' recent rounds (one numerapi
`submission_scores` call per model, under the owner's delegated key, from a background task,
never per request) and stores one `scores.daily` notification per (model, round, day), for the
model's owner. The key makes reading the same day again harmless."""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable


from agent.notify.derive import Note, Notifier
from agent.tournament.client import NumeraiError

log = logging.getLogger(__name__)


class DailyScores:
    """Reads daily scores for the models of `delegations` (agent.staking.Delegations) through
    `client_for(model) -> NumeraiClient` and hands them to `notifier` to store and fan out."""

    def __init__(self, notifier: Notifier, delegations, client_for: Callable, *,
                 rounds: int = 8, clock: Callable[[], float] = time.time):
        self.notifier, self.delegations, self.client_for = notifier, delegations, client_for
        self.rounds, self.clock = rounds, clock

    def poll(self) -> int:
        """Store the newest score day of each recent round; returns how many were new."""
        notes = []
        for d in self.delegations.models():
            try:
                entries = self.client_for(d.model).scores(
                    d.uuid, last_n_rounds=self.rounds, distinct_on_round=True)
            except NumeraiError as exc:  # one model's failure skips only that model
                log.warning("scores.unavailable %s", json.dumps(
                    {"model": d.model, "error": f"{type(exc).__name__}: {exc}"}))
                continue
            notes.extend(self.notes(d.model, d.owner, entries or []))
        if not notes:
            return 0
        with self.notifier.store.begin() as conn:
            return self.notifier._insert(conn, notes)

    @staticmethod
    def notes(model: str, owner: str, entries: list[dict]) -> list[Note]:
        by_day: dict[tuple[int, int], dict] = defaultdict(dict)
        meta: dict[tuple[int, int], dict] = {}
        for e in entries:
            if e.get("day") is None or e.get("roundNumber") is None:
                continue
            at = (int(e["roundNumber"]), int(e["day"]))
            by_day[at][e["displayName"]] = e.get("value")
            meta[at] = {"date": str(e.get("date")), "resolved": bool(e.get("resolved"))}
        return [
            Note(f"scores:{model}:{round_}:{day}", "scores.daily", (owner.lower(),),
                 {"model": model, "round": round_, "day": day, "scores": scores,
                  **meta[(round_, day)]})
            for (round_, day), scores in sorted(by_day.items())
        ]


