"""Marketplace actions, sent with the user's key to the Marketplace: list a model, ask (post or
sign a price ladder), bid, buy (fill a ladder within the buyer's price, collateral and fee
bounds), deliver (file mode: sealed to the buyer's key first) and dispute. Payments, bonds and
dispute bonds come from the user's marketplace balance, topped up from the wallet when short."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from eth_abi import encode as abi_encode
from web3 import Web3
from web3.logs import DISCARD

from agent.cli_user.amounts import fmt_nmr, parse_nmr
from agent.cli_user.errors import UserError
from agent.cli_user.models import parse_model, require_registered_to_user
from agent.cli_user.pool import tx_result
from agent.market.ladders import LADDER_FIELDS
from agent.market.ladders import sign_ladder as signed_ladder

MODES = {"file": 0, "verified": 1, "stake": 2}
MODE_NAMES = {v: k for k, v in MODES.items()}
STATES = {0: "none", 1: "paid", 2: "delivered", 3: "judged", 4: "disputed"}
MAX_DELIVERY_DELAY = 30 * 86_400
ORDER_TYPES = ["uint256", "address", "address", "uint8", "uint8", "uint8", "uint32", "uint16",
               "uint32", "uint32", "uint88", "uint88", "uint88"]
ORDER_FIELDS = ["id", "seller", "buyer", "mode", "state", "verdict", "deadline", "feeBps",
                "terms", "verdictWindow", "price", "buyerCollateral", "bond"]
_RELATIVE = re.compile(r"^(\d+)([mhd])$")
_SECONDS = {"m": 60, "h": 3600, "d": 86_400}


def parse_when(text: str, now: int, what: str) -> int:
    """'36h', '2d', '90m' (from the chain's now), a unix time, or an ISO-8601 time."""
    relative = _RELATIVE.match(text)
    if relative:
        return now + int(relative.group(1)) * _SECONDS[relative.group(2)]
    if text.isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"{what} {text!r} is not a time; write 36h, 2d, a unix time or "
                        "2026-11-24T18:00Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def show_time(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


def parse_rounds(text: str) -> tuple[int, int]:
    match = re.match(r"^(\d+)(?:-(\d+))?$", text)
    if not match:
        raise UserError(f"--rounds {text!r} must be a round or a range like 1100-1110")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if first == 0 or last < first or last >= 2**16:
        raise UserError(f"--rounds {text!r} must go from a first round ≥ 1 up to a later one")
    return first, last


def parse_tier(text: str) -> tuple[int, int]:
    """'2.5x3': 3 units at 2.5 NMR each."""
    price, sep, units = text.partition("x")
    if not sep or not units.isdigit() or int(units) == 0:
        raise UserError(f"--tier {text!r} must be PRICExUNITS, like 2.5x3 (3 units at 2.5 NMR)")
    return parse_nmr(price, "tier price"), int(units)


# -- chain reads -----------------------------------------------------------------------------


def listing(s, listing_id: int) -> dict:
    raw = s.market.functions.listingOf(listing_id).call()
    names = ["seller", "mode", "closed", "version", "sold", "fromRound", "toRound", "modelId",
             "soldRound", "feeBps", "minBondBps", "terms", "verdictWindow"]
    data = dict(zip(names, raw))
    if data["seller"] == "0x" + "00" * 20 or data["closed"]:
        raise UserError(f"listing {listing_id} is not open (closed or never created); "
                        "check the listing id")
    return data


def terms_contract(s):
    address = s.market.functions.terms().call()
    return s.w3.eth.contract(address=address, abi=s.book.abi("IMarketTerms"))


def rates(s, terms_id: int) -> dict:
    names = ["feeBps", "minBondBps", "buyerCollateralBps", "sellerSlashBps", "slashToBuyerBps",
             "buyerSlashToSellerBps", "disputeRewardBps", "disputeBond"]
    return dict(zip(names, terms_contract(s).functions.ratesOf(terms_id).call()))


def collateral_for(s, lst: dict, units: int) -> int:
    if lst["mode"] != MODES["stake"]:
        return 0
    return units * 10**18 * rates(s, lst["terms"])["buyerCollateralBps"] // 10_000


def ensure_market_balance(s, needed: int, purpose: str, bar=None) -> list:
    """Top the user's marketplace balance up to `needed` from the wallet (approve + deposit)."""
    have = s.market.functions.balanceOf(s.address).call()
    if have >= needed:
        return []
    short = needed - have
    wallet = s.nmr_balance()
    if wallet < short:
        raise UserError(
            f"not enough NMR: {purpose} needs {fmt_nmr(needed)}; your marketplace balance is "
            f"{fmt_nmr(have)} and wallet {s.address} holds {fmt_nmr(wallet)}; get "
            f"{fmt_nmr(short - wallet)} more NMR"
        )
    if bar:
        bar.add(s.approve_steps(s.market.address, short) + 1)
    sent = s.approve(s.market.address, short, bar)
    sent.append(s.send(s.market.functions.deposit(short), f"deposit {fmt_nmr(short)}", bar))
    return sent


def _event(s, receipt, name: str) -> dict:
    for ev in getattr(s.market.events, name)().process_receipt(receipt, errors=DISCARD):
        return dict(ev["args"])
    raise UserError(f"the transaction has no {name} event; report this")


def posted_ladder(s, listing_id: int) -> dict:
    """The ladder the seller posted on-chain for `listing_id` (the latest LadderPosted whose hash
    is the one the listing holds now)."""
    current = s.market.functions.postedLadderOf(listing_id).call()
    if not any(current):
        raise UserError(f"listing {listing_id} has no posted ladder; ask the seller to "
                        "`nmrx ask`, or buy a signed ladder with --ladder FILE")
    logs = s.market.events.LadderPosted().get_logs(
        from_block=s.deployed_block("Marketplace"), argument_filters={"listingId": listing_id})
    for log in reversed(logs):
        if bytes(log["args"]["ladderHash"]) == bytes(current):
            return struct(log["args"]["ladder"], LADDER_FIELDS)
    raise UserError(f"the ladder posted for listing {listing_id} was not found in the logs; "
                    "check NMRX_DEPLOYMENTS_DIR points at this chain's deployments")


def struct(value, fields: list[str]) -> dict:
    """A decoded event struct (web3 gives a mapping by name, or a tuple) as a dict by field."""
    if hasattr(value, "keys"):
        return {f: value[f] for f in fields}
    return dict(zip(fields, value))


def ladder_tuple(ladder: dict) -> tuple:
    return tuple(ladder[f] if f not in ("prices", "units") else list(ladder[f])
                 for f in LADDER_FIELDS)


def load_order(s, order_id: int) -> dict:
    """The open order's struct, from the latest event that carried it (or `OrderOpened` plus its
    listing), checked against the commitment the contract stores."""
    stored = bytes(s.market.functions.orderHashOf(order_id).call())
    if not any(stored):
        raise UserError(f"order {order_id} is not open (settled, refunded or never existed); "
                        "check the order id")
    start = s.deployed_block("Marketplace")
    latest = None
    for name in ("OrderDelivered", "VerdictPosted", "OrderDisputed"):
        for log in getattr(s.market.events, name)().get_logs(
                from_block=start, argument_filters={"orderId": order_id}):
            key = (log["blockNumber"], log["logIndex"])
            if latest is None or key > latest[0]:
                latest = (key, struct(log["args"]["order"], ORDER_FIELDS))
    if latest is not None:
        order = latest[1]
    else:
        (opened, *_) = s.market.events.OrderOpened().get_logs(
            from_block=start, argument_filters={"orderId": order_id}) or [None]
        if opened is None:
            raise UserError(f"order {order_id} has no OrderOpened event on this chain")
        a = opened["args"]
        lst = s.market.functions.listingOf(a["listingId"]).call()
        order = dict(zip(ORDER_FIELDS, [
            a["orderId"], lst[0], a["buyer"], lst[1], 1, 0, a["deliverBy"], a["feeBps"],
            lst[11], lst[12], a["price"], a["buyerCollateral"], a["bond"]]))
    values = [order[f] for f in ORDER_FIELDS]
    if Web3.keccak(abi_encode(ORDER_TYPES, values)) != stored:
        raise UserError(f"order {order_id}'s events do not match its stored state; "
                        "wait for the chain to settle and try again")
    return order


def order_tuple(order: dict) -> tuple:
    return tuple(order[f] for f in ORDER_FIELDS)


# -- commands --------------------------------------------------------------------------------


def cmd_list(ctx, args) -> None:
    model = parse_model(args.model)
    first, last = parse_rounds(args.rounds)
    bond = parse_nmr(args.bond, "--bond") if args.bond else 0
    s = ctx.session()
    require_registered_to_user(s, model)
    seller = s.market.functions.sellerOf(s.address).call()
    if not bond and (seller[0] == 0 or seller[0] < seller[1]):
        raise UserError("a listing needs a seller bond and you have none free; add --bond AMOUNT")
    with ctx.out.progress(1 + (1 if bond else 0), "list") as bar:
        sent = []
        if bond:
            sent += ensure_market_balance(s, bond, f"a bond of {fmt_nmr(bond)}", bar)
            sent.append(s.send(s.market.functions.postBond(bond), f"post bond {fmt_nmr(bond)}",
                               bar))
        sent.append(s.send(s.market.functions.createListing(model, MODES[args.mode], first, last),
                           "create listing", bar))
    ev = _event(s, sent[-1].receipt, "ListingCreated")
    listing_id = ev["listingId"]
    ctx.out.result(
        tx_result(sent, action="list", listing_id=listing_id, model=model, mode=args.mode,
                  from_round=first, to_round=last, fee_bps=ev["feeBps"], bond=bond),
        [f"listing {listing_id}: {model} in {args.mode} mode, rounds {first}-{last}, fee "
         f"{ev['feeBps'] / 100:g}% (tx {sent[-1].tx_hash})"],
    )


def cmd_ask(ctx, args) -> None:
    tiers = [parse_tier(t) for t in args.tier]
    s = ctx.session()
    lst = listing(s, args.listing)
    if lst["seller"] != s.address:
        raise UserError(f"listing {args.listing} is {lst['seller']}'s, not your wallet's "
                        f"{s.address}; ask on your own listing")
    now = s.now()
    round_ = args.round
    if not lst["fromRound"] <= round_ <= lst["toRound"]:
        raise UserError(f"round {round_} is not listed: listing {args.listing} sells rounds "
                        f"{lst['fromRound']}-{lst['toRound']}")
    if round_ < lst["soldRound"]:
        raise UserError(f"round {round_} is closed on listing {args.listing}: it already sold "
                        f"round {lst['soldRound']}; ask for round {lst['soldRound']} or later")
    deliver_by = parse_when(args.deliver_by, now, "--deliver-by")
    expiry = parse_when(args.expiry, now, "--expiry") if args.expiry else deliver_by
    if deliver_by <= now:
        raise UserError(f"round {round_} is closed: its delivery deadline {show_time(deliver_by)} "
                        f"has passed (chain time {show_time(now)}); ask for a later round")
    if deliver_by > now + MAX_DELIVERY_DELAY:
        raise UserError("--deliver-by is more than 30 days ahead; the marketplace refuses that")
    if expiry <= now:
        raise UserError(f"--expiry {show_time(expiry)} is already past; give a later one")
    counter = s.market.functions.sellerOf(s.address).call()[2]
    ladder = {"listingId": args.listing, "round": round_, "version": lst["version"],
              "counter": counter, "deliverBy": deliver_by, "expiry": expiry,
              "prices": [p for p, _ in tiers], "units": [u for _, u in tiers]}
    summary = ", ".join(f"{u} at {fmt_nmr(p)}" for p, u in tiers)
    if args.sign_only:
        r, vs = sign_ladder(s, ladder)
        signed = {**ladder, "r": r, "vs": vs, "chainId": s.chain_id,
                  "market": s.market.address}
        said = f"signed a ladder for listing {args.listing} round {round_}: {summary}"
        if args.out:
            Path(args.out).write_text(json.dumps(signed, indent=2) + "\n")
            lines = [f"{said}; written to {args.out} for buyers (`nmrx buy --ladder FILE`)"]
        else:
            lines = [said, json.dumps(signed)]
        ctx.out.result({"action": "ask", "signed": signed}, lines)
        return
    with ctx.out.progress(1, "ask") as bar:
        sent = s.send(s.market.functions.postLadder(ladder_tuple(ladder)), "post ladder", bar)
    ctx.out.result(
        tx_result([sent], action="ask", ladder=ladder),
        [f"ladder posted for listing {args.listing} round {round_}: {summary}; delivery by "
         f"{show_time(deliver_by)}, open until {show_time(expiry)} (tx {sent.tx_hash})"],
    )


def sign_ladder(s, ladder: dict) -> tuple[str, str]:
    """The seller's EIP-712 signature over `ladder`, compact (EIP-2098: r, vs), as hex."""
    r, vs = signed_ladder(s.account.key, s.chain_id, s.market.address, ladder)
    return "0x" + r.hex(), "0x" + vs.hex()


def walk(ladder: dict, skip: int, want: int, max_price: int) -> tuple[int, int]:
    """Units and cost a fill would take (the contract's `_walk`)."""
    units = cost = 0
    for price, tier in zip(ladder["prices"], ladder["units"]):
        if skip >= tier:
            skip -= tier
            continue
        if price > max_price or want == 0:
            break
        take = min(tier - skip, want)
        units, want, cost, skip = units + take, want - take, cost + take * price, 0
    return units, cost


def cmd_buy(ctx, args) -> None:
    if args.units <= 0:
        raise UserError("--units must be at least 1")
    max_price = parse_nmr(args.max_price, "--max-price")
    max_collateral = (parse_nmr(args.max_collateral, "--max-collateral", allow_zero=True)
                      if args.max_collateral is not None else None)
    s = ctx.session()
    if args.ladder:
        try:
            signed = json.loads(Path(args.ladder).read_text())
            ladder = {f: signed[f] for f in LADDER_FIELDS}
            r, vs = signed["r"], signed["vs"]
        except (OSError, json.JSONDecodeError, KeyError) as exc:
            raise UserError(f"--ladder {args.ladder} is not a signed ladder file ({exc})") from None
        if ladder["listingId"] != args.listing:
            raise UserError(f"--ladder is for listing {ladder['listingId']}, not {args.listing}")
        if (signed.get("chainId"), str(signed.get("market", "")).lower()) != (
                s.chain_id, s.market.address.lower()):
            raise UserError(f"--ladder {args.ladder} was signed for another chain or "
                            "marketplace; ask the seller for one signed for this chain")
    else:
        ladder, r, vs = posted_ladder(s, args.listing), "0x" + "00" * 32, "0x" + "00" * 32
    lst = listing(s, args.listing)
    now, round_ = s.now(), ladder["round"]
    if now > ladder["expiry"]:
        raise UserError(f"round {round_} is closed on listing {args.listing}: its ladder expired "
                        f"at {show_time(ladder['expiry'])}; ask the seller for a new ladder")
    if ladder["deliverBy"] <= now:
        raise UserError(f"round {round_} is closed: delivery was due "
                        f"{show_time(ladder['deliverBy'])}; buy a later round")
    if round_ < lst["soldRound"]:
        raise UserError(f"round {round_} is closed on listing {args.listing}: it already sells "
                        f"round {lst['soldRound']}; buy that round")
    if ladder["version"] < lst["version"]:
        raise UserError(f"this ladder of listing {args.listing} was replaced; buy the current one")
    sold = lst["sold"] if (ladder["version"] == lst["version"]
                           and round_ == lst["soldRound"]) else 0
    units, cost = walk(ladder, sold, args.units, max_price)
    if units == 0:
        raise UserError(f"nothing on listing {args.listing} round {round_} at or below "
                        f"{fmt_nmr(max_price)} a unit; raise --max-price")
    collateral = collateral_for(s, lst, units)
    if max_collateral is None:
        max_collateral = collateral
    max_fee = lst["feeBps"] if args.max_fee_bps is None else args.max_fee_bps
    if lst["feeBps"] > max_fee:
        raise UserError(f"listing {args.listing} charges a {lst['feeBps']} bps fee, above your "
                        f"--max-fee-bps {max_fee}; raise it to buy")
    with ctx.out.progress(1, "buy") as bar:
        sent = ensure_market_balance(s, cost + collateral,
                                     f"buying {units} units for {fmt_nmr(cost)}", bar)
        sent.append(s.send(s.market.functions.fill(
            ladder_tuple(ladder), r, vs, args.units, max_price, max_collateral, max_fee),
            f"buy {units} units", bar))
    ev = _event(s, sent[-1].receipt, "OrderOpened")
    ctx.out.result(
        tx_result(sent, action="buy", order_id=str(ev["orderId"]), units=ev["units"],
                  price=ev["price"], collateral=ev["buyerCollateral"], round=round_,
                  deliver_by=ev["deliverBy"]),
        [f"order {ev['orderId']}: {ev['units']} units of round {round_} for "
         f"{fmt_nmr(ev['price'])}, delivery due {show_time(ev['deliverBy'])} "
         f"(tx {sent[-1].tx_hash})"],
    )


def cmd_bid(ctx, args) -> None:
    price = parse_nmr(args.price, "--price")
    if args.units <= 0:
        raise UserError("--units must be at least 1")
    s = ctx.session()
    lst = listing(s, args.listing)
    now = s.now()
    if not lst["fromRound"] <= args.round <= lst["toRound"]:
        raise UserError(f"round {args.round} is not listed: listing {args.listing} sells rounds "
                        f"{lst['fromRound']}-{lst['toRound']}")
    if args.round < lst["soldRound"]:
        raise UserError(f"round {args.round} is closed on listing {args.listing}: it already "
                        f"sells round {lst['soldRound']}; bid on that round or later")
    deliver_by = parse_when(args.deliver_by, now, "--deliver-by")
    expiry = parse_when(args.expiry, now, "--expiry") if args.expiry else deliver_by
    if deliver_by <= now:
        raise UserError(f"round {args.round} is closed: delivery by {show_time(deliver_by)} is "
                        "already past; bid on a later round with a later --deliver-by")
    if expiry <= now:
        raise UserError(f"--expiry {show_time(expiry)} is already past; give a later one")
    collateral = collateral_for(s, lst, args.units)
    max_collateral = (parse_nmr(args.max_collateral, "--max-collateral", allow_zero=True)
                      if args.max_collateral is not None else collateral)
    max_fee = lst["feeBps"] if args.max_fee_bps is None else args.max_fee_bps
    with ctx.out.progress(1, "bid") as bar:
        sent = ensure_market_balance(s, price + collateral, f"a bid of {fmt_nmr(price)}", bar)
        sent.append(s.send(s.market.functions.postBid(
            args.listing, args.round, args.units, price, deliver_by, expiry, max_collateral,
            max_fee), "post bid", bar))
    ev = _event(s, sent[-1].receipt, "BidPosted")
    ctx.out.result(
        tx_result(sent, action="bid", bid_id=ev["bidId"], listing_id=args.listing,
                  round=args.round, units=args.units, price=price, expiry=expiry),
        [f"bid {ev['bidId']}: {args.units} units of listing {args.listing} round {args.round} "
         f"for {fmt_nmr(price)}, open until {show_time(expiry)} (tx {sent[-1].tx_hash})"],
    )


def cmd_deliver(ctx, args) -> None:
    from agent.market.sealing import seal_delivery

    s = ctx.session()
    order = load_order(s, args.order)
    if order["seller"] != s.address:
        raise UserError(f"order {args.order} was sold by {order['seller']}, not by your wallet "
                        f"{s.address}; only its seller delivers it")
    if order["state"] != 1:
        raise UserError(f"order {args.order} is {STATES[order['state']]}, not waiting for "
                        "delivery; nothing to do")
    now = s.now()
    if order["deadline"] <= now:
        raise UserError(f"order {args.order}'s round is closed: delivery was due "
                        f"{show_time(order['deadline'])}; the buyer can now reclaim it")
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read --file {args.file}: {exc.strerror}") from None
    if order["mode"] != MODES["file"]:
        raise UserError(f"order {args.order} is in {MODE_NAMES[order['mode']]} mode: the agent "
                        "submits it to the buyer's slot and delivers it; nothing to do here")
    if not args.buyer_key:
        raise UserError("a file-mode delivery is sealed to the buyer: pass --buyer-key "
                        "(the public key the buyer gave you)")
    with ctx.out.progress(2, "deliver") as bar:
        # Validated as a prediction file, then sealed: only the buyer's private key opens it.
        sealed = seal_delivery(data, args.buyer_key)
        out = Path(args.out or f"{args.file}.sealed")
        partial = out.with_name(out.name + ".partial")
        partial.write_bytes(sealed.ciphertext)
        partial.replace(out)
        bar.step("sealed")
        try:
            sent = s.send(s.market.functions.deliver(order_tuple(order), sealed.delivery_hash),
                          "deliver", bar)
        except UserError:
            out.unlink(missing_ok=True)  # nothing half-done: no sealed file, no delivery
            raise
    ctx.out.result(
        tx_result([sent], action="deliver", order_id=str(args.order),
                  delivery_hash="0x" + sealed.delivery_hash.hex(), sealed_file=str(out)),
        [f"order {args.order} delivered: hash 0x{sealed.delivery_hash.hex()}; send the buyer "
         f"{out} (tx {sent.tx_hash})"],
    )


def cmd_dispute(ctx, args) -> None:
    s = ctx.session()
    order = load_order(s, args.order)
    if s.address not in (order["seller"], order["buyer"]):
        raise UserError(f"order {args.order} is between {order['seller']} and {order['buyer']}; "
                        f"your wallet {s.address} is neither, so it cannot dispute")
    if order["state"] not in (2, 3):
        raise UserError(f"order {args.order} is {STATES[order['state']]}; only a delivered or "
                        "judged order can be disputed")
    if order["deadline"] <= s.now():
        raise UserError(f"the dispute window of order {args.order} closed at "
                        f"{show_time(order['deadline'])}; it can only be settled now")
    bond = rates(s, order["terms"])["disputeBond"]
    with ctx.out.progress(1, "dispute") as bar:
        sent = ensure_market_balance(s, bond, f"the dispute bond of {fmt_nmr(bond)}", bar)
        sent.append(s.send(s.market.functions.dispute(order_tuple(order)), "dispute", bar))
    ctx.out.result(
        tx_result(sent, action="dispute", order_id=str(args.order), bond=bond),
        [f"order {args.order} disputed; {fmt_nmr(bond)} bond escrowed until the arbiter rules "
         f"(tx {sent[-1].tx_hash})"],
    )
