"""Notifications: derived from the store (`derive.Notifier`), pushed to webhooks
(`webhooks.WebhookSender`) and streamed over server-sent events (agent/api/routes/events.py).

`install(core, ...)` runs the notifier and the webhook sender as tasks of an `AgentCore`;
`Worker` runs them in a thread of their own (an API-only process, the tests).
"""

from __future__ import annotations

import logging
import threading

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


class Worker:
    """The notifier and the webhook sender in a daemon thread, every `every` seconds."""

    def __init__(self, notifier: Notifier, sender: WebhookSender | None, every: float = 0.5):
        self.notifier, self.sender, self.every = notifier, sender, every
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
            except Exception:  # a failed poll is retried on the next tick; never silent
                log.exception("notify.tick_failed")
            self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        if self.sender is not None:
            self.sender.close()


__all__ = ["KINDS", "DailyScores", "Notifier", "WebhookSender", "Worker", "install", "pool_owners", "sign",
           "verify"]
