"""The simulator's memory across restarts: one JSON file with the clock's genesis, submissions
(files included), bios and webhooks, and each resolved round's results.

The chain keeps positions across a restart of `make run`; without this file a restarted
simulator would renumber its rounds from a new genesis, lose the files its positions back, and
try to resolve rounds it had already posted.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from agent.payouts import PayoutRule, RoundResult, RoundTree
from agent.tournament.simulator.onchain import Position
from agent.tournament.simulator.tournament import ApiError, Submission, Tournament

log = logging.getLogger(__name__)
VERSION = 1


def dump(simulator) -> dict:
    t: Tournament = simulator.tournament
    return {
        "version": VERSION,
        "seed": simulator.config.seed,
        "genesis": t.genesis.isoformat(),
        "models": {m.id: {"bio": m.bio, "webhook": m.webhook} for m in t.models.values()},
        "submissions": [
            {
                "id": s.id,
                "model_id": s.model_id,
                "tournament": s.tournament,
                "round": s.round,
                "filename": s.filename,
                "content": base64.b64encode(s.content).decode(),
                "inserted_at": s.inserted_at.isoformat(),
                "download_key": s.download_key,
                "selected": s.selected,
            }
            for s in t.submissions.values()
        ],
        "resolutions": {
            str(n): {
                "time": r.time.isoformat(),
                "rule": {
                    "multipliers": {k: str(v) for k, v in r.rule.multipliers.items()},
                    "clip": str(r.rule.clip),
                    "payout_factor": str(r.rule.payout_factor),
                },
                "positions": [
                    [p.staker, p.model_id, str(p.amount), p.submission_hash] for p in r.positions
                ],
                "scores": r.scores,
                "results": [
                    [x.staker, x.model_id, str(x.payout), str(x.burn)] for x in r.tree.results
                ]
                if r.tree
                else None,
                "resolved_at": r.resolved_at,
                "finalized": sorted(r.finalized),
            }
            for n, r in simulator.resolutions.items()
        },
    }


def save(simulator, path: Path) -> None:
    """Write the state atomically (a crash mid-write leaves the previous file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    partial.write_text(json.dumps(dump(simulator)))
    os.replace(partial, path)


def genesis_of(path: Path | None, seed: int) -> datetime | None:
    """The genesis recorded in `path` for this seed, if any."""
    data = _read(path)
    if not data or data.get("seed") != seed:
        return None
    return datetime.fromisoformat(data["genesis"])


def load(simulator, path: Path | None) -> None:
    """Restore what `path` recorded (for models this config still has)."""
    from agent.tournament.simulator.simulator import Resolution

    data = _read(path)
    if not data or data.get("seed") != simulator.config.seed:
        return
    t = simulator.tournament
    for model_id, extra in data["models"].items():
        if model_id in t.models:
            t.models[model_id].bio = extra["bio"]
            t.models[model_id].webhook = extra["webhook"]
    for raw in data["submissions"]:
        if raw["model_id"] not in t.models:
            continue
        content = base64.b64decode(raw["content"])
        rnd = t.round(raw["round"], raw["tournament"])
        try:
            predictions = t._validate(content, rnd)
        except ApiError:
            continue
        sub = Submission(
            raw["id"],
            raw["model_id"],
            raw["tournament"],
            raw["round"],
            raw["filename"],
            content,
            "0x" + hashlib.sha256(content).hexdigest(),
            datetime.fromisoformat(raw["inserted_at"]),
            predictions,
            raw["download_key"],
            raw["selected"],
        )
        t.submissions[sub.id] = sub
        t.downloads[sub.download_key] = sub
    for number, raw in data["resolutions"].items():
        number = int(number)
        rule = PayoutRule(
            {k: Decimal(v) for k, v in raw["rule"]["multipliers"].items()},
            Decimal(raw["rule"]["clip"]),
            Decimal(raw["rule"]["payout_factor"]),
        )
        positions = [Position(number, s, m, int(a), h) for s, m, a, h in raw["positions"]]
        res = Resolution(
            number, datetime.fromisoformat(raw["time"]), rule, positions, raw["scores"]
        )
        if raw["results"]:
            res.tree = RoundTree(
                number, [RoundResult(number, s, m, int(p), int(b)) for s, m, p, b in raw["results"]]
            )
        res.resolved_at = raw["resolved_at"]
        res.finalized = set(raw["finalized"])
        simulator.resolutions[number] = res
    log.info("simulator state restored from %s", path)


def _read(path: Path | None) -> dict | None:
    if path is None or not Path(path).exists():
        return None
    try:
        data = json.loads(Path(path).read_text())
    except json.JSONDecodeError:
        log.warning("%s is not valid JSON; starting from a fresh state", path)
        return None
    return data if data.get("version") == VERSION else None
