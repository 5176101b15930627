"""`nmrx verify`: prove to the agent that the user's wallet owns a Numerai model (a one-time
code in the model's public bio), so the agent registers the model to the wallet on chain.

    nmrx verify MODEL            → a code to put in the model's bio at numer.ai
    nmrx verify MODEL --check    → the agent reads the bio and registers the model
                                   (--wait: until the registry names the wallet)
    nmrx verify MODEL --release  → give the model up
"""

import re
import time

from agent.cli_user.api import Api, api_url
from agent.cli_user.errors import UserError

NAME = re.compile(r"^[A-Za-z0-9_\-]{1,100}$")
WAIT_SECONDS = 120


def cmd_verify(ctx, args) -> None:
    if not NAME.match(args.model):
        raise UserError(f"{args.model!r} is not a model name, UUID or 0x id")
    api = Api(api_url(args.api_url, ctx.settings))
    if args.release:
        action, path = "ownership.release", "/v1/ownership/release"
    elif args.check:
        action, path = "ownership.check", "/v1/ownership/check"
    else:
        action, path = "ownership.start", "/v1/ownership/start"
    account = ctx.session_account()
    answer = api.signed_post(account, path, action, {"model": args.model})
    if action == "ownership.start":
        ctx.out.result({"action": "verify", **answer}, [
            answer["instructions"],
            f"then run: nmrx verify {args.model} --check",
        ])
        return
    if action == "ownership.check" and args.wait and answer["changed"]:
        answer["registered"] = wait_registered(ctx, answer["model_id"], account.address)
    what = "released" if args.release else "verified"
    lines = [f"model {args.model} ({answer['model_id']}) {what} for {answer['wallet']}"]
    if answer["jobs"]:
        lines.append("registry writes planned: " + ", ".join(
            f"{j['kind']} ({j['state']})" for j in answer["jobs"]))
    elif not args.release:
        lines.append("nothing to change: the registry already names your wallet")
    if answer.get("registered"):
        lines.append("the registry now names your wallet")
    ctx.out.result({"action": "verify", **answer}, lines)


def wait_registered(ctx, model_id: str, wallet: str) -> bool:
    """Wait (with a progress bar) until the agent's registry write lands."""
    session = ctx.session()
    deadline = time.monotonic() + WAIT_SECONDS
    with ctx.out.progress(1, "waiting for the registry") as bar:
        while time.monotonic() < deadline:
            owner = session.registry.functions.ownerOf(model_id).call()
            if owner.lower() == wallet.lower():
                bar.step("registered")
                return True
            time.sleep(1)
    raise UserError(f"the agent planned the registration but the registry does not name "
                    f"{wallet} after {WAIT_SECONDS}s; check the agent is running, then "
                    f"`nmrx verify {model_id} --check` again")
