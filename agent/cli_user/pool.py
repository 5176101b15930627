"""Pool actions, sent with the user's key straight to the PayoutPool: deposit, stake (liquid →
a model's idle stake), unstake, move, policy, allocate, withdraw; and `balance`, read from the
chain in one batched view call."""

from eth_utils import keccak, to_checksum_address

from agent.cli_user.amounts import fmt_nmr, parse_nmr, parse_percent
from agent.cli_user.errors import UserError
from agent.cli_user.models import ZERO, bucket, parse_model, require_pool_model

MODES = {"fixed": 0, "compound": 1}
KINDS = {"model": 0, "wallet": 1, "pool": 2}
ZERO_MODEL = "0x" + "00" * 32
# How long a signed message handed to the agent stays valid (chain time).
RELAY_DEADLINE = 86_400


def user_view(session) -> dict:
    (view,), _ = session.pool.functions.balancesOf([session.address], []).call()
    liquid, last_free, withdrawal_nonce, nonce = view
    return {"liquid": liquid, "last_free_withdrawal_at": last_free,
            "withdrawal_nonce": withdrawal_nonce, "nonce": nonce}


def require_liquid(session, amount: int, purpose: str) -> int:
    liquid = user_view(session)["liquid"]
    if liquid < amount:
        raise UserError(
            f"not enough NMR: {purpose} needs {fmt_nmr(amount)} but your pool balance is "
            f"{fmt_nmr(liquid)}; `nmrx deposit {fmt_nmr(amount - liquid).split()[0]}` first "
            "or use less"
        )
    return liquid


def relay(ctx, s, args, primary: str, message: dict, body: dict, path: str) -> dict:
    """Sign one of the pool's own messages with the user's key and hand it to the agent's API,
    which relays it (gas-free to the user); returns the agent's job."""
    from agent.cli_user.api import Api, api_url
    from agent.staking import sign_pool_message

    signature = sign_pool_message(s.account.key, s.chain_id, s.pool.address, primary, message)
    return Api(api_url(args.api_url, ctx.settings)).request("POST", path, json={
        **body, "chain_id": s.chain_id, "nonce": message["nonce"],
        "deadline": message["deadline"], "signature": signature})


def tx_result(sent: list, **data) -> dict:
    return {**data, "transactions": [{"what": s.what, "tx_hash": s.tx_hash, "block": s.block}
                                     for s in sent]}


def cmd_deposit(ctx, args) -> None:
    amount = parse_nmr(args.amount)
    s = ctx.session()
    s.require_wallet_nmr(amount, f"depositing {fmt_nmr(amount)}")
    steps = s.approve_steps(s.pool.address, amount) + 1
    with ctx.out.progress(steps, "deposit") as bar:
        sent = s.approve(s.pool.address, amount, bar)
        sent.append(s.send(s.pool.functions.deposit(amount), f"deposit {fmt_nmr(amount)}", bar))
    liquid = user_view(s)["liquid"]
    ctx.out.result(
        tx_result(sent, action="deposit", amount=amount, liquid=liquid),
        [f"deposited {fmt_nmr(amount)}; pool balance {fmt_nmr(liquid)} "
         f"(tx {sent[-1].tx_hash})"],
    )


def cmd_stake(ctx, args) -> None:
    model, amount = parse_model(args.model), parse_nmr(args.amount)
    s = ctx.session()
    require_pool_model(s, model, bind=True)
    require_liquid(s, amount, f"staking {fmt_nmr(amount)} on {model}")
    with ctx.out.progress(1, "stake") as bar:
        sent = s.send(s.pool.functions.increaseStake(model, amount),
                      f"stake {fmt_nmr(amount)}", bar)
    idle = bucket(s, model)["idle"]
    ctx.out.result(
        tx_result([sent], action="stake", model=model, amount=amount, idle=idle),
        [f"staked {fmt_nmr(amount)} on {model}; its idle stake is {fmt_nmr(idle)} "
         f"(tx {sent.tx_hash})"],
    )


def require_idle(s, model: str, amount: int, purpose: str) -> None:
    b = require_pool_model(s, model, bind=False)
    if b["idle"] < amount:
        raise UserError(
            f"not enough NMR: {purpose} needs {fmt_nmr(amount)} of idle stake but {model} has "
            f"{fmt_nmr(b['idle'])} idle ({fmt_nmr(b['at_risk'])} at risk in rounds); use less"
        )


def cmd_unstake(ctx, args) -> None:
    model, amount = parse_model(args.model), parse_nmr(args.amount)
    s = ctx.session()
    require_idle(s, model, amount, f"unstaking {fmt_nmr(amount)}")
    with ctx.out.progress(1, "unstake") as bar:
        sent = s.send(s.pool.functions.unstake(model, amount), f"unstake {fmt_nmr(amount)}", bar)
    liquid = user_view(s)["liquid"]
    ctx.out.result(
        tx_result([sent], action="unstake", model=model, amount=amount, liquid=liquid),
        [f"unstaked {fmt_nmr(amount)} from {model}; pool balance {fmt_nmr(liquid)} "
         f"(tx {sent.tx_hash})"],
    )


