"""Random sequences of pool actions checked against tests/pool_model.py after every step.

After each step: the pool's NMR balance equals the sum of all internal balances (liquid + idle +
fees = `liabilities()`) plus the NMR of finalized positions not yet reconciled (conservation);
every user's account, every model's bucket and policy, the fees, parameters and announcements equal
the reference model's; wallets and the treasury got exactly what the model says (so no account
changed by another's action except by the rules: each step is one actor's action, and the model
moves only the accounts its rules name); a reverted action reverted with the custom error the model
predicted, and a batch skipped exactly the entries the model predicted, with those errors.
"""

import copy
import os
import time

from brownie import MockNMR, MockTournamentStaking, ModelRegistry, PayoutPool, accounts, chain, web3
from brownie.exceptions import VirtualMachineError
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from agent.models import model_id_from_uuid
from tests.pool_model import COMPOUND, FIXED, KIND_MODEL, Params, PoolModel, Revert
from tests.unitary.PayoutPool.helpers import (
    FAR, GRACE, NMR, TOURNAMENT, ZERO_MODEL, Numerai, allocation_signature, policy_signature, withdrawal_request,
)

DAY = 86400
UUIDS = [f"7d1c0000-0000-4000-8000-00000000000{i}" for i in range(4)]
AMOUNT = st.integers(min_value=0, max_value=400).map(lambda x: x * NMR // 4 + x)  # odd wei for rounding
# POOL_EXAMPLES lowers the example count for quick local runs; the suite's default is 50.
EXAMPLES = int(os.environ.get("POOL_EXAMPLES", "50"))
ACTIONS = [
    "deposit", "increase", "stake", "stake", "stake", "next_round", "next_round", "set_policy", "set_allocation",
    "resolve", "resolve", "claim", "claim", "claim", "finalize", "finalize", "reconcile", "reconcile", "unstake", "move_stake",
    "invalidate_nonces", "free_withdrawal", "express_withdrawal", "collect_fees", "pause", "set_params",
    "activate_params", "sleep", "sleep",
]
STATS = {"steps": 0, "reverts": 0, "examples": 0}


def error_name(exc: VirtualMachineError) -> str:
    return (exc.revert_msg or "").split(":")[0].strip()


class PoolMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        chain.revert()
        STATS["examples"] += 1
        env = self.env
        self.pool, self.nmr, self.numerai = env["pool"], env["nmr"], env["numerai"]
        self.users, self.models, self.operator = env["users"], env["models"], env["operator"]
        self.model = copy.deepcopy(env["template"])
        self.round = env["round"]
        self.rounds = copy.deepcopy(env["rounds"])  # round -> models staked in it (unresolved)
        self.leaves = {}  # (model, round) -> (payout, burn, tree, resolved_at): every resolved pool leaf

    # ------------------------------------------------------------------ machinery

    def act(self, predict, send, commit=None):
        """Predicts on a copy of the model, sends the transaction, checks the outcome matches.

        `predict(model, now)` applies the operation; on success it is re-applied to the real
        model with the transaction's timestamp (`commit` when given, else `predict`)."""
        trial = copy.deepcopy(self.model)
        try:
            predict(trial, chain.time())
            expected = None
        except Revert as r:
            expected = r.name
        try:
            tx = send()
        except VirtualMachineError as exc:
            assert expected is not None, f"unexpected revert {exc.revert_msg}"
            assert error_name(exc) == expected, f"reverted {exc.revert_msg}, model expected {expected}"
            STATS["reverts"] += 1
            return None
        assert expected is None, f"model expected {expected} but the transaction succeeded"
        (commit or predict)(self.model, tx.timestamp)
        return tx

    def user(self, i):
        return self.users[i % len(self.users)]

    def owner_or_user(self, j, i):
        """Mostly the model's owner, sometimes another user (whose attempt must revert)."""
        return accounts.at(self.model.registry[self.models[j]]) if i else self.user(j + 1)

    def leaf(self, k):
        keys = sorted(self.leaves)
        return keys[k % len(keys)] if keys else None

    # ------------------------------------------------------------------ rules

    # One rule that dispatches to every action: hypothesis's swarm testing disables a random subset
    # of rules per example, which with 20 rules left whole runs without claims or deposits. Core
    # actions appear more than once to be drawn more often.
    @rule(
        action=st.sampled_from(ACTIONS),
        i=st.integers(0, 2),
        j=st.integers(0, 3),
        amount=AMOUNT,
        flag=st.booleans(),
        days=st.integers(1, 15),
        picks=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(1, 6000)), min_size=1, max_size=4),
        results=st.lists(st.tuples(st.integers(0, 3000), st.integers(0, 99)), min_size=4, max_size=4),
        keep_sum=st.integers(0, 9),
    )
    def step(self, action, i, j, amount, flag, days, picks, results, keep_sum):
        STATS.setdefault("actions", {}).setdefault(action, 0)
        STATS["actions"][action] += 1
        calls = {
            "deposit": lambda: self.deposit(i, amount),
            "increase": lambda: self.increase(i, j, amount),
            "stake": lambda: self.stake(j, amount, flag),
            "next_round": self.next_round,
            "set_policy": lambda: self.set_policy(i, j, amount, flag, keep_sum),
            "set_allocation": lambda: self.set_allocation(j, picks, flag, keep_sum),
            "resolve": lambda: self.resolve(i + j, results),
            "claim": lambda: self.claim(keep_sum + i, flag),
            "finalize": lambda: self.finalize(keep_sum + j),
            "reconcile": lambda: self.reconcile(keep_sum + i),
            "unstake": lambda: self.unstake(j, i, amount),
            "move_stake": lambda: self.move_stake(j, i, keep_sum, amount),
            "invalidate_nonces": lambda: self.invalidate_nonces(i),
            "free_withdrawal": lambda: self.free_withdrawal(i, amount, flag),
            "express_withdrawal": lambda: self.express_withdrawal(i, amount, flag),
            "collect_fees": self.collect_fees,
            "pause": lambda: self.pause(flag and keep_sum < 3),
            "set_params": lambda: self.set_params(picks[0], flag),
            "activate_params": self.activate_params,
            "sleep": lambda: self.sleep(days),
        }
        calls[action]()

    def deposit(self, i, amount):
        u = self.user(i)
        self.act(lambda m, now: m.deposit(str(u), amount), lambda: self.pool.deposit(amount, {"from": u}))

    def increase(self, i, j, amount):
        u, model = self.owner_or_user(j, i), self.models[j]
        self.act(
            lambda m, now: m.increase_stake(str(u), model, amount),
            lambda: self.pool.increaseStake(model, amount, {"from": u}),
        )

    def stake(self, j, amount, by_operator):
        model = self.models[j]
        owner = self.model.buckets[model].owner
        caller = self.operator if by_operator or owner is None else accounts.at(owner)
        auth, sig = self.numerai.authorize(self.pool, model, self.round, max(amount, 1))

        def predict(m, now):
            m.stake(str(caller), model, self.round, amount)

        if self.act(predict, lambda: self.pool.stake(model, amount, auth, sig, {"from": caller})):
            self.rounds.setdefault(self.round, set()).add(model)

    def next_round(self):
        self.round += 1

    def set_policy(self, i, j, amount, signed, keep_sum):
        model = self.models[j]
        owner = self.model.registry[model] if i else str(self.user(j + 1))
        per_round = 0 if keep_sum == 0 else amount // 2
        mode = COMPOUND if keep_sum % 2 else FIXED
        owner_account = accounts.at(owner)
        if signed:
            sig = policy_signature(self.pool, owner_account, owner, model, per_round, mode, self.model.nonce[owner])
            send = lambda: self.pool.setPolicyBySig(model, owner, per_round, mode, FAR, sig, {"from": self.operator})  # noqa: E731
        else:
            send = lambda: self.pool.setPolicy(model, per_round, mode, {"from": owner_account})  # noqa: E731
        self.act(lambda m, now: m.set_policy(owner, model, per_round, mode), send)

    def set_allocation(self, j, picks, signed, keep_sum):
        model = self.models[j]
        owner = self.model.registry[model]
        targets = []
        for kind, k, weight in picks:
            kind = min(kind, 2)
            targets.append((kind, self.models[k] if kind == KIND_MODEL else ZERO_MODEL, weight))
        total = sum(t[2] for t in targets)
        if total != 10_000:
            # scale to 10,000 most of the time; keep a few invalid sums
            if keep_sum:
                scaled = [t[2] * 10_000 // total for t in targets]
                scaled[-1] += 10_000 - sum(scaled)
                targets = [(k, t, b) for (k, t, _), b in zip(targets, scaled)]
        owner_account = accounts.at(owner)
        if signed:
            sig = allocation_signature(self.pool, owner_account, owner, model, targets, self.model.nonce[owner])
            send = lambda: self.pool.setAllocationBySig(model, owner, targets, FAR, sig, {"from": self.operator})  # noqa: E731
        else:
            send = lambda: self.pool.setAllocation(model, targets, {"from": owner_account})  # noqa: E731
        self.act(lambda m, now: m.set_allocation(owner, model, targets), send)

    def resolve(self, choice, results):
        closed = sorted(r for r in self.rounds if r < self.round)
        if not closed:
            return
        round_ = closed[choice % len(closed)]
        models = sorted(self.rounds.pop(round_))
        leaves = []
        for model, (payout_milli, burn_pct) in zip(models, results):
            payout = payout_milli * 10**15 + payout_milli  # odd wei amounts exercise the rounding
            stake = self.model.staked[(model, round_)]
            burn = stake * burn_pct // 100 if burn_pct < 50 else 0
            leaves.append((self.pool, model, payout if burn == 0 else 0, burn))
        leaves.append(("0x" + "11" * 20, self.models[0], NMR, 0))  # someone else's leaf
        tree = self.numerai.resolve(round_, leaves)
        resolved_at = chain[-1].timestamp
        for _, m, p, b in leaves[:-1]:
            self.leaves[(m, round_)] = (p, b, tree, resolved_at)

    def claim_args(self, key):
        (model, round_), (payout, burn, tree, _) = key, self.leaves[key]
        return (model, round_, payout, burn, tree.proof(self.pool.address, model))

    def claim(self, k, batch):
        key = self.leaf(k)
        if key is None:
            return
        if batch:  # this leaf and every other of its round, some of them perhaps booked already
            keys = [key] + [x for x in sorted(self.leaves) if x[1] == key[1] and x != key]
            claims = [self.claim_args(x) for x in keys]
            skipped = []
            tx = self.act(
                lambda m, now: None,
                lambda: self.pool.claimBatch(claims, {"from": self.operator}),
                commit=lambda m, now: skipped.extend(m.claim_batch([c[:4] for c in claims])),
            )
            booked = [c[0] for c, reason in zip(claims, skipped) if reason is None]
            assert [e["model"] for e in tx.events["RoundClaimed"]] == booked if booked else "RoundClaimed" not in tx.events
            reasons = [r for r in skipped if r is not None]
            events = list(tx.events["ClaimSkipped"]) if "ClaimSkipped" in tx.events else []
            assert len(events) == len(reasons), (skipped, events)
            STATS["skipped"] = STATS.get("skipped", 0) + len(reasons)
            STATS["claims"] = STATS.get("claims", 0) + len(booked)
        else:
            c = self.claim_args(key)
            if self.act(lambda m, now: m.claim(*c[:4]), lambda: self.pool.claim(*c, {"from": accounts[9]})):
                STATS["claims"] = STATS.get("claims", 0) + 1

    def finalize(self, k):
        """Numerai finalizes an unclaimed pool position whose grace period is over (if there is one)."""
        now = chain.time()
        due = [
            key for key in sorted(self.leaves)
            if key in self.model.staked and key not in self.model.finalized and now >= self.leaves[key][3] + GRACE + 5
        ]
        if not due:  # jump to the end of the grace of the earliest unclaimed position, if any
            open_ = [key for key in sorted(self.leaves) if key in self.model.staked and key not in self.model.finalized]
            if not open_:
                return
            key = min(open_, key=lambda x: self.leaves[x][3])
            chain.sleep(max(self.leaves[key][3] + GRACE + 5 - now, 0))
            due = [key]
        model, round_ = key = due[k % len(due)]
        payout, burn, tree, _ = self.leaves[key]
        self.numerai.tournament.finalize(
            round_, self.pool, model, payout, burn, tree.proof(self.pool.address, model), {"from": self.numerai.account}
        )
        self.model.finalize(model, round_, payout, burn)
        STATS["finalized"] = STATS.get("finalized", 0) + 1

    def reconcile(self, k):
        """Mostly a finalized position (booked once); sometimes any leaf (claimed, open, reconciled)."""
        finalized = sorted(self.model.finalized)
        key = finalized[k % len(finalized)] if finalized and k % 4 else self.leaf(k)
        if key is None:
            return
        c = self.claim_args(key)
        if self.act(lambda m, now: m.reconcile(*c[:4]), lambda: self.pool.reconcile(*c, {"from": accounts[9]})):
            STATS["reconciled"] = STATS.get("reconciled", 0) + 1

    def unstake(self, j, i, amount):
        model, u = self.models[j], self.owner_or_user(j, i)
        self.act(lambda m, now: m.unstake(str(u), model, amount), lambda: self.pool.unstake(model, amount, {"from": u}))

    def move_stake(self, j, i, k, amount):
        source, target, u = self.models[j], self.models[k % 4], self.owner_or_user(j, i)
        self.act(
            lambda m, now: m.move_stake(str(u), source, target, amount),
            lambda: self.pool.moveStake(source, target, amount, {"from": u}),
        )

    def invalidate_nonces(self, i):
        u = self.user(i)
        self.act(lambda m, now: m.invalidate_nonces(str(u)), lambda: self.pool.invalidateNonces({"from": u}))

    def free_withdrawal(self, i, amount, by_operator):
        u = self.user(i)
        if by_operator:
            request = withdrawal_request(self.pool, u, amount, nonce=self.model.withdrawal_nonce[str(u)])
            reasons = []
            tx = self.act(
                lambda m, now: None,
                lambda: self.pool.executeFreeWithdrawals([request], {"from": self.operator}),
                commit=lambda m, now: reasons.append(m.free_withdrawal_batch(str(u), amount, now)),
            )
            assert ("FreeWithdrawalSkipped" in tx.events) == (reasons[0] is not None), reasons
        else:
            self.act(
                lambda m, now: m.free_withdrawal(str(u), amount, now),
                lambda: self.pool.withdrawFree(amount, {"from": u}),
            )

    def express_withdrawal(self, i, amount, tight):
        u = self.user(i)
        fee = self.model.express_fee(amount)
        max_fee = max(fee - 1, 0) if tight and amount % 3 == 0 else fee
        self.act(
            lambda m, now: m.express_withdrawal(str(u), amount, max_fee),
            lambda: self.pool.withdrawExpress(amount, max_fee, {"from": u}),
        )

    def collect_fees(self):
        self.act(lambda m, now: m.collect_fees(), lambda: self.pool.collectFees({"from": accounts[9]}))

    def pause(self, flag):
        def predict(m, now):
            m.paused = flag

        self.act(predict, lambda: self.pool.setPaused(flag, {"from": self.env["admin"]}))

    def set_params(self, pick, up):
        a, b, c = pick
        cur = self.model.params
        if up:  # some fields raised (announced), others perhaps lowered
            new = Params(min(cur.free_withdrawal_period + a * DAY, 30 * DAY), min(cur.express_fee_bps + b * 50, 500),
                         min(cur.express_flat_fee + c * 10**15, 10 * NMR), cur.express_fee_cap)
        else:
            new = Params(max(cur.free_withdrawal_period - a * DAY, DAY), cur.express_fee_bps // 2,
                         cur.express_flat_fee, max(cur.express_fee_cap - c * 10**15, 0))
        self.act(
            lambda m, now: m.set_params(new, now),
            lambda: self.pool.setParams(new.as_tuple(), {"from": self.env["admin"]}),
        )

    def activate_params(self):
        self.act(lambda m, now: m.activate_params(now), lambda: self.pool.activateParams({"from": accounts[9]}))

    def sleep(self, days):
        chain.sleep(days * DAY)

    # ------------------------------------------------------------------ invariants

    def read_chain(self):
        """Everything the invariant compares, read in one batched JSON-RPC request."""
        holders = [self.pool, *self.users, self.env["treasury"]]
        calls = [
            (self.pool.balancesOf, (self.users, self.models)), (self.pool.accruedFees, ()), (self.pool.liabilities, ()),
            (self.pool.params, ()), (self.pool.pendingParams, ()),
        ]
        calls += [(self.nmr.balanceOf, (h,)) for h in holders]
        with web3.batch_requests() as batch:
            for fn, args in calls:
                batch.add(web3.eth.call({"to": fn._address, "data": fn.encode_input(*args)}))
            raw = batch.execute()
        return [fn.decode_output("0x" + bytes(r).hex()) for (fn, _), r in zip(calls, raw)]

    @invariant()
    def matches_the_model(self):
        STATS["steps"] += 1
        (users_v, models_v), fees, liabilities, params, (pending, effective_at), held, *wallets = self.read_chain()
        m = self.model
        internal = sum(u["liquid"] for u in users_v) + sum(v["idle"] for v in models_v) + fees
        assert liabilities == internal, "liabilities() != sum of internal balances"
        assert held == internal + m.unbooked, "pool NMR != internal balances + finalized NMR not yet reconciled"
        assert held == m.held()
        assert fees == m.fees
        assert tuple(params) == m.params.as_tuple()
        if m.pending is None:
            assert effective_at == 0
        else:
            assert (tuple(pending), effective_at) == (m.pending[0].as_tuple(), m.pending[1])
        for u, view in zip(self.users, users_v):
            a = str(u)
            assert (view["liquid"], view["lastFreeWithdrawalAt"], view["withdrawalNonce"], view["nonce"]) == (
                m.liquid[a], m.last_free[a], m.withdrawal_nonce[a], m.nonce[a]
            ), f"account of {a}"
        for holder, balance in zip([*self.users, self.env["treasury"]], wallets):
            assert balance == m.wallet[str(holder)], f"wallet of {holder}"
        for model, view in zip(self.models, models_v):
            b, p = m.buckets[model], m.policies[model]
            owner = view["owner"] if int(view["owner"], 16) else None
            assert (owner, view["idle"], view["atRisk"]) == (b.owner, b.idle, b.at_risk), f"bucket of {model}"
            assert (view["perRound"], view["mode"], view["compoundCredit"]) == (p.per_round, p.mode, p.credit)
            assert b.at_risk == sum(s for (mm, _), s in m.staked.items() if mm == model)


def test_pool_matches_reference_model(admin, attestor, operator, treasury, alice, bob, carol, numerai_account):
    nmr = MockNMR.deploy({"from": admin})
    registry = ModelRegistry.deploy(admin, attestor, {"from": admin})
    tournament = MockTournamentStaking.deploy(nmr, TOURNAMENT, numerai_account, numerai_account, {"from": admin})
    pool = PayoutPool.deploy(nmr, registry, tournament, admin, operator, treasury, {"from": admin})
    numerai = Numerai(tournament, nmr, numerai_account)
    numerai.fund()
    models = [model_id_from_uuid(u) for u in UUIDS]
    owners = [alice, alice, bob, carol]
    for model, owner in zip(models, owners):
        registry.attest(model, owner, TOURNAMENT, {"from": attestor})
    users = [alice, bob, carol]
    template = PoolModel(registry={m: str(o) for m, o in zip(models, owners)}, operator=str(operator), treasury=str(treasury))
    # Common starting state (before the snapshot every example starts from): deposits, stakes in
    # every model, and every model staked into rounds 1 and 2; the model replays the same operations.
    for u in users:
        nmr.faucet(u, 1000 * NMR, {"from": u})
        nmr.approve(pool, 2**256 - 1, {"from": u})
        template.wallet[str(u)] = 1000 * NMR
        pool.deposit(400 * NMR, {"from": u})
        template.deposit(str(u), 400 * NMR)
    template.wallet[str(treasury)] = nmr.balanceOf(treasury)
    for model, owner in zip(models, owners):
        pool.increaseStake(model, 150 * NMR, {"from": owner})
        template.increase_stake(str(owner), model, 150 * NMR)
        pool.setPolicy(model, 70 * NMR, FIXED, {"from": owner})
        template.set_policy(str(owner), model, 70 * NMR, FIXED)
        for round_ in (1, 2):  # most of each stake at risk
            auth, sig = numerai.authorize(pool, model, round_, 70 * NMR)
            pool.stake(model, 70 * NMR, auth, sig, {"from": operator})
            template.stake(str(operator), model, round_, 70 * NMR)
    PoolMachine.env = {
        "pool": pool, "nmr": nmr, "numerai": numerai, "users": users, "models": models, "operator": operator,
        "treasury": treasury, "admin": admin, "template": template, "round": 3, "rounds": {1: set(models), 2: set(models)},
    }
    chain.snapshot()
    started = time.time()
    run_state_machine_as_test(
        PoolMachine, settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=30,
            deadline=None,
            database=None,
            # A fixed sequence of examples: the run, its coverage check and its runtime are reproducible.
            derandomize=True,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
    print(f"\nstateful: {STATS['examples']} examples, {STATS['steps']} checked steps, "
          f"{STATS['reverts']} predicted reverts, {time.time() - started:.0f} s")
    print("actions drawn:", STATS.get("actions"))
    print(f"claims booked: {STATS.get('claims', 0)}, batch entries skipped: {STATS.get('skipped', 0)}, "
          f"finalized: {STATS.get('finalized', 0)}, reconciled: {STATS.get('reconciled', 0)}")
    assert STATS["examples"] >= EXAMPLES
    if EXAMPLES >= 50:
        # The run must have exercised every path that moves money, or the checks above prove little.
        for key in ("claims", "skipped", "finalized", "reconciled"):
            assert STATS.get(key, 0) > 0, key
