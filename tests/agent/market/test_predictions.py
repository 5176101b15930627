import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.verify.predictions import (
    InvalidPredictionFile,
    canonical_bytes,
    measure_hash_throughput,
    parse_predictions,
    prediction_hash,
    prediction_hash_hex,
    synthetic_predictions,
    write_predictions,
)

LIVE = {"n000a": 0.5, "n000b": 0.25, "n000c": 1.0}
EXPECTED = b"id,prediction\nn000a,0.5\nn000b,0.25\nn000c,1.0\n"

ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)
values = st.floats(min_value=0.0, max_value=1.0, allow_nan=False, allow_infinity=False)
prediction_sets = st.dictionaries(ids, values, min_size=1, max_size=40)

# Spellings of one double that CSV writers produce; each reads back as exactly the same float.
FORMATS = [
    repr,
    lambda v: f"{v:.17g}",
    lambda v: f"{v:.17e}",
    lambda v: str(Decimal(v)),  # the exact binary value, up to ~750 digits
    lambda v: repr(v) + "000" if "e" not in repr(v) else repr(v),
    lambda v: f'"{v!r}"',
    lambda v: f" {v!r} ",
]


def hash_of(predictions):
    return prediction_hash(write_predictions(predictions))


def render(rows, fmt=repr, newline="\n", bom=False, trailing=True, swap=False, column="prediction",
           quote_ids=False):
    header = f"{column},id" if swap else f"id,{column}"
    lines = [header]
    for i, v in rows:
        shown_id = f'"{i}"' if quote_ids else i
        lines.append(f"{fmt(v)},{shown_id}" if swap else f"{shown_id},{fmt(v)}")
    text = newline.join(lines) + (newline if trailing else "")
    return ("\ufeff" if bom else "").encode() + text.encode()


def test_canonical_form_is_sorted_ids_and_shortest_doubles():
    assert canonical_bytes(render(reversed(list(LIVE.items())))) == EXPECTED


def test_hash_is_keccak_of_canonical_form_as_bytes32():
    from eth_utils import keccak

    assert prediction_hash(render(LIVE.items())) == keccak(EXPECTED)
    assert len(prediction_hash(render(LIVE.items()))) == 32


def test_hash_hex_is_0x_prefixed():
    data = render(LIVE.items())
    assert prediction_hash_hex(data) == "0x" + prediction_hash(data).hex()


@pytest.mark.parametrize(
    "spelling", ["0.5", "0.50", "5e-1", "5E-1", ".5", "+0.5", '"0.5"', "0.500000000000000000001"]
)
def test_spellings_of_one_double_hash_alike(spelling):
    data = f"id,prediction\nn000a,{spelling}\n".encode()
    assert canonical_bytes(data) == b"id,prediction\nn000a,0.5\n"


def test_spaces_and_quotes_after_commas_are_tolerated():
    assert canonical_bytes(b'"id", "prediction"\r\n "n000a", "0.5"\r\n') == (
        b"id,prediction\nn000a,0.5\n"
    )


def test_negative_zero_is_zero():
    assert prediction_hash(b"id,prediction\na,-0.0\n") == prediction_hash(b"id,prediction\na,0\n")


def test_prediction_column_name_and_order_do_not_matter():
    base = prediction_hash(render(LIVE.items()))
    assert prediction_hash(render(LIVE.items(), swap=True)) == base
    assert prediction_hash(render(LIVE.items(), column="prediction_kazutsugi")) == base


def test_str_and_bytes_inputs_agree():
    data = render(LIVE.items())
    assert prediction_hash(data.decode()) == prediction_hash(data)


@settings(max_examples=150, deadline=None)
@given(prediction_sets, st.data())
def test_format_variants_give_the_same_hash(predictions, data):
    rows = data.draw(st.permutations(list(predictions.items())))
    variant = render(
        rows,
        fmt=data.draw(st.sampled_from(FORMATS)),
        newline=data.draw(st.sampled_from(["\n", "\r\n"])),
        bom=data.draw(st.booleans()),
        trailing=data.draw(st.booleans()),
        swap=data.draw(st.booleans()),
        quote_ids=data.draw(st.booleans()),
    )
    assert prediction_hash(variant, live_ids=set(predictions)) == prediction_hash(
        write_predictions(predictions)
    )


@settings(max_examples=150, deadline=None)
@given(prediction_sets, st.data())
def test_any_changed_prediction_changes_the_hash(predictions, data):
    changed = dict(predictions)
    row = data.draw(st.sampled_from(sorted(changed)))
    new = data.draw(values.filter(lambda v: v != changed[row]))
    changed[row] = new
    assert hash_of(changed) != hash_of(predictions)


@settings(max_examples=100, deadline=None)
@given(prediction_sets)
def test_smallest_change_of_a_double_changes_the_hash(predictions):
    row = min(predictions)
    changed = dict(predictions)
    v = changed[row]
    changed[row] = math.nextafter(v, 1.0) if v < 1.0 else math.nextafter(v, 0.0)
    assert hash_of(changed) != hash_of(predictions)


