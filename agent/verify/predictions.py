"""Canonical form and hash of a Numerai prediction file.

Two files holding the same predictions as Numerai reads them (id → double) get the same hash;
files holding different predictions never do (short of a keccak256 collision). That is what lets
a delivery hash, a buyer's on-chain position hash and a seller's own submission hash be compared
byte for byte. (Files whose predictions differ but rank alike may still score alike: that is for
score comparison, `agent.verify.consistency`, not for the hash.)

The rules (documented here because they are the contract every party must reproduce):

File
    UTF-8 text (a leading BOM is ignored), CSV as Python's `csv` module reads it: fields may be
    quoted, lines may end in LF or CRLF, blank lines (a trailing newline included) are ignored,
    spaces after a comma and around an unquoted field are ignored (a space after a closing
    quote is invalid CSV and refused). Columns are separated by commas (a tab- or
    semicolon-separated file is refused with that hint).
Header
    Exactly two columns. One is named ``id``; the other holds the predictions. Numerai's docs
    write ``prediction``; older example scripts wrote ``prediction_<tournament>`` (e.g.
    ``prediction_kazutsugi``). Numerai's validator is not reachable from here to pin down which
    names it takes, so any non-empty name is accepted for that column and the name does not
    enter the hash. The columns may come in either order. Anything else — a third column (an
    ``era``, or a pandas ``Unnamed: 0`` index), an empty header cell, no ``id`` column — is
    refused rather than guessed at.
Rows
    ids are non-empty and contain no whitespace, comma, quote or control character (Numerai ids
    are short alphanumeric strings, so this refuses nothing real and keeps the canonical form
    unambiguous). Each id appears once. Predictions are decimal numbers (``0.5``, ``.5``, ``5e-1``,
    ``+0.50``; no ``nan``, ``inf``, hex or ``1_0``) between 0 and 1 inclusive, as Numerai's docs
    ask. When the round's live ids are given, the file must hold exactly those ids.
Canonical form
    ``id,prediction\\n`` then one ``<id>,<value>\\n`` line per row in ascending id order (Python
    string order, which is the UTF-8 byte order), where ``<value>`` is ``repr(float(text))``:
    the shortest decimal that reads back as the same IEEE-754 double. Numerai reads predictions
    as doubles, so two spellings of one double (``0.5``, ``0.50``, ``5e-1``,
    ``0.50000000000000000001``) are one prediction, and two different doubles are two. ``-0.0``
    is written ``0.0``.
Hash
    keccak256 of the canonical form, as 32 bytes: directly usable as the ``bytes32`` submission
    or delivery hash on-chain (`hash_hex` gives the ``0x`` form web3 takes).
"""

from __future__ import annotations

import csv
import io
import math
import random
import re
import time
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cached_property

from eth_utils import keccak

from agent.errors import NmrxError

#: A live Numerai Classic file is ~5,000 rows (~150 kB); 64 MiB leaves room for any tournament
#: while keeping a hostile upload from exhausting the agent's memory.
MAX_FILE_BYTES = 64 * 1024 * 1024
ID_COLUMN = "id"
CANONICAL_HEADER = b"id,prediction\n"

# A plain decimal: what every CSV writer emits for a float. float() alone would also take
# "nan", "infinity", "1_000" and surrounding whitespace, which Numerai's parser does not.
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_BAD_ID_CHAR = re.compile(r"[\s,\"'\x00-\x1f\x7f]")
_EXAMPLES = 3


class InvalidPredictionFile(NmrxError, ValueError):
    """A file that is not a valid Numerai prediction file (for the round, when ids are given)."""


@dataclass(frozen=True)
class PredictionFile:
    """A parsed, validated prediction file in canonical order."""

    ids: tuple[str, ...]
    values: tuple[float, ...]
    prediction_column: str

    def __len__(self) -> int:
        return len(self.ids)

    def as_dict(self) -> dict[str, float]:
        """The predictions by id."""
        return dict(zip(self.ids, self.values))

    def canonical_bytes(self) -> bytes:
        """The canonical form (see the module docstring) that the hash is taken over."""
        return self._canonical

    @cached_property
    def _canonical(self) -> bytes:
        lines = [CANONICAL_HEADER]
        lines.extend(f"{i},{_canonical_value(v)}\n".encode() for i, v in zip(self.ids, self.values))
        return b"".join(lines)

    @cached_property
    def hash(self) -> bytes:
        """keccak256 of the canonical form: the file's bytes32 for the chain."""
        return keccak(self.canonical_bytes())

    @property
    def hash_hex(self) -> str:
        """`hash` as 0x-prefixed hex."""
        return "0x" + self.hash.hex()


