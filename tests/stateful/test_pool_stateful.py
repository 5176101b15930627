"""Random sequences of pool actions checked against tests/pool_model.py after every step.

After each step: the pool's NMR balance equals the sum of all internal balances (conservation),
every user's account and every model's bucket equal the reference model's (so no account changed
by another's action except by the rules), wallets and the treasury got exactly what the model says,
and a reverted action reverted with the custom error the model predicted.
"""

import copy
import os
import time

from brownie import MockNMR, MockTournamentStaking, ModelRegistry, PayoutPool, accounts, chain, web3
from brownie.exceptions import VirtualMachineError
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from agent.models import model_id_from_uuid
from tests.pool_model import KIND_MODEL, PoolModel, Revert
from tests.unitary.PayoutPool.helpers import (
    FAR, NMR, TOURNAMENT, ZERO_MODEL, Numerai, allocation_signature, withdrawal_request,
)

DAY = 86400
UUIDS = [f"7d1c0000-0000-4000-8000-00000000000{i}" for i in range(4)]
AMOUNT = st.integers(min_value=0, max_value=400).map(lambda x: x * NMR // 4 + x)  # odd wei for rounding
# POOL_EXAMPLES lowers the example count for quick local runs; the suite's default is 50.
EXAMPLES = int(os.environ.get("POOL_EXAMPLES", "50"))
ACTIONS = [
    "deposit", "increase", "increase", "stake", "stake", "next_round", "next_round", "set_allocation",
    "resolve_and_claim", "resolve_and_claim", "resolve_and_claim", "request_decrease", "request_decrease",
    "reduce_decrease", "cancel_decrease", "unlock", "unlock", "free_withdrawal", "express_withdrawal",
    "collect_fees", "pause", "sleep", "sleep",
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

    # ------------------------------------------------------------------ rules

    # One rule that dispatches to every action: hypothesis's swarm testing disables a random subset
    # of rules per example, which with 15 rules left whole runs without claims or deposits. Core
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
            "set_allocation": lambda: self.set_allocation(j, picks, flag, keep_sum),
            "resolve_and_claim": lambda: self.resolve_and_claim(i + j, results, flag),
            "request_decrease": lambda: self.request_decrease(j, i, amount),
            "reduce_decrease": lambda: self.reduce_decrease(self.pending(j), i, amount),
            "cancel_decrease": lambda: self.cancel_decrease(self.pending(j), i),
            "unlock": lambda: self.unlock(self.pending(j)),
            "free_withdrawal": lambda: self.free_withdrawal(i, amount),
            "express_withdrawal": lambda: self.express_withdrawal(i, amount),
            "collect_fees": self.collect_fees,
            "pause": lambda: self.pause(flag and keep_sum < 3),
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
            nonce = self.model.allocation_nonce[owner]
            sig = allocation_signature(self.pool, owner_account, owner, model, targets, nonce)
            send = lambda: self.pool.setAllocationBySig(model, owner, targets, FAR, sig, {"from": self.operator})  # noqa: E731
        else:
            send = lambda: self.pool.setAllocation(model, targets, {"from": owner_account})  # noqa: E731
        self.act(lambda m, now: m.set_allocation(owner, model, targets, signed), send)

    def resolve_and_claim(self, choice, results, batch):
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
        claims = [(m, round_, p, b, tree.proof(self.pool.address, m)) for _, m, p, b in leaves[:-1]]
        if batch:
            txs = [
                self.act(
                    lambda m, now: [m.claim(c[0], c[1], c[2], c[3]) for c in claims],
                    lambda: self.pool.claimBatch(claims, {"from": self.operator}),
                )
            ]
        else:
            txs = [
                self.act(lambda m, now, c=c: m.claim(c[0], c[1], c[2], c[3]), lambda c=c: self.pool.claim(*c, {"from": accounts[9]}))
                for c in claims
            ]
        for tx in txs:
            if tx is not None:
                STATS["claims"] = STATS.get("claims", 0) + len(tx.events["RoundClaimed"])
                if "DecreaseSettled" in tx.events:
                    STATS["settled"] = STATS.get("settled", 0) + len(tx.events["DecreaseSettled"])

    def request_decrease(self, j, i, amount):
        model, u = self.models[j], self.owner_or_user(j, i)
        self.act(
            lambda m, now: m.request_decrease(str(u), model, amount, now),
            lambda: self.pool.requestDecrease(model, amount, {"from": u}),
        )

    def reduce_decrease(self, j, i, amount):
        model, u = self.models[j], self.owner_or_user(j, i)
        self.act(
            lambda m, now: m.reduce_decrease(str(u), model, amount),
            lambda: self.pool.reduceDecrease(model, amount, {"from": u}),
        )

    def cancel_decrease(self, j, i):
        model, u = self.models[j], self.owner_or_user(j, i)
        self.act(lambda m, now: m.cancel_decrease(str(u), model), lambda: self.pool.cancelDecrease(model, {"from": u}))

    def unlock(self, j):
        model = self.models[j]
        unlocked = []
        tx = self.act(
            lambda m, now: m.unlock(model, now),
            lambda: self.pool.unlock(model, {"from": accounts[9]}),
            commit=lambda m, now: unlocked.append(m.unlock(model, now)),
        )
        if tx is not None:
            assert tx.events["Unlocked"]["amount"] == unlocked[0]

    def free_withdrawal(self, i, amount):
        u = self.user(i)
        request = withdrawal_request(self.pool, u, amount, nonce=self.model.withdrawal_nonce[str(u)])
        self.act(
            lambda m, now: m.free_withdrawal(str(u), amount, now),
            lambda: self.pool.executeFreeWithdrawals([request], {"from": self.operator}),
        )

    def express_withdrawal(self, i, amount):
        u = self.user(i)
        self.act(lambda m, now: m.express_withdrawal(str(u), amount), lambda: self.pool.withdrawExpress(amount, {"from": u}))

    def collect_fees(self):
        self.act(lambda m, now: m.collect_fees(), lambda: self.pool.collectFees({"from": accounts[9]}))

    def pause(self, flag):
        def predict(m, now):
            m.paused = flag

        self.act(predict, lambda: self.pool.setPaused(flag, {"from": self.env["admin"]}))

    def sleep(self, days):
        chain.sleep(days * DAY)

    def pending(self, j):
        """Index of a model with a pending decrease when there is one (else `j`)."""
        pending = [k for k, m in enumerate(self.models) if self.model.decreases[m].total != self.model.decreases[m].released]
        return pending[j % len(pending)] if pending else j

    def owner_or_user(self, j, i):
        """Mostly the model's owner, sometimes another user (whose attempt must revert)."""
        return accounts.at(self.model.registry[self.models[j]]) if i else self.user(j + 1)

    # ------------------------------------------------------------------ invariants

    def read_chain(self):
        """Everything the invariant compares, read in one batched JSON-RPC request."""
        holders = [self.pool, *self.users, self.env["treasury"]]
        calls = [(self.pool.balancesOf, (self.users, self.models)), (self.pool.accruedFees, ())]
        calls += [(self.nmr.balanceOf, (h,)) for h in holders]
        with web3.batch_requests() as batch:
            for fn, args in calls:
                batch.add(web3.eth.call({"to": fn._address, "data": fn.encode_input(*args)}))
            raw = batch.execute()
        (users_v, models_v), fees, held, *wallets = [fn.decode_output("0x" + bytes(r).hex()) for (fn, _), r in zip(calls, raw)]
        return users_v, models_v, fees, held, wallets

    @invariant()
    def matches_the_model(self):
        STATS["steps"] += 1
        users_v, models_v, fees, held, wallets = self.read_chain()
        m = self.model
        internal = sum(u["liquid"] for u in users_v) + sum(v["idle"] + v["decreaseFilled"] for v in models_v) + fees
        assert held == internal, "pool NMR != sum of internal balances"
        assert held == m.held()
        assert fees == m.fees
        for u, view in zip(self.users, users_v):
            a = str(u)
            assert (view["liquid"], view["lastFreeWithdrawalAt"], view["withdrawalNonce"], view["allocationNonce"]) == (
                m.liquid[a], m.last_free[a], m.withdrawal_nonce[a], m.allocation_nonce[a]
            ), f"account of {a}"
        for holder, balance in zip([*self.users, self.env["treasury"]], wallets):
            assert balance == m.wallet[str(holder)], f"wallet of {holder}"
        for model, view in zip(self.models, models_v):
            b, q, d = m.buckets[model], m.queues[model], m.decreases[model]
            owner = view["owner"] if int(view["owner"], 16) else None
            assert (owner, view["idle"], view["atRisk"], view["lastRound"]) == (b.owner, b.idle, b.at_risk, q.last_round)
            assert (view["decreaseTotal"], view["decreaseReleased"], view["decreaseFilled"], view["decreaseUnfilled"]) == (
                d.total, d.released, q.filled, q.unfilled
            )
            assert (view["decreaseRiskRound"], view["decreaseStartedAt"]) == (b.risk_round, d.started_at)
            # the queue's at-risk part is backed by unclaimed stakes of its risk rounds
            backing = sum(s for (mm, r), s in m.staked.items() if mm == model and r <= b.risk_round)
            assert q.unfilled <= backing


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
        for round_ in (1, 2):  # most of each stake at risk, so decreases queue at-risk NMR
            auth, sig = numerai.authorize(pool, model, round_, 70 * NMR)
            pool.stake(model, 70 * NMR, auth, sig, {"from": operator})
            template.stake(str(operator), model, round_, 70 * NMR)
    PoolMachine.env = {
        "pool": pool, "nmr": nmr, "numerai": numerai, "users": users, "models": models, "operator": operator,
        "treasury": treasury, "admin": admin, "template": template, "round": 3, "rounds": {1: set(models), 2: set(models)},
    }
    chain.snapshot()
    started = time.time()
    run_state_machine_as_test(PoolMachine, settings=settings(max_examples=EXAMPLES, stateful_step_count=30, deadline=None))
    print(f"\nstateful: {STATS['examples']} examples, {STATS['steps']} checked steps, "
          f"{STATS['reverts']} predicted reverts, {time.time() - started:.0f} s")
    print("actions drawn:", STATS.get("actions"))
    print(f"claims booked: {STATS.get('claims', 0)}, of which settled a queued decrease: {STATS.get('settled', 0)}")
    assert STATS["examples"] >= EXAMPLES
