from pathlib import Path

import pytest

from agent.config import ConfigError, Settings


def test_defaults_run_the_local_stack():
    settings = Settings.load({})
    assert settings.local_chain
    assert settings.chain_url == "http://127.0.0.1:8646"
    assert settings.api_url == "http://127.0.0.1:8000"


def test_environment_overrides_with_types():
    settings = Settings.load({"NMRX_API_PORT": "9001", "NMRX_DATA_DIR": "/tmp/x"})
    assert settings.api_port == 9001
    assert settings.data_dir == Path("/tmp/x")


def test_rpc_url_switches_off_the_local_chain():
    settings = Settings.load({"NMRX_RPC_URL": "http://node:8545"})
    assert not settings.local_chain
    assert settings.chain_url == "http://node:8545"


def test_toml_file_then_environment(tmp_path):
    config = tmp_path / "nmrx.toml"
    config.write_text('api_port = 9100\nchain_port = 9200\n')
    settings = Settings.load({"NMRX_CONFIG": str(config), "NMRX_API_PORT": "9300"})
    assert (settings.api_port, settings.chain_port) == (9300, 9200)


def test_non_numeric_port_is_rejected_with_its_name():
    with pytest.raises(ConfigError, match="api_port must be a whole number"):
        Settings.load({"NMRX_API_PORT": "eighty"})


def test_secret_in_config_file_is_refused(tmp_path):
    config = tmp_path / "nmrx.toml"
    config.write_text('private_key = "0xabc"\n')
    with pytest.raises(ConfigError, match="reference it instead"):
        Settings.load({"NMRX_CONFIG": str(config)})


def test_unknown_key_in_config_file_is_refused(tmp_path):
    config = tmp_path / "nmrx.toml"
    config.write_text("api_prot = 1\n")
    with pytest.raises(ConfigError, match="unknown setting 'api_prot'"):
        Settings.load({"NMRX_CONFIG": str(config)})


def test_missing_config_file_is_named():
    with pytest.raises(ConfigError, match="does not exist"):
        Settings.load({"NMRX_CONFIG": "/nonexistent/nmrx.toml"})