def parse_predictions(data: bytes | str, live_ids: Collection[str] | None = None) -> PredictionFile:
    """Parse and validate a prediction CSV; with `live_ids`, also check it covers exactly the
    round's live ids. Raises `InvalidPredictionFile` saying what is wrong and how to fix it."""
    rows = _read_rows(data)
    if not rows:
        raise InvalidPredictionFile(
            "the prediction file is empty; upload a CSV with a header 'id,prediction' and one row "
            "per live id"
        )
    (header_line, header), body = rows[0], rows[1:]
    id_col, prediction_column = _read_header(header, header_line)
    if not body:
        raise InvalidPredictionFile(
            "the prediction file has a header but no rows; add one 'id,prediction' row per live id"
        )
    by_id: dict[str, float] = {}
    duplicates: Counter[str] = Counter()
    for line, fields in body:
        if len(fields) != 2:
            raise InvalidPredictionFile(
                f"line {line} has {len(fields)} fields, expected 2 (id and prediction); "
                "check for a missing value or an unquoted comma"
            )
        raw_id, raw_value = fields[id_col].strip(), fields[1 - id_col].strip()
        _check_id(raw_id, line)
        value = _parse_value(raw_value, raw_id, line)
        if raw_id in by_id:
            duplicates[raw_id] += 1
        by_id[raw_id] = value
    if duplicates:
        raise InvalidPredictionFile(
            f"{sum(duplicates.values())} duplicate id row(s), e.g. {_examples(duplicates)}; "
            "keep exactly one prediction per id"
        )
    if live_ids is not None:
        _check_live_ids(by_id.keys(), live_ids)
    ordered = sorted(by_id)
    return PredictionFile(tuple(ordered), tuple(by_id[i] for i in ordered), prediction_column)


def canonical_bytes(data: bytes | str, live_ids: Collection[str] | None = None) -> bytes:
    """The canonical form of a prediction file (validated first)."""
    return parse_predictions(data, live_ids).canonical_bytes()


def prediction_hash(data: bytes | str, live_ids: Collection[str] | None = None) -> bytes:
    """keccak256 of the file's canonical form: the 32-byte hash to compare and post on-chain."""
    return parse_predictions(data, live_ids).hash


def prediction_hash_hex(data: bytes | str, live_ids: Collection[str] | None = None) -> str:
    """`prediction_hash` as 0x-prefixed hex."""
    return parse_predictions(data, live_ids).hash_hex


def write_predictions(predictions: dict[str, float] | Iterable[tuple[str, float]]) -> bytes:
    """A prediction CSV (header ``id,prediction``, LF endings) for `predictions`, in the given
    order: what a model's script would upload."""
    items = predictions.items() if isinstance(predictions, dict) else predictions
    out = ["id,prediction\n"]
    out.extend(f"{i},{v!r}\n" for i, v in items)
    return "".join(out).encode()


def synthetic_predictions(rows: int = 5000, seed: int = 0) -> dict[str, float]:
    """Deterministic Numerai-shaped predictions (ids like ``n0123abcd...``, values in [0, 1])
    for tests and benchmarks."""
    rng = random.Random(seed)
    return {f"n{rng.getrandbits(60):015x}": rng.random() for _ in range(rows)}


