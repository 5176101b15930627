"""Daily scores become `scores.daily` notifications for the model's owner, read from the
tournament simulator through numerapi under the owner's delegated key; each day once."""

from sqlalchemy import select

from agent.notify import DailyScores, Notifier
from agent.notify.schema import notifications, webhook_deliveries

from .conftest import local


def test_daily_scores_are_notified_once_per_day(make_setup, stack_for, sqlite_url, alice):
    setup = make_setup({"alice": 1}, [alice], sqlite_url)
    s = stack_for(sqlite_url)  # the API on the same store
    (model,) = setup.models["alice"]
    hook = s.client.post("/v1/webhooks", json=s.signed(local(alice), "webhooks.create", {
        "url": "http://127.0.0.1:9/x", "kinds": ["scores.daily"], "secret": "s" * 20}))
    assert hook.status_code == 201, hook.text
    scores = DailyScores(Notifier(setup.store), setup.delegations, setup.agent.client)
    assert scores.poll() == 0  # nothing scored yet

    setup.resolve(days=3)
    new = scores.poll()
    assert new >= 1
    with setup.store.engine.connect() as c:
        rows = c.execute(select(notifications).where(notifications.c.kind == "scores.daily")
                         ).all()
        planned = c.execute(select(webhook_deliveries)).all()
    assert len(rows) == new and len(planned) == new
    note = rows[-1]
    assert note.addresses == [alice.address.lower()]
    assert note.data["model"] == model and note.data["day"] >= 1 and note.data["scores"]
    assert scores.poll() == 0  # the same day is not told twice

    # nor after a restart (the keys are in the store)
    again = DailyScores(Notifier(setup.store), setup.delegations, setup.agent.client)
    assert again.poll() == 0
