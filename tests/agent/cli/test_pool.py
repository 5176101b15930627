"""Pool actions end to end: each `nmrx` command signs with the user's keystore, and its effect is
read back from the PayoutPool on chain."""

import re

from eth_account import Account

from tests.agent.cli.conftest import NMR


def user_view(stack, address):
    (view,), _ = stack.pool.functions.balancesOf([address], []).call()
    return view


def model_view(stack, model):
    _, (view,) = stack.pool.functions.balancesOf([], [model]).call()
    return view


def test_pool_actions_change_the_chain(stack, alice):
    m1, m2, m3 = alice.models
    wallet0 = stack.nmr.functions.balanceOf(alice.address).call()

    out = stack.ok("deposit", "300", user=alice)
    assert out["liquid"] == 300 * NMR == user_view(stack, alice.address)[0]
    assert [t["what"] for t in out["transactions"]] == ["approve 300 NMR", "deposit 300 NMR"]
    assert stack.nmr.functions.balanceOf(alice.address).call() == wallet0 - 300 * NMR

    # A second deposit with the allowance used up needs a fresh approve, from zero.
    out = stack.ok("deposit", "10.5", user=alice)
    assert user_view(stack, alice.address)[0] == 310.5 * NMR

    stack.ok("stake", m1, "100", user=alice)
    assert model_view(stack, m1)[:2] == (alice.address, 100 * NMR)
    stack.ok("move", m1, m2, "30", user=alice)
    assert model_view(stack, m1)[1] == 70 * NMR and model_view(stack, m2)[1] == 30 * NMR
    stack.ok("unstake", m2, "5", user=alice)
    assert model_view(stack, m2)[1] == 25 * NMR
    assert user_view(stack, alice.address)[0] == (310.5 - 100 + 5) * NMR

    nonce = user_view(stack, alice.address)[3]
    stack.ok("policy", m1, "--per-round", "7.5", "--mode", "compound", user=alice)
    owner, _, _, per_round, mode, _ = model_view(stack, m1)
    assert (per_round, mode) == (7.5 * NMR, 1)
    assert user_view(stack, alice.address)[3] == nonce + 1  # older signatures die

    stack.ok("stake", m3, "1", user=alice)
    out = stack.ok("allocate", m1, "self:50", "wallet:20%", "pool:20", f"{m3}:10", user=alice)
    allocation = stack.pool.functions.allocationOf(m1).call()
    assert [(k, "0x" + bytes(m).hex(), b) for k, m, b in allocation] == [
        (0, m1, 5000), (1, "0x" + "00" * 32, 2000), (2, "0x" + "00" * 32, 2000), (0, m3, 1000)]

    balance = stack.ok("balance", user=alice)
    assert {r["model"]: r["idle"] for r in balance["models"]} == {
        m1: 70 * NMR, m2: 25 * NMR, m3: 1 * NMR}
    assert balance["liquid"] == user_view(stack, alice.address)[0]


def test_withdrawals_free_then_express(stack, alice):
    liquid = user_view(stack, alice.address)[0]
    wallet = stack.nmr.functions.balanceOf(alice.address).call()
    out = stack.ok("withdraw", "20", user=alice)
    assert out["received"] == 20 * NMR and out["fee"] == 0
    assert stack.nmr.functions.balanceOf(alice.address).call() == wallet + 20 * NMR

    # The free withdrawal of the period is used: the pool's revert is decoded, with a hint.
    line = stack.fails("withdraw", "1", user=alice)
    assert "PayoutPoolFreeWithdrawalTooSoon(user=" in line and "--express" in line

    fee = stack.pool.functions.expressFee(10 * NMR).call()
    line = stack.fails("withdraw", "10", "--express", user=alice)
    assert "--max-fee" in line and "fee of" in line
    line = stack.fails("withdraw", "10", "--express", "--max-fee", "0", user=alice)
    assert "above your --max-fee" in line if fee else True
    fees = stack.pool.functions.accruedFees().call()
    out = stack.ok("withdraw", "10", "--express", "--max-fee", "5", user=alice)
    assert out["fee"] == fee and out["received"] == 10 * NMR - fee
    assert stack.pool.functions.accruedFees().call() == fees + fee
    assert user_view(stack, alice.address)[0] == liquid - 30 * NMR


def test_deposit_resets_a_stale_allowance_first(stack, alice):
    """NMR's approve only moves an allowance from or to zero: a leftover allowance is zeroed
    before the new one is set."""
    tx = stack.nmr.functions.approve(stack.pool.address, NMR).build_transaction({
        "from": alice.address, "gas": 100_000, "chainId": stack.w3.eth.chain_id,
        "nonce": stack.w3.eth.get_transaction_count(alice.address)})
    signed = Account.from_key(alice.key).sign_transaction(tx)
    stack.w3.eth.wait_for_transaction_receipt(
        stack.w3.eth.send_raw_transaction(signed.raw_transaction))
    out = stack.ok("deposit", "3", user=alice)
    assert [t["what"] for t in out["transactions"]] == [
        "reset NMR allowance", "approve 3 NMR", "deposit 3 NMR"]
    assert stack.nmr.functions.allowance(alice.address, stack.pool.address).call() == 0


def test_progress_bar_and_human_output_in_a_terminal(stack, alice):
    shown = stack.in_terminal("deposit", "2", user=alice)
    # tqdm's bar on the terminal, one step per transaction, then the human summary line.
    assert re.search(r"deposit: .*2/2", shown), shown
    assert re.search(r"deposited 2 NMR; pool balance [\d.]+ NMR \(tx 0x[0-9a-f]{64}\)", shown)
    # Piped (not a terminal): no bar, just the line.
    piped = stack.nmrx("deposit", "1", user=alice)
    assert piped.returncode == 0 and piped.stderr == ""
    assert piped.stdout.startswith("deposited 1 NMR;")
