import logging
import pickle
import stat

import pytest

from agent.errors import NmrxError
from agent.vault import (
    REDACTED,
    NumeraiKey,
    RedactingFilter,
    Secret,
    Vault,
    VaultError,
    generate_master_key,
    load_or_create_master_key,
    master_key_from_env,
    reencrypt,
)

PUBLIC_ID = "PUBLICIDABCDEFGHIJKLMNOPQRSTUVWX"
SECRET_KEY = "SECRETKEY0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGHIJ"
ALICE = "0x" + "a1" * 20
BOB = "0x" + "b2" * 20


@pytest.fixture
def key():
    return NumeraiKey(PUBLIC_ID, Secret(SECRET_KEY))


@pytest.fixture
def vault():
    return Vault(generate_master_key())


def test_key_round_trips_for_its_owner(vault, key):
    assert vault.decrypt_numerai_key(vault.encrypt_numerai_key(key, ALICE), ALICE) == key


def test_blob_holds_no_plaintext(vault, key):
    blob = vault.encrypt_numerai_key(key, ALICE)
    for plain in (SECRET_KEY, PUBLIC_ID, SECRET_KEY[:12], PUBLIC_ID[:12]):
        assert plain.encode() not in blob
        assert plain.encode().hex().encode() not in blob


def test_same_key_encrypts_differently_each_time(vault, key):
    assert vault.encrypt_numerai_key(key, ALICE) != vault.encrypt_numerai_key(key, ALICE)


def test_blob_stored_for_another_owner_is_refused(vault, key):
    with pytest.raises(VaultError, match="another user"):
        vault.decrypt_numerai_key(vault.encrypt_numerai_key(key, ALICE), BOB)


def test_other_master_key_cannot_decrypt(vault, key):
    blob = vault.encrypt_numerai_key(key, ALICE)
    with pytest.raises(VaultError, match="master key changed or the blob was altered"):
        Vault(generate_master_key()).decrypt_numerai_key(blob, ALICE)


def test_altered_blob_is_refused(vault, key):
    blob = bytearray(vault.encrypt_numerai_key(key, ALICE))
    blob[-1] ^= 1
    with pytest.raises(VaultError, match="altered"):
        vault.decrypt_numerai_key(bytes(blob), ALICE)


def test_foreign_blob_is_refused(vault):
    with pytest.raises(VaultError, match="version prefix"):
        vault.decrypt_numerai_key(b"garbage", ALICE)


def test_generic_secret_round_trips_for_its_owner_and_purpose(vault):
    blob = vault.encrypt_secret(SECRET_KEY, ALICE, "webhook")
    assert blob.startswith(b"nmrxv1:") and SECRET_KEY.encode() not in blob
    opened = vault.decrypt_secret(blob, ALICE.upper().replace("0X", "0x"), "webhook")
    assert isinstance(opened, Secret) and opened.reveal() == SECRET_KEY
    assert vault.encrypt_secret(SECRET_KEY, ALICE, "webhook") != blob  # a fresh nonce each time


def test_generic_secret_is_bound_to_owner_purpose_and_master_key(vault, key):
    blob = vault.encrypt_secret(SECRET_KEY, ALICE, "webhook")
    with pytest.raises(VaultError, match="another user or use"):
        vault.decrypt_secret(blob, BOB, "webhook")
    with pytest.raises(VaultError, match="another user or use"):
        vault.decrypt_secret(blob, ALICE, "other")
    with pytest.raises(VaultError, match="master key changed"):
        Vault(generate_master_key()).decrypt_secret(blob, ALICE, "webhook")
    with pytest.raises(VaultError, match="version prefix"):
        vault.decrypt_secret(b"garbage", ALICE, "webhook")
    # Numerai-key blobs and generic blobs do not open as each other.
    with pytest.raises(VaultError):
        vault.decrypt_secret(vault.encrypt_numerai_key(key, ALICE), ALICE, "webhook")
    with pytest.raises(VaultError, match="another kind"):
        vault.decrypt_numerai_key(blob, ALICE)
    with pytest.raises(VaultError):
        vault.encrypt_secret("", ALICE, "webhook")
    with pytest.raises(VaultError):
        vault.encrypt_secret(SECRET_KEY, ALICE, "")


def test_master_key_rotation_moves_keys_to_the_new_vault(vault, key):
    new = Vault(generate_master_key())
    rotated = reencrypt(vault.encrypt_numerai_key(key, ALICE), ALICE, vault, new)
    assert new.decrypt_numerai_key(rotated, ALICE) == key
    with pytest.raises(VaultError):
        vault.decrypt_numerai_key(rotated, ALICE)


