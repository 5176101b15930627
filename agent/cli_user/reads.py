"""Reads from the agent's API (never from Numerai): payouts grouped by model or round in a
currency with the per-claim CSV, the user's orders, and a model's order book. A read needs only
the wallet's address: `--address`, or the address a keystore names (no password asked)."""

import json
from pathlib import Path

from agent.cli_user.api import Api, api_url
from agent.cli_user.errors import UserError
from agent.cli_user.wallet import keystore_path

PAGE = 500


def short(amount: str | None) -> str:
    """The API's fixed 18-decimal NMR strings without trailing zeros ('1.500…0' → '1.5')."""
    text = str(amount or "0")
    return text.rstrip("0").rstrip(".") if "." in text else text


def address_of(args) -> str:
    if args.address:
        return args.address
    path = keystore_path(args.keystore)
    try:
        address = json.loads(path.read_text())["address"]
    except FileNotFoundError:
        raise UserError(f"keystore {path} does not exist; pass --address or --keystore") from None
    except (json.JSONDecodeError, KeyError, TypeError):
        raise UserError(f"{path} names no address; pass --address 0x...") from None
    return address if address.startswith("0x") else "0x" + address


def all_pages(api: Api, path: str, **params) -> tuple[dict, list]:
    """Every item of a paged list (`limit`/`cursor`), with the first answer's other fields."""
    first, items, cursor = None, [], None
    while True:
        answer = api.get(path, limit=PAGE, cursor=cursor, **params)
        first = first or answer
        items += answer["items"]
        cursor = answer.get("next_cursor")
        if not cursor:
            return first, items


def cmd_payouts(ctx, args) -> None:
    api, address = Api(api_url(args.api_url, ctx.settings)), address_of(args)
    filters = {"model": args.model, "tournament": args.tournament, "currency": args.currency,
               "round_from": args.round_from, "round_to": args.round_to}
    if args.csv:
        text = api.text(f"/v1/users/{address}/payouts.csv", **filters)
        Path(args.csv).write_text(text)
        rows = max(len(text.splitlines()) - 1, 0)
        ctx.out.result({"address": address, "csv": args.csv, "claims": rows},
                       [f"{rows} claims of {address} written to {args.csv}"])
        return
    first, items = all_pages(api, f"/v1/users/{address}/payouts", group=args.group, **filters)
    totals, currency = first["totals"], first["currency"]
    data = {**first, "items": items, "next_cursor": None}

    def value(row):
        return f" = {row['value']} {currency}" if currency != "NMR" and row.get("value") else ""

    lines = [f"payouts of {address} by {args.group} ({len(items)}):"]
    for row in items:
        lines.append(f"  {row['key']}: staked {short(row['stake_nmr'])} NMR, paid "
                     f"{short(row['payout_nmr'])} NMR{value(row)}, burned "
                     f"{short(row['burn_nmr'])} NMR, pending {short(row['pending_nmr'])} NMR, "
                     f"{row['claims']} claims")
    lines.append(f"total: paid {short(totals['payout_nmr'])} NMR{value(totals)}, burned "
                 f"{short(totals['burn_nmr'])} NMR, pending {short(totals['pending_nmr'])} NMR")
    ctx.out.result(data, lines)


def cmd_orders(ctx, args) -> None:
    api, address = Api(api_url(args.api_url, ctx.settings)), address_of(args)
    _, items = all_pages(api, "/v1/market/orders", address=address, state=args.state)
    lines = [f"orders of {address} ({len(items)}):"]
    for o in items:
        role = "sold" if (o["seller"] or "").lower() == address.lower() else "bought"
        due = f", {o['deadline_kind']} by {o['deadline']}" if o.get("deadline") else ""
        lines.append(f"  order {o['order_id']} ({role}): listing {o['listing_id']} round "
                     f"{o['round']}, {o['units']} units for {short(o['price'])} NMR, "
                     f"{o['state']}{due}")
    ctx.out.result({"address": address, "items": items}, lines)


def cmd_book(ctx, args) -> None:
    api = Api(api_url(args.api_url, ctx.settings))
    book = api.get("/v1/market/book", model=args.model, round=args.round)
    lines = [f"order book of {book['model_id']} round {book['round']}:"]
    for side in ("asks", "bids"):
        levels = book[side]
        lines.append(f"  {side}: " + (", ".join(f"{lv['units']} at {short(lv['price'])} NMR"
                                                for lv in levels) or "none"))
    ctx.out.result(book, lines)
