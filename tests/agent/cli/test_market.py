"""Marketplace actions end to end: list, ask, buy, deliver (sealed to the buyer), dispute, bid,
and a closed round, each through `nmrx` and checked on chain."""

import json

from agent.market.sealing import generate_buyer_keypair, open_delivery
from tests.agent.cli.conftest import NMR

PREDICTIONS = "id,prediction\n" + "".join(f"n{i:04d},{(i * 37 % 100) / 100}\n" for i in range(50))


def test_list_ask_buy_deliver_dispute(stack, alice, bob, tmp_path):
    model = alice.models[0]
    # The CLI stack is shared by the session: another test may have bonded alice already.
    bonded = stack.market.functions.sellerOf(alice.address).call()[0]
    listed = stack.ok("list", model, "--rounds", "1000-1010", "--bond", "40", user=alice)
    listing = listed["listing_id"]
    seller = stack.market.functions.sellerOf(alice.address).call()
    assert seller[0] == bonded + 40 * NMR
    lst = stack.market.functions.listingOf(listing).call()
    assert lst[0] == alice.address and (lst[5], lst[6]) == (1000, 1010)
    assert "0x" + lst[7].to_bytes(32, "big").hex() == model

    asked = stack.ok("ask", str(listing), "--round", "1001", "--tier", "2x2", "--tier", "3x2",
                     "--deliver-by", "2d", user=alice)
    assert asked["ladder"]["prices"] == [2 * NMR, 3 * NMR]
    assert any(stack.market.functions.postedLadderOf(listing).call())

    market_before = stack.market.functions.balanceOf(bob.address).call()
    bought = stack.ok("buy", str(listing), "--units", "3", "--max-price", "3", user=bob)
    assert bought["units"] == 3 and bought["price"] == 7 * NMR  # 2 + 2 + 3
    # Order ids are uint256 hashes: printed as decimal strings, as the API gives them.
    assert isinstance(bought["order_id"], str)
    order = int(bought["order_id"])
    assert any(stack.market.functions.orderHashOf(order).call())
    # Bob's marketplace balance was topped up from his wallet by exactly what he paid.
    assert stack.market.functions.balanceOf(bob.address).call() == market_before

    keys = generate_buyer_keypair()
    preds = tmp_path / "preds.csv"
    preds.write_text(PREDICTIONS)
    delivered = stack.ok("deliver", str(order), "--file", str(preds), "--buyer-key",
                         keys.public_hex(), user=alice)
    sealed = (tmp_path / "preds.csv.sealed").read_bytes()
    data, _ = open_delivery(sealed, keys.private_key, delivered["delivery_hash"])
    assert data.decode() == PREDICTIONS
    (event,) = stack.market.events.OrderDelivered().get_logs(
        from_block=0, argument_filters={"orderId": order})
    assert "0x" + bytes(event["args"]["deliveryHash"]).hex() == delivered["delivery_hash"]

    # The buyer disputes the delivered file: the order (rebuilt from its events) is Disputed.
    disputed = stack.ok("dispute", str(order), user=bob)
    (event,) = stack.market.events.OrderDisputed().get_logs(
        from_block=0, argument_filters={"orderId": order})
    assert event["args"]["disputer"] == bob.address
    assert event["args"]["bond"] == disputed["bond"] > 0
    assert event["args"]["order"]["state"] == 4

    # Not a party to the order; a settled/unknown order.
    line = stack.fails("dispute", str(order), user=alice)
    assert "disputed" in line
    assert "is not open" in stack.fails("dispute", "12345", user=bob)

    bid = stack.ok("bid", str(listing), "--round", "1002", "--units", "1", "--price", "1.5",
                   user=bob)
    assert stack.market.functions.bidOf(bid["bid_id"]).call()[0] == bob.address
    # More than the marketplace balance and the wallet together: named amounts, nothing sent.
    line = stack.fails("bid", str(listing), "--round", "1002", "--units", "1", "--price",
                       "100000", user=bob)
    assert "not enough NMR" in line and "marketplace balance" in line


def test_signed_ladder_and_closed_round(stack, alice, bob, tmp_path):
    model = alice.models[1]
    listing = stack.ok("list", model, "--rounds", "1000-1010", user=alice)["listing_id"]
    signed = tmp_path / "ladder.json"
    stack.ok("ask", str(listing), "--round", "1003", "--tier", "1x5", "--deliver-by", "3d",
             "--expiry", "1h", "--sign-only", "--out", str(signed), user=alice)
    assert not any(stack.market.functions.postedLadderOf(listing).call())  # nothing on-chain
    assert json.loads(signed.read_text())["r"].startswith("0x")
    bought = stack.ok("buy", str(listing), "--units", "1", "--max-price", "1", "--ladder",
                      str(signed), user=bob)
    assert bought["price"] == 1 * NMR

    # Deliver-by already past: the round is closed, said before anything is signed.
    line = stack.fails("ask", str(listing), "--round", "1003", "--tier", "1x1", "--deliver-by",
                       str(stack.now() - 60), user=alice)
    assert "round 1003 is closed" in line
    # The ladder's expiry passes: buying from it is refused as a closed round.
    stack.advance(2 * 3600)
    line = stack.fails("buy", str(listing), "--units", "1", "--max-price", "1", "--ladder",
                       str(signed), user=bob)
    assert "round 1003 is closed" in line and "expired" in line
    # An earlier round than the one the listing already sells.
    line = stack.fails("bid", str(listing), "--round", "1001", "--units", "1", "--price", "1",
                       user=bob)
    assert "round 1001 is closed" in line
