import stat

import pytest

from agent.keys import KeystoreError, load_account, load_or_create_account


def test_created_key_loads_again(tmp_path):
    keystore, password = tmp_path / "k.json", tmp_path / "pw"
    created = load_or_create_account(keystore, password)
    assert load_account(keystore, password).address == created.address
    assert load_or_create_account(keystore, password).address == created.address


def test_key_files_are_private(tmp_path):
    keystore, password = tmp_path / "k.json", tmp_path / "pw"
    load_or_create_account(keystore, password)
    for path in (keystore, password):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_keystore_holds_no_raw_key(tmp_path):
    keystore, password = tmp_path / "k.json", tmp_path / "pw"
    account = load_or_create_account(keystore, password)
    assert account.key.hex()[2:] not in keystore.read_text()
    assert account.key.hex() not in keystore.read_text()


def test_wrong_password_is_explained(tmp_path):
    keystore, password = tmp_path / "k.json", tmp_path / "pw"
    load_or_create_account(keystore, password)
    password.write_text("not the password")
    with pytest.raises(KeystoreError, match="does not open"):
        load_account(keystore, password)


def test_missing_keystore_is_explained(tmp_path):
    with pytest.raises(KeystoreError, match="does not exist"):
        load_account(tmp_path / "none.json", tmp_path / "pw")