def test_secret_never_shows_in_repr_str_or_format(key):
    for shown in (repr(key), str(key), f"{key}", repr(key.secret_key), str(key.secret_key),
                  f"{key.secret_key}", f"{key.secret_key:>80}", repr([key]), repr({"k": key})):
        assert SECRET_KEY not in shown and PUBLIC_ID not in shown


def test_secret_reveals_only_on_request(key):
    assert key.secret_key.reveal() == SECRET_KEY
    assert key.numerapi_args() == (PUBLIC_ID, SECRET_KEY)


def test_secret_refuses_pickling(key):
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(key)


def test_plain_string_secret_is_wrapped():
    assert isinstance(NumeraiKey(PUBLIC_ID, SECRET_KEY).secret_key, Secret)


def test_vault_repr_hides_master_key():
    master = generate_master_key()
    assert master.hex() not in repr(Vault(master))


def test_master_key_file_is_created_private_and_reloads(tmp_path):
    path = tmp_path / "vault" / "key"
    created = load_or_create_master_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_master_key(path) == created
    assert Vault.from_key_file(path)


def test_master_key_from_env_hex_or_file(tmp_path):
    master = generate_master_key()
    assert master_key_from_env({"NMRX_VAULT_KEY": master.hex()}) == master
    (tmp_path / "k").write_text(master.hex())
    assert master_key_from_env({"NMRX_VAULT_KEY_FILE": str(tmp_path / "k")}) == master


def test_missing_master_key_is_explained(tmp_path):
    with pytest.raises(VaultError, match="NMRX_VAULT_KEY_FILE"):
        master_key_from_env({})
    with pytest.raises(VaultError, match="does not exist"):
        master_key_from_env({"NMRX_VAULT_KEY_FILE": str(tmp_path / "none")})


@pytest.mark.parametrize("bad", ["", "abcd", "zz" * 32, "00" * 31])
def test_malformed_master_key_is_refused_without_echo(bad):
    with pytest.raises(VaultError, match="32-byte key") as error:
        master_key_from_env({"NMRX_VAULT_KEY": bad or " "})
    assert not bad or bad not in str(error.value)


def test_errors_are_nmrx_value_errors():
    assert issubclass(VaultError, NmrxError) and issubclass(VaultError, ValueError)


@pytest.fixture
def captured():
    """A logger whose records end up, formatted, in a list, as a handler would write them."""
    lines = []

    class ListHandler(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    logger = logging.getLogger("nmrx.test.vault")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    handler = ListHandler()
    logger.addHandler(handler)
    redactor = RedactingFilter()
    redactor.install(logger)
    yield logger, redactor, lines
    logger.removeHandler(handler)


def test_decrypted_key_is_redacted_from_logs(captured, key):
    logger, redactor, lines = captured
    vault = Vault(generate_master_key(), redactor=redactor)
    loaded = vault.decrypt_numerai_key(vault.encrypt_numerai_key(key, ALICE), ALICE)
    raw = loaded.secret_key.reveal()
    logger.warning("uploading with %s and %s", loaded.public_id, raw)
    logger.error(f"header Token {loaded.public_id}${raw}")
    logger.info("key %r", loaded)
    assert len(lines) == 3
    assert all(SECRET_KEY not in line and PUBLIC_ID not in line for line in lines)
    assert f"Token {REDACTED}${REDACTED}" in lines[1]


def test_secret_in_exception_text_is_redacted(captured, key):
    logger, redactor, lines = captured
    redactor.add(key.secret_key)
    try:
        raise RuntimeError(f"numerai refused {SECRET_KEY}")
    except RuntimeError:
        logger.exception("upload failed")
    assert "RuntimeError" in lines[0] and SECRET_KEY not in lines[0]


def test_short_strings_are_not_registered_as_secrets(captured):
    logger, redactor, lines = captured
    redactor.add("abc")
    logger.warning("abc is fine")
    assert lines == ["abc is fine"]


def test_repr_alone_keeps_secret_out_of_logs_without_the_filter(caplog, key):
    with caplog.at_level(logging.INFO):
        logging.getLogger("nmrx.test.plain").info("key %s %r", key, key.secret_key)
    assert SECRET_KEY not in caplog.text and PUBLIC_ID not in caplog.text
