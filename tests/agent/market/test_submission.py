import pytest

from agent.market.submission import (
    InvalidSubmissionName,
    parse_submission_filename,
    prepare_stake_upload,
    submission_filename,
)
from agent.verify.predictions import (
    InvalidPredictionFile,
    prediction_hash,
    synthetic_predictions,
    write_predictions,
)

PREDICTIONS = synthetic_predictions(20, seed=5)
FILE = write_predictions(PREDICTIONS)


def test_filenames_are_unique_and_name_the_round():
    names = {submission_filename(1343) for _ in range(100)}
    assert len(names) == 100
    assert all(parse_submission_filename(n)[0] == 1343 for n in names)


def test_filename_parses_back_to_its_suffix():
    name = submission_filename(7)
    assert name == f"nmrx_r7_{parse_submission_filename(name)[1]}.csv"


@pytest.mark.parametrize(
    "name", ["predictions.csv", "nmrx_r1_xyz.csv", "nmrx_r1_" + "0" * 15 + ".csv"]
)
def test_foreign_filenames_are_refused(name):
    with pytest.raises(InvalidSubmissionName):
        parse_submission_filename(name)


def test_filename_inside_a_path_is_read():
    name = submission_filename(3)
    assert parse_submission_filename("uploads/abc/" + name)[0] == 3


def test_negative_round_is_refused():
    with pytest.raises(InvalidSubmissionName):
        submission_filename(-1)


def test_upload_carries_the_canonical_hash():
    upload = prepare_stake_upload(FILE, 1343, live_ids=set(PREDICTIONS))
    assert upload.prediction_hash == prediction_hash(FILE) and upload.data == FILE


def test_upload_repr_does_not_show_predictions():
    upload = prepare_stake_upload(FILE, 1343)
    assert all(i not in repr(upload) for i in PREDICTIONS)


def test_invalid_file_is_refused_before_upload():
    with pytest.raises(InvalidPredictionFile, match="missing"):
        prepare_stake_upload(FILE, 1343, live_ids=set(PREDICTIONS) | {"n_new"})
