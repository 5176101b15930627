"""The user subcommands of `nmrx` and what they share: the keystore and password flags, the
chain, `--json`. Each handler gets a `Context` and the parsed flags."""

import argparse
import getpass
import logging
import sys
from pathlib import Path

from agent.cli_user.errors import UserError
from agent.cli_user.output import Output
from agent.config import Settings


class Context:
    """What a user command needs, opened lazily (a usage error costs no keystore decryption)."""

    def __init__(self, settings: Settings, args: argparse.Namespace):
        self.settings, self.args = settings, args
        self.out = Output(getattr(args, "json", False))
        self._session = None
        self._account = None

    def session_account(self):
        """The user's account (the keystore is opened once per command)."""
        if self._account is None:
            from agent.cli_user.wallet import open_keystore

            self._account = open_keystore(self.args.keystore, self.args.password_file)
        return self._account

    def session(self):
        if self._session is None:
            from agent.cli_user.session import Session

            self._session = Session(self.settings, self.session_account(), self.args.rpc_url)
        return self._session


def cmd_key_new(ctx: Context, args) -> None:
    from agent.cli_user.wallet import create_keystore, keystore_path, read_password

    path = keystore_path(args.keystore)
    if args.password_file or not sys.stdin.isatty():
        password = read_password(args.password_file, path)
    else:
        password = getpass.getpass(f"new password for {path}: ")
        if getpass.getpass("again: ") != password:
            raise UserError("the two passwords differ; run `nmrx key new` again")
    account = create_keystore(path, password)
    ctx.out.result({"address": account.address, "keystore": str(path)},
                   [f"new key {account.address} in {path}; back it up"])


def common_flags() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.set_defaults(log_level=logging.WARNING)
    common.add_argument("--json", action="store_true", help="print one JSON document")
    common.add_argument("--keystore", type=Path,
                        help="your encrypted key (default: NMRX_USER_KEYSTORE)")
    common.add_argument("--password-file", type=Path,
                        help="file with its password (default: NMRX_USER_PASSWORD_FILE, "
                        "else asked at the terminal)")
    common.add_argument("--rpc-url", help="chain (default: NMRX_RPC_URL or the local chain)")
    return common


def handler(name):
    """`module:function` of this package as cli.py's `(settings, args)` handler, imported only
    when run: `--help`, completion and usage errors need no web3."""
    def run(settings: Settings, args: argparse.Namespace) -> None:
        import importlib

        import requests

        module, function = name.split(":")
        fn = getattr(importlib.import_module(f"agent.cli_user.{module}"), function)
        try:
            fn(Context(settings, args), args)
        except requests.ConnectionError:
            raise UserError(
                f"the chain at {args.rpc_url or settings.chain_url} stopped answering; check it "
                "is running, then `nmrx balance` before retrying (a transaction may have landed)"
            ) from None
    return run


def _model(parser, name="model", help_text="model UUID or 0x id"):
    parser.add_argument(name, help=help_text)


def relay_flags(p, help_text="sign it and let the agent send it (no gas)") -> None:
    p.add_argument("--relay", action="store_true", help=help_text)
    p.add_argument("--api-url", help="the agent API (default: NMRX_API_URL or the local one)")


