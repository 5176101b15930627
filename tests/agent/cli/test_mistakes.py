"""Each common user mistake is answered with one line (exit code 2) that says what to do, and
nothing is sent."""

import json
import uuid

from tests.agent.cli.conftest import NMR


def test_no_keystore(stack, tmp_path):
    line = stack.fails("deposit", "1", "--keystore", str(tmp_path / "missing.json"))
    assert "does not exist" in line and "nmrx key new" in line
    line = stack.fails("deposit", "1")
    assert "no keystore given" in line and "NMRX_USER_KEYSTORE" in line


def test_key_new_makes_a_private_keystore(stack, tmp_path):
    password = tmp_path / "pw"
    password.write_text("correct horse\n")
    keystore = tmp_path / "me.json"
    made = stack.ok("key", "new", "--keystore", str(keystore), "--password-file", str(password))
    assert keystore.stat().st_mode & 0o777 == 0o600
    assert json.loads(keystore.read_text())["address"].lower() == made["address"][2:].lower()
    line = stack.fails("key", "new", "--keystore", str(keystore), "--password-file",
                       str(password))
    assert "already exists" in line
    # The new key signs: its (empty) balance is read with it.
    shown = stack.ok("balance", "--keystore", str(keystore), "--password-file", str(password))
    assert shown["address"] == made["address"] and shown["wallet"] == 0


def test_password_typed_at_the_terminal(stack, alice):
    shown = stack.in_terminal("balance", "--keystore", str(alice.keystore),
                              prompt="password for", typed="alice secret")
    assert f"wallet {alice.address}:" in shown
    assert "alice secret" not in shown  # not echoed


def test_wrong_password(stack, alice, tmp_path):
    wrong = tmp_path / "wrong"
    wrong.write_text("not it\n")
    line = stack.fails("deposit", "1", "--keystore", str(alice.keystore), "--password-file",
                       str(wrong))
    assert line == (f"nmrx: error: wrong password for keystore {alice.keystore}; check "
                    "--password-file / NMRX_USER_PASSWORD_FILE")


def test_not_enough_nmr(stack, bob):
    wallet = stack.nmr.functions.balanceOf(bob.address).call()
    line = stack.fails("deposit", str(wallet // NMR + 1), user=bob)
    assert "not enough NMR" in line and "holds" in line
    assert stack.nmr.functions.balanceOf(bob.address).call() == wallet  # nothing sent
    line = stack.fails("stake", bob.models[0], "1000", user=bob)
    assert "not enough NMR" in line and "nmrx deposit" in line
    line = stack.fails("withdraw", "100000", user=bob)
    assert "not enough NMR" in line and "pool balance" in line


def test_unknown_model(stack, alice, bob):
    stranger = str(uuid.uuid4())
    line = stack.fails("stake", stranger, "1", user=alice)
    assert "unknown model" in line and "nmrx verify" in line
    assert "unknown model 'my-model'" in stack.fails("stake", "my-model", "1", user=alice)
    line = stack.fails("list", bob.models[0], "--rounds", "5-6", "--bond", "1", user=alice)
    assert f"registered to {bob.address}" in line
    line = stack.fails("unstake", bob.models[0], "1", user=alice)
    assert "unknown model" in line or "belongs to" in line


def test_bad_amounts(stack, alice):
    assert "not a number of NMR" in stack.fails("deposit", "lots", user=alice)
    assert "more than 0 NMR" in stack.fails("deposit", "0", user=alice)
    line = stack.fails("allocate", alice.models[0], "self:50", "wallet:40", user=alice)
    assert "add up to 90%" in line