def cmd_move(ctx, args) -> None:
    source, target = parse_model(args.source), parse_model(args.target)
    amount = parse_nmr(args.amount)
    if source == target:
        raise UserError("move needs two different models")
    s = ctx.session()
    require_idle(s, source, amount, f"moving {fmt_nmr(amount)}")
    require_pool_model(s, target, bind=True)
    with ctx.out.progress(1, "move") as bar:
        sent = s.send(s.pool.functions.moveStake(source, target, amount),
                      f"move {fmt_nmr(amount)}", bar)
    ctx.out.result(
        tx_result([sent], action="move", source=source, target=target, amount=amount),
        [f"moved {fmt_nmr(amount)} of idle stake from {source} to {target} (tx {sent.tx_hash})"],
    )


def cmd_policy(ctx, args) -> None:
    model = parse_model(args.model)
    per_round = parse_nmr(args.per_round, "--per-round", allow_zero=True)
    mode = MODES[args.mode]
    s = ctx.session()
    require_pool_model(s, model, bind=True)
    said = f"policy of {model}: {args.mode}, up to {fmt_nmr(per_round)} per round"
    if args.relay:
        message = {"owner": s.address, "model": bytes.fromhex(model[2:]),
                   "perRound": per_round, "mode": mode, "nonce": user_view(s)["nonce"],
                   "deadline": s.now() + RELAY_DEADLINE}
        body = {"owner": s.address, "model": model, "per_round": per_round, "mode": mode}
        job = relay(ctx, s, args, "SetPolicy", message, body, "/v1/pool/policies")
        ctx.out.result({"action": "policy", "model": model, "per_round": per_round,
                        "mode": args.mode, "relayed": job},
                       [f"{said}: signed and handed to the agent (job {job['job_key']}); "
                        "sign the next policy or allocation once it has landed"])
        return
    with ctx.out.progress(1, "policy") as bar:
        sent = s.send(s.pool.functions.setPolicy(model, per_round, mode), "set policy", bar)
    ctx.out.result(
        tx_result([sent], action="policy", model=model, per_round=per_round, mode=args.mode),
        [f"{said} (tx {sent.tx_hash})"],
    )


def parse_target(text: str) -> tuple[int, str, int]:
    """`self:50`, `wallet:25%`, `pool:25`, or `MODEL:10` (another of the user's models)."""
    where, sep, share = text.rpartition(":")
    if not sep or not where:
        raise UserError(
            f"allocation target {text!r} must look like wallet:25, pool:25, self:50 or MODEL:10"
        )
    bps = parse_percent(share)
    if where in ("wallet", "pool"):
        return KINDS[where], ZERO_MODEL, bps
    return KINDS["model"], where, bps


def cmd_allocate(ctx, args) -> None:
    model = parse_model(args.model)
    targets = []
    for kind, where, bps in (parse_target(t) for t in args.targets):
        if kind == KINDS["model"]:
            where = model if where == "self" else parse_model(where)
        targets.append((kind, where, bps))
    total = sum(t[2] for t in targets)
    if total != 10_000:
        raise UserError(f"the shares add up to {total / 100:g}%, not 100%; fix them")
    if not 1 <= len(targets) <= 8:
        raise UserError(f"{len(targets)} targets given; an allocation has 1 to 8")
    s = ctx.session()
    require_pool_model(s, model, bind=True)
    for kind, where, _ in targets:
        if kind == KINDS["model"] and where != model:
            require_pool_model(s, where, bind=True)
    shown = [{"kind": k, "model": m, "bps": b} for k, m, b in targets]
    names = {v: k for k, v in KINDS.items()}
    said = f"allocation of {model}: " + ", ".join(
        f"{b / 100:g}% to " + (m if k == 0 else f"your {names[k]}") for k, m, b in targets)
    if args.relay:
        message = {"owner": s.address, "model": bytes.fromhex(model[2:]),
                   "targets": [{"kind": k, "model": bytes.fromhex(m[2:]), "bps": b}
                               for k, m, b in targets],
                   "nonce": user_view(s)["nonce"], "deadline": s.now() + RELAY_DEADLINE}
        body = {"owner": s.address, "model": model, "targets": shown}
        job = relay(ctx, s, args, "SetAllocation", message, body, "/v1/pool/allocations")
        ctx.out.result({"action": "allocate", "model": model, "targets": shown, "relayed": job},
                       [f"{said}: signed and handed to the agent (job {job['job_key']}); "
                        "sign the next policy or allocation once it has landed"])
        return
    with ctx.out.progress(1, "allocate") as bar:
        sent = s.send(s.pool.functions.setAllocation(model, targets), "set allocation", bar)
    ctx.out.result(tx_result([sent], action="allocate", model=model, targets=shown),
                   [f"{said} (tx {sent.tx_hash})"])