def register(sub) -> None:
    """Add the user subcommands to `nmrx`'s subparsers."""
    common = common_flags()

    def add(name, fn, help_text):
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler(fn))
        return p

    key = sub.add_parser("key", help="your keystore")
    key_sub = key.add_subparsers(dest="key_command", required=True)
    p = key_sub.add_parser("new", parents=[common], help="create a new encrypted key")
    p.set_defaults(handler=handler("commands:cmd_key_new"))

    add("balance", "pool:cmd_balance", "your wallet, pool balance and models").add_argument(
        "--model", action="append", default=[], help="only this model (repeatable)")
    add("deposit", "pool:cmd_deposit", "move NMR from your wallet into the pool").add_argument(
        "amount", help="NMR, like 12.5")
    p = add("stake", "pool:cmd_stake", "move pool balance to a model's idle stake")
    _model(p)
    p.add_argument("amount")
    p = add("unstake", "pool:cmd_unstake", "move a model's idle stake back to your pool balance")
    _model(p)
    p.add_argument("amount")
    p = add("move", "pool:cmd_move", "move idle stake from one of your models to another")
    _model(p, "source", "model to take from")
    _model(p, "target", "model to give to")
    p.add_argument("amount")
    p = add("policy", "pool:cmd_policy", "how much the agent may stake a model each round")
    _model(p)
    p.add_argument("--per-round", required=True, help="NMR per round (0: the agent stops)")
    p.add_argument("--mode", choices=["fixed", "compound"], default="fixed",
                   help="compound also restakes what resolved positions returned")
    relay_flags(p)
    p = add("allocate", "pool:cmd_allocate", "where a model's payouts go")
    _model(p)
    p.add_argument("targets", nargs="+", metavar="TARGET:PERCENT",
                   help="self:50, wallet:25, pool:25 or OTHER_MODEL:10 (sum 100)")
    relay_flags(p)
    p = add("withdraw", "pool:cmd_withdraw",
            "send pool balance to your wallet: free once a period, or --express for a fee")
    p.add_argument("amount")
    p.add_argument("--express", action="store_true", help="now, for the express fee")
    p.add_argument("--max-fee", help="most NMR you accept as express fee")
    relay_flags(p, "sign a free withdrawal for the agent's next batch (no gas)")

    p = add("list", "market:cmd_list", "list one of your models on the marketplace")
    _model(p)
    p.add_argument("--mode", choices=["file", "verified", "stake"], default="file")
    p.add_argument("--rounds", required=True, help="round or range, like 1100-1110")
    p.add_argument("--bond", help="NMR to post as seller bond first")
    p = add("ask", "market:cmd_ask", "post (or sign) a price ladder for a round of your listing")
    p.add_argument("listing", type=int)
    p.add_argument("--round", type=int, required=True)
    p.add_argument("--tier", action="append", required=True, metavar="PRICExUNITS",
                   help="2.5x3: 3 units at 2.5 NMR (repeat, cheapest first)")
    p.add_argument("--deliver-by", default="1d", help="36h, 2d, unix or ISO time (default 1d)")
    p.add_argument("--expiry", help="last time it can be bought (default: --deliver-by)")
    p.add_argument("--sign-only", action="store_true",
                   help="sign it for buyers (EIP-712) instead of posting it on-chain")
    p.add_argument("--out", help="with --sign-only: write the signed ladder to this file")
    p = add("bid", "market:cmd_bid", "offer a price for units of a listing's round")
    p.add_argument("listing", type=int)
    p.add_argument("--round", type=int, required=True)
    p.add_argument("--units", type=int, required=True)
    p.add_argument("--price", required=True, help="total NMR offered")
    p.add_argument("--deliver-by", default="1d")
    p.add_argument("--expiry")
    p.add_argument("--max-collateral")
    p.add_argument("--max-fee-bps", type=int)
    p = add("buy", "market:cmd_buy", "buy from a listing's ladder up to a unit price")
    p.add_argument("listing", type=int)
    p.add_argument("--units", type=int, required=True)
    p.add_argument("--max-price", required=True, help="most NMR per unit")
    p.add_argument("--max-collateral", help="most stake-mode collateral (default: the quote)")
    p.add_argument("--max-fee-bps", type=int, help="highest fee (default: the listing's)")
    p.add_argument("--ladder", help="a signed ladder file from the seller (else the posted one)")
    p = add("deliver", "market:cmd_deliver", "deliver an order (file mode: sealed to the buyer)")
    p.add_argument("order", type=int)
    p.add_argument("--file", required=True, help="the prediction CSV")
    p.add_argument("--buyer-key", help="the buyer's public key (file mode)")
    p.add_argument("--out", help="sealed file to write (default FILE.sealed)")
    p = add("dispute", "market:cmd_dispute", "dispute an order's verdict (escrows a bond)")
    p.add_argument("order", type=int)

    p = add("verify", "ownership:cmd_verify",
            "prove you own a Numerai model so the agent registers it to your wallet")
    p.add_argument("model", help="the model's name (start also takes its UUID or 0x id)")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--check", action="store_true",
                      help="the code is in the bio: verify and register")
    what.add_argument("--release", action="store_true", help="give the model up")
    p.add_argument("--wait", action="store_true",
                   help="with --check: wait until the registry names your wallet")
    p.add_argument("--api-url", help="the agent API (default: NMRX_API_URL or the local one)")

    def add_read(name, fn, help_text):
        p = add(name, fn, help_text)
        p.add_argument("--address", help="whose (default: the address your keystore names)")
        p.add_argument("--api-url", help="the agent API (default: NMRX_API_URL or the local one)")
        return p

    p = add_read("payouts", "reads:cmd_payouts",
                 "your payouts, grouped by model or round, in NMR or a currency")
    p.add_argument("--group", choices=["model", "round"], default="model")
    p.add_argument("--currency", default="NMR", help="NMR, USD, EUR, ... (at each claim's day)")
    p.add_argument("--model", help="one model (UUID or 0x id)")
    p.add_argument("--tournament", type=int)
    p.add_argument("--round-from", type=int)
    p.add_argument("--round-to", type=int)
    p.add_argument("--csv", help="write one row per claim (price at the time) to this file")
    p = add_read("orders", "reads:cmd_orders", "your marketplace orders, bought and sold")
    p.add_argument("--state", choices=["paid", "delivered", "judged", "disputed", "settled"])
    p = add_read("book", "reads:cmd_book", "a model's order book for one round")
    p.add_argument("model", help="model UUID or 0x id")
    p.add_argument("--round", type=int, required=True)

    comp = sub.add_parser("completion", help="print the shell completion script")
    comp.add_argument("shell", choices=["bash", "zsh", "fish"], nargs="?", default="bash")
    comp.set_defaults(handler=cmd_completion)


def cmd_completion(settings: Settings, args) -> None:
    import argcomplete

    sys.stdout.write(argcomplete.shellcode(["nmrx"], shell=args.shell))
