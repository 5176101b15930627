"""The agent-core settings: defaults, types, and refusals."""

from pathlib import Path

import pytest

from agent.config import ConfigError, Settings


def test_the_store_defaults_to_an_sqlite_file_in_the_data_dir():
    settings = Settings.load({"NMRX_DATA_DIR": "/tmp/nmrx-data"})
    assert settings.store_database_url == "sqlite:////tmp/nmrx-data/agent.db"
    assert (settings.confirmation_depth, settings.reorg_window, settings.lease_period) == (3, 64, 15.0)


def test_store_url_and_periods_come_from_the_environment():
    settings = Settings.load({"NMRX_STORE_URL": "postgresql://db/nmrx", "NMRX_LEASE_PERIOD": "2.5",
                              "NMRX_JOB_BATCH_SIZE": "7"})
    assert (settings.store_database_url, settings.lease_period, settings.job_batch_size) == (
        "postgresql://db/nmrx", 2.5, 7)


@pytest.mark.parametrize("raw", ["soon", "0", "-1"])
def test_a_period_must_be_a_positive_number(raw):
    with pytest.raises(ConfigError, match="lease_period must be"):
        Settings.load({"NMRX_LEASE_PERIOD": raw})


def test_a_store_password_in_the_config_file_is_refused(tmp_path: Path):
    config = tmp_path / "nmrx.toml"
    config.write_text('store_url = "postgresql://agent:hunter2@db/nmrx"\n')
    with pytest.raises(ConfigError, match="set NMRX_STORE_URL in the environment"):
        Settings.load({"NMRX_CONFIG": str(config)})


def test_a_store_url_without_password_may_be_in_the_file(tmp_path: Path):
    config = tmp_path / "nmrx.toml"
    config.write_text('store_url = "postgresql://agent@db/nmrx"\nconfirmation_depth = 12\n')
    settings = Settings.load({"NMRX_CONFIG": str(config)})
    assert (settings.store_url, settings.confirmation_depth) == ("postgresql://agent@db/nmrx", 12)
