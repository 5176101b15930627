"""Actions that go through the agent's API, signed by the user's wallet: `nmrx verify` (the
ownership flow, ending with the model registered on chain) and `--relay` (gas-free pool changes)."""

import json
from decimal import Decimal
import subprocess
import time

import httpx
import numerapi
from numerapi import base_api

from agent.models import model_id_from_uuid
from tests.agent.cli.conftest import NMR, NMRX
from tests.agent.staking.conftest import keys_of


def test_verify_a_model_end_to_end(stack, agent_api, monkeypatch):
    carol = stack.make_user("carol", models=0)
    api_flag = ("--api-url", agent_api.url)
    line = stack.fails("verify", "carol_m0", "--check", *api_flag, user=carol)
    assert "the agent API refused (409)" in line  # no code issued yet

    started = stack.ok("verify", "carol_m0", *api_flag, user=carol)
    code = started["code"]
    assert code in started["instructions"]

    # Carol puts the code in her model's public bio (as she would at numer.ai).
    monkeypatch.setattr(base_api, "API_TOURNAMENT_URL", agent_api.simulator_server.url)
    owner_api = numerapi.NumerAPI(*keys_of("carol"), verbosity="CRITICAL",
                                  show_progress_bars=False)
    model_uuid = owner_api.get_models()["carol_m0"]
    assert owner_api.set_bio(model_uuid, f"nmrx {code}")

    # --wait: the CLI waits for the registry while the agent's Sender sends what it planned.
    waiting = subprocess.Popen(
        [str(NMRX), "verify", "carol_m0", "--check", "--wait", "--json", *api_flag,
         "--keystore", str(carol.keystore), "--password-file", str(carol.password_file)],
        env=stack.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not agent_api.store.job_counts().get("planned"):
        assert waiting.poll() is None and time.monotonic() < deadline, waiting.communicate()
        time.sleep(0.2)
    agent_api.send_all()
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    checked = json.loads(out)
    assert checked["changed"] and [j["kind"] for j in checked["jobs"]] == ["registry-attest"]
    assert checked["registered"] is True
    model = model_id_from_uuid(model_uuid)
    assert checked["model_id"] == model
    assert stack.registry.functions.ownerOf(model).call() == carol.address
    # The model is now carol's: the CLI lists it and lets her act on it.
    assert [r["model"] for r in stack.ok("balance", user=carol)["models"]] == [model]

    line = stack.fails("verify", "carol_m0", "--api-url", "http://127.0.0.1:9",
                       user=carol)
    assert "does not answer" in line and "NMRX_API_URL" in line


def test_relayed_pool_changes_are_gas_free(stack, agent_api, bob):
    model = bob.models[0]
    api_flag = ("--api-url", agent_api.url)
    stack.ok("deposit", "5", user=bob)
    stack.ok("stake", model, "1", user=bob)
    eth = stack.w3.eth.get_balance(bob.address)

    relayed = stack.ok("policy", model, "--per-round", "2", "--mode", "compound", "--relay",
                       *api_flag, user=bob)
    assert relayed["relayed"]["job_key"]
    # One pool nonce covers a user's signed policies and allocations: the next is signed once
    # this one has landed.
    agent_api.send_all()
    stack.ok("allocate", model, "self:60", "wallet:40", "--relay", *api_flag, user=bob)
    agent_api.send_all()
    _, (view,) = stack.pool.functions.balancesOf([], [model]).call()
    assert (view[3], view[4]) == (2 * NMR, 1)
    assert [(k, b) for k, _, b in stack.pool.functions.allocationOf(model).call()] == [
        (0, 6000), (1, 4000)]

    wallet = stack.nmr.functions.balanceOf(bob.address).call()
    stack.ok("withdraw", "2", "--relay", *api_flag, user=bob)
    assert agent_api.staking.withdrawal_batch() == 1
    agent_api.send_all()
    assert stack.nmr.functions.balanceOf(bob.address).call() == wallet + 2 * NMR
    assert stack.w3.eth.get_balance(bob.address) == eth  # the agent paid every gas

    assert "drop --express or --relay" in stack.fails("withdraw", "1", "--relay", "--express",
                                                      *api_flag, user=bob)


def test_reads_from_the_api(stack, agent_api, alice, bob, tmp_path):
    model = alice.models[2]
    api_flag = ("--api-url", agent_api.url)
    listing = stack.ok("list", model, "--rounds", "2000-2001", "--bond", "5",
                       user=alice)["listing_id"]
    stack.ok("ask", str(listing), "--round", "2000", "--tier", "1x3", user=alice)
    # `buy` prints the order id as a decimal string (uint256), as the API gives it.
    order = stack.ok("buy", str(listing), "--units", "1", "--max-price", "1",
                     user=bob)["order_id"]
    # The API answers from what its indexer stored: wait until it has seen the order.
    deadline = time.monotonic() + 60
    while not any(o["order_id"] == order for o in httpx.get(
            f"{agent_api.url}/v1/market/orders", params={"address": bob.address}).json()["items"]):
        assert time.monotonic() < deadline, "the API never indexed the order"
        time.sleep(0.3)

    # Reads need only the address the keystore names: no password.
    keystore = ("--keystore", str(bob.keystore))
    orders = stack.ok("orders", *keystore, *api_flag)
    mine = {o["order_id"]: o for o in orders["items"]}
    assert mine[order]["state"] == "paid" and mine[order]["buyer"] == bob.address
    shown = stack.nmrx("orders", *keystore, *api_flag)
    assert f"order {order} (bought): listing {listing} round 2000, 1 units for 1" in shown.stdout

    book = stack.ok("book", model, "--round", "2000", *api_flag)
    assert [(Decimal(lv["price"]), lv["units"]) for lv in book["asks"]] == [(1, 2)]
    assert "asks: 2 at 1 NMR" in stack.nmrx("book", model, "--round", "2000", *api_flag).stdout

    payouts = stack.ok("payouts", "--address", alice.address, "--group", "round", *api_flag)
    assert payouts["group"] == "round" and payouts["totals"]["claims"] == 0
    out = tmp_path / "claims.csv"
    stack.ok("payouts", "--address", alice.address, "--csv", str(out), *api_flag)
    assert out.read_text().startswith("round,model,tournament,block,tx_hash,time,stake_nmr")
    line = stack.fails("payouts", "--address", alice.address, "--currency", "XYZ", *api_flag)
    assert "the agent API refused (4" in line