def measure_hash_throughput(rows: int = 5000, repeats: int = 20, seed: int = 0) -> dict:
    """Time `prediction_hash` (with live-id validation) on a synthetic `rows`-row file, for
    ``scripts/bench_agent.py``. Returns rows, bytes, best and median seconds per file, and
    rows/s and MB/s at the median."""
    predictions = synthetic_predictions(rows, seed)
    data, live_ids = write_predictions(predictions), set(predictions)
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        prediction_hash(data, live_ids)
        timings.append(time.perf_counter() - start)
    timings.sort()
    median = timings[len(timings) // 2]
    return {
        "rows": rows,
        "bytes": len(data),
        "best_s": timings[0],
        "median_s": median,
        "rows_per_s": rows / median,
        "mb_per_s": len(data) / median / 1e6,
    }


def _read_rows(data: bytes | str) -> list[tuple[int, list[str]]]:
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise InvalidPredictionFile(
                f"the prediction file is {len(data):,} bytes, more than the {MAX_FILE_BYTES:,} "
                "allowed; upload only the live ids' predictions"
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidPredictionFile(
                f"the prediction file is not UTF-8 text (byte {exc.start}); save it as CSV "
                "(UTF-8), not a spreadsheet or parquet file"
            ) from None
    else:
        text = data.removeprefix("\ufeff")
    if "\x00" in text:
        raise InvalidPredictionFile("the prediction file contains NUL bytes; save it as plain CSV")
    # skipinitialspace: `id, "prediction"` is a quoted field after a space, not a field with quotes.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, skipinitialspace=True)
    rows = []
    try:
        for fields in reader:
            # A blank line (the trailing newline, or stray ones) carries no row.
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            rows.append((reader.line_num, fields))
    except csv.Error as exc:
        raise InvalidPredictionFile(
            f"line {reader.line_num} is not valid CSV ({exc}); check its quotes"
        ) from None
    return rows


def _read_header(header: list[str], line: int) -> tuple[int, str]:
    names = [name.strip() for name in header]
    shown = ",".join(names)
    if len(names) == 1 and any(sep in names[0] for sep in "\t;|"):
        raise InvalidPredictionFile(
            f"the header (line {line}) '{names[0]}' is not comma-separated; save the file as "
            "CSV with commas between columns (id,prediction)"
        )
    if len(names) != 2:
        raise InvalidPredictionFile(
            f"the header (line {line}) '{shown}' has {len(names)} columns; a prediction file has "
            "exactly two, 'id' and 'prediction' (write it with df[['prediction']].to_csv() on a "
            "frame indexed by id)"
        )
    if "" in names:
        raise InvalidPredictionFile(
            f"the header (line {line}) '{shown}' has an unnamed column; name the ids 'id' "
            "(pandas: df.index.name = 'id') and the predictions 'prediction'"
        )
    if names.count(ID_COLUMN) != 1:
        raise InvalidPredictionFile(
            f"the header (line {line}) '{shown}' needs exactly one column named 'id' (lowercase) "
            "and one prediction column"
        )
    id_col = names.index(ID_COLUMN)
    return id_col, names[1 - id_col]


def _check_id(raw_id: str, line: int) -> None:
    if not raw_id:
        raise InvalidPredictionFile(f"line {line} has an empty id; every row needs the live id")
    if _BAD_ID_CHAR.search(raw_id):
        raise InvalidPredictionFile(
            f"line {line}: id {raw_id!r} contains whitespace, a comma, a quote or a control "
            "character; Numerai ids have none, so the id column is probably corrupted"
        )


def _parse_value(raw: str, row_id: str, line: int) -> float:
    if not raw:
        raise InvalidPredictionFile(
            f"line {line}: id {row_id} has no prediction; fill every row (no NaN or blanks)"
        )
    if not _DECIMAL.fullmatch(raw):
        lowered = raw.lower().lstrip("+-")
        kind = ("NaN" if lowered == "nan" else "infinite" if lowered.startswith("inf")
                else "not a number")
        raise InvalidPredictionFile(
            f"line {line}: the prediction {raw!r} for id {row_id} is {kind}; predictions are "
            "decimal numbers between 0 and 1"
        )
    value = float(raw)
    if math.isinf(value) or not 0.0 <= value <= 1.0:
        raise InvalidPredictionFile(
            f"line {line}: the prediction {raw} for id {row_id} is outside [0, 1]; rank or "
            "rescale your predictions into 0..1 before uploading"
        )
    return value + 0.0  # turns -0.0 into 0.0: one prediction, one spelling


def _check_live_ids(file_ids: Collection[str], live_ids: Collection[str]) -> None:
    live = live_ids if isinstance(live_ids, (set, frozenset)) else set(live_ids)
    missing = [i for i in live if i not in file_ids]
    extra = [i for i in file_ids if i not in live]
    problems = []
    if missing:
        problems.append(f"{len(missing)} of the round's {len(live)} live ids are missing "
                        f"(e.g. {_examples(sorted(missing))})")
    if extra:
        problems.append(f"{len(extra)} ids are not live ids of this round "
                        f"(e.g. {_examples(sorted(extra))})")
    if problems:
        raise InvalidPredictionFile(
            "; ".join(problems) + ": predict exactly the ids in this round's live data file "
            "(download the current round's live data again)"
        )


def _examples(ids: Iterable[str]) -> str:
    return ", ".join(list(ids)[:_EXAMPLES])


def _canonical_value(value: float) -> str:
    return repr(value)