def cmd_withdraw(ctx, args) -> None:
    amount = parse_nmr(args.amount)
    max_fee = None if args.max_fee is None else parse_nmr(args.max_fee, "--max-fee",
                                                          allow_zero=True)
    if args.relay and args.express:
        raise UserError("--relay hands the agent a free withdrawal; drop --express or --relay")
    s = ctx.session()
    require_liquid(s, amount, f"withdrawing {fmt_nmr(amount)}")
    if args.relay:
        view = user_view(s)
        message = {"user": s.address, "amount": amount, "nonce": view["withdrawal_nonce"],
                   "deadline": s.now() + RELAY_DEADLINE}
        job = relay(ctx, s, args, "Withdrawal", message, {"user": s.address, "amount": amount},
                    "/v1/pool/withdrawals")
        ctx.out.result(
            {"action": "withdraw", "amount": amount, "fee": 0, "express": False, "relayed": job},
            [f"free withdrawal of {fmt_nmr(amount)} signed and queued for the agent's next "
             f"batch, gas-free (job {job['job_key']})"])
        return
    if args.express:
        fee = s.pool.functions.expressFee(amount).call()
        if max_fee is None:
            raise UserError(
                f"an express withdrawal of {fmt_nmr(amount)} costs a fee of {fmt_nmr(fee)}; "
                f"accept it with --max-fee {fmt_nmr(fee).split()[0]}"
            )
        if fee > max_fee:
            raise UserError(
                f"the express fee is {fmt_nmr(fee)}, above your --max-fee {fmt_nmr(max_fee)}; "
                "raise --max-fee or use the free withdrawal"
            )
        call, what = s.pool.functions.withdrawExpress(amount, max_fee), "express withdrawal"
    else:
        fee = 0
        call, what = s.pool.functions.withdrawFree(amount), "free withdrawal"
    before = s.nmr_balance()
    with ctx.out.progress(1, "withdraw") as bar:
        sent = s.send(call, what, bar)
    received = s.nmr_balance() - before
    ctx.out.result(
        tx_result([sent], action="withdraw", amount=amount, fee=fee, received=received,
                  express=bool(args.express)),
        [f"{what} of {fmt_nmr(amount)}: {fmt_nmr(received)} sent to {s.address}"
         + (f" after a {fmt_nmr(fee)} fee" if fee else "") + f" (tx {sent.tx_hash})"],
    )


def user_models(s) -> list[str]:
    """Models bound to the user's buckets in the pool or registered to the user (from logs)."""
    topic = "0x" + "00" * 12 + s.address[2:].lower()
    found = []
    for name, event, position in (("PayoutPool", "ModelBound", 2),
                                  ("ModelRegistry", "ModelAttested", 2)):
        contract = s.contract(name)
        signature = keccak(text=_signature(contract, event)).hex()
        logs = s.w3.eth.get_logs({
            "address": contract.address, "fromBlock": s.deployed_block(name),
            "toBlock": "latest",
            "topics": ["0x" + signature.removeprefix("0x"), None, topic][:position + 1],
        })
        found += ["0x" + bytes(log["topics"][1]).hex() for log in logs]
    return list(dict.fromkeys(found))


def _signature(contract, event: str) -> str:
    item = next(i for i in contract.abi if i.get("type") == "event" and i["name"] == event)
    return f"{event}({','.join(i['type'] for i in item['inputs'])})"


def cmd_balance(ctx, args) -> None:
    models = [parse_model(m) for m in args.model]
    s = ctx.session()
    models = models or user_models(s)
    (uview,), views = s.pool.functions.balancesOf([s.address], models).call()
    wallet = s.nmr_balance()
    rows = []
    for model, view in zip(models, views):
        owner, idle, at_risk, per_round, mode, _ = view
        if owner != ZERO and to_checksum_address(owner) != s.address:
            continue
        rows.append({"model": model, "idle": idle, "at_risk": at_risk, "per_round": per_round,
                     "mode": "compound" if mode else "fixed"})
    data = {"address": s.address, "wallet": wallet, "liquid": uview[0], "models": rows}
    lines = [f"wallet {s.address}: {fmt_nmr(wallet)}", f"pool balance: {fmt_nmr(uview[0])}"]
    for r in rows:
        lines.append(f"  {r['model']}: idle {fmt_nmr(r['idle'])}, at risk "
                     f"{fmt_nmr(r['at_risk'])}, policy {r['mode']} {fmt_nmr(r['per_round'])}"
                     "/round")
    ctx.out.result(data, lines)
