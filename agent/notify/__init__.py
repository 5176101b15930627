"""Notifications: derived from the store (`derive.Notifier`), pushed to webhooks
(`webhooks.WebhookSender`) and streamed over server-sent events (agent/api/routes/events.py).

`install(core, ...)` runs the notifier and the webhook sender as tasks of an `AgentCore`;
`Worker` runs them in a thread of their own (an API-only process, the tests); `serve` wires
all of it into `nmrx run`.
"""

from __future__ import annotations

import logging
import threading
import time

from agent.notify.derive import KINDS, Notifier, pool_owners
from agent.notify.scores import DailyScores
from agent.notify.webhooks import WebhookSender, sign, verify

log = logging.getLogger(__name__)


def install(core, notifier: Notifier, sender: WebhookSender, *, every: float = 1.0,
            scores: DailyScores | None = None, scores_every: float = 900.0) -> None:
    """Add the notifier, the webhook sender (and the daily-scores reader) to an AgentCore."""
    core.life.every(every, notifier.poll, name="notify:derive")
    if scores is not None:
        core.life.every(scores_every, scores.poll, name="notify:scores")
    core.life.every(every, sender.run_once, name="notify:webhooks")
    core.life.on_shutdown(sender.close)


def serve(app, core, staking, *, registry: str, ownership=None, every: float = 1.0):
    """Wire the write API and the notifications into a running stack (`nmrx run`): the app's
    write context (`app.state.writes`) on the core's store, and the notifier, webhook sender and
    daily-scores reader as tasks of the core that runs `staking` (an `agent.staking.StakingAgent`).
    Returns the `Writes`."""
    from agent.api.auth import Writes

    vault = staking.delegations.vault  # the same master key seals Numerai keys and webhook secrets
    writes = Writes(core.store, staking.chain_id, registry, staking=staking, ownership=ownership,
                    vault=vault)
    app.state.writes = writes
    notifier = Notifier(core.store, owners=pool_owners(staking.pool))
    scores = DailyScores(notifier, staking.delegations, staking.client)
    install(core, notifier, WebhookSender(core.store, vault), every=every, scores=scores)
    return writes


class Worker:
    """The notifier and the webhook sender in a daemon thread, every `every` seconds."""

    def __init__(self, notifier: Notifier, sender: WebhookSender | None, every: float = 0.5,
                 scores: DailyScores | None = None, scores_every: float = 900.0):
        self.notifier, self.sender, self.every = notifier, sender, every
        self.scores, self.scores_every, self._scores_at = scores, scores_every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nmrx-notify", daemon=True)

    def start(self) -> "Worker":
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.notifier.poll()
                if self.sender is not None:
                    self.sender.run_once()
                if self.scores is not None and time.monotonic() >= self._scores_at:
                    self._scores_at = time.monotonic() + self.scores_every
                    self.scores.poll()
            except Exception:  # a failed poll is retried on the next tick; never silent
                log.exception("notify.tick_failed")
            self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        if self.sender is not None:
            self.sender.close()


__all__ = ["KINDS", "DailyScores", "Notifier", "WebhookSender", "Worker", "install",
           "pool_owners", "serve", "sign", "verify"]
