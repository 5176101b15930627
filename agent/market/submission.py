"""STAKE-mode delivery, the parts that need no Numerai connection: the upload's random filename
and the hash the buyer's position must back.

The thread's timing attack (the buyer replacing the auto-submitted file between the agent's
upload and its check) is settled by the hash on the buyer's position (`agent.verify.consistency`);
the random filename suffix adds what the thread proposed on top: the agent can tell its own upload
apart in the slot's submission list, since no one else knows the name before it appears.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass

from agent.errors import NmrxError
from agent.verify.predictions import parse_predictions

#: 64 random bits: unguessable for the few minutes between upload and check.
SUFFIX_BYTES = 8
_NAME = re.compile(r"nmrx_r(\d+)_([0-9a-f]{16})\.csv")


class InvalidSubmissionName(NmrxError, ValueError):
    """A filename that is not one the agent generated."""


@dataclass(frozen=True)
class StakeUpload:
    """A validated file ready for ``numerapi.upload_predictions`` to the buyer's slot."""

    filename: str
    data: bytes
    prediction_hash: bytes  # canonical hash: what the buyer's position must back

    def __repr__(self) -> str:
        # Never the predictions themselves: in STAKE mode the buyer must not see them.
        return (f"StakeUpload({self.filename!r}, {len(self.data)} bytes, "
                f"0x{self.prediction_hash.hex()})")


def submission_filename(round_number: int) -> str:
    """``nmrx_r<round>_<16 random hex>.csv``: a fresh, unguessable upload name."""
    if round_number < 0:
        raise InvalidSubmissionName(f"round {round_number} is negative; use the round's number")
    return f"nmrx_r{round_number}_{secrets.token_hex(SUFFIX_BYTES)}.csv"


def parse_submission_filename(filename: str) -> tuple[int, str]:
    """(round, suffix) of a name from `submission_filename`. Numerai may prefix or rename
    stored files, so only the last path component is read."""
    match = _NAME.fullmatch(filename.rsplit("/", 1)[-1])
    if match is None:
        raise InvalidSubmissionName(f"{filename!r} is not an nmrx upload name")
    return int(match.group(1)), match.group(2)


def prepare_stake_upload(file_bytes: bytes, round_number: int,
                         live_ids: Collection[str] | None = None) -> StakeUpload:
    """Validate the seller's file for the round and name it for upload to a buyer's slot.
    Raises `InvalidPredictionFile` before anything is uploaded."""
    parsed = parse_predictions(file_bytes, live_ids)
    return StakeUpload(submission_filename(round_number), file_bytes, parsed.hash)