@settings(max_examples=100, deadline=None)
@given(prediction_sets, ids)
def test_different_id_sets_never_share_a_hash(predictions, new_id):
    changed = dict(predictions)
    changed[new_id + "x"] = 0.5
    assert hash_of(changed) != hash_of(predictions)


@settings(max_examples=100, deadline=None)
@given(prediction_sets)
def test_parsed_values_equal_the_written_doubles(predictions):
    assert parse_predictions(write_predictions(predictions)).as_dict() == predictions


def test_swapping_two_rows_predictions_changes_the_hash():
    swapped = {"n000a": 0.25, "n000b": 0.5, "n000c": 1.0}
    assert prediction_hash(render(swapped.items())) != prediction_hash(render(LIVE.items()))


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"\n\r\n", "empty"),
        (b"id,prediction\n", "no rows"),
        (b"id,prediction,era\na,0.5,1\n", "has 3 columns"),
        (b"id\na\n", "has 1 columns"),
        (b",prediction\na,0.5\n", "unnamed column"),
        (b"ID,prediction\na,0.5\n", "exactly one column named 'id'"),
        (b"id,id\na,0.5\n", "exactly one column named 'id'"),
        (b"id\tprediction\na\t0.5\n", "not comma-separated"),
        (b"id;prediction\na;0,5\n", "not comma-separated"),
        (b"id,prediction\na,0.5,0.1\n", "line 2 has 3 fields"),
        (b"id,prediction\na\n", "line 2 has 1 fields"),
        (b"id,prediction\n,0.5\n", "empty id"),
        (b"id,prediction\n\"a b\",0.5\n", "contains whitespace"),
        (b"id,prediction\na,\n", "has no prediction"),
        (b"id,prediction\na,nan\n", "is NaN"),
        (b"id,prediction\na,NaN\n", "is NaN"),
        (b"id,prediction\na,inf\n", "is infinite"),
        (b"id,prediction\na,-Infinity\n", "is infinite"),
        (b"id,prediction\na,1e999\n", "outside [0, 1]"),
        (b"id,prediction\na,abc\n", "not a number"),
        (b"id,prediction\na,1_0\n", "not a number"),
        (b"id,prediction\na,0x1p-1\n", "not a number"),
        (b"id,prediction\na,1.0000001\n", "outside [0, 1]"),
        (b"id,prediction\na,-0.1\n", "outside [0, 1]"),
        (b"id,prediction\na,0.5\nb,0.1\na,0.5\n", "1 duplicate id row"),
        (b"id,prediction\n\"a,0.5\n", "not valid CSV"),
        (b"id,prediction\na,0.5\x00\n", "NUL"),
        (b"id,prediction\na,\xff\n", "not UTF-8"),
    ],
)
def test_invalid_files_are_refused_with_the_reason(data, reason):
    with pytest.raises(InvalidPredictionFile, match=reason.replace("[", r"\[").replace("]", r"\]")):
        parse_predictions(data)


def test_error_is_an_nmrx_value_error():
    from agent.errors import NmrxError

    with pytest.raises(NmrxError):
        parse_predictions(b"")
    with pytest.raises(ValueError):
        parse_predictions(b"")


def test_bounds_zero_and_one_are_valid():
    assert parse_predictions(b"id,prediction\na,0\nb,1\n").values == (0.0, 1.0)


def test_missing_live_ids_are_counted_and_named():
    missing = r"1 of the round's 4 live ids are missing \(e.g. n000d\)"
    with pytest.raises(InvalidPredictionFile, match=missing):
        parse_predictions(render(LIVE.items()), live_ids=set(LIVE) | {"n000d"})


def test_extra_ids_are_counted_and_named():
    extra = r"1 ids are not live ids of this round \(e.g. n000c\)"
    with pytest.raises(InvalidPredictionFile, match=extra):
        parse_predictions(render(LIVE.items()), live_ids=["n000a", "n000b"])


def test_file_matching_live_ids_is_accepted():
    assert len(parse_predictions(render(LIVE.items()), live_ids=list(LIVE))) == 3


def test_error_line_numbers_count_the_header():
    with pytest.raises(InvalidPredictionFile, match="line 4"):
        parse_predictions(b"id,prediction\na,0.1\nb,0.2\nc,2\n")


def test_synthetic_file_of_5000_rows_hashes_and_validates():
    predictions = synthetic_predictions(5000, seed=1)
    parsed = parse_predictions(write_predictions(predictions), live_ids=set(predictions))
    assert len(parsed) == 5000


def test_throughput_helper_reports_its_measurement():
    result = measure_hash_throughput(rows=200, repeats=3)
    assert result["rows"] == 200 and result["bytes"] > 0
    assert result["median_s"] >= result["best_s"] > 0
