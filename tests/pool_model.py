"""A plain-Python reference model of PayoutPool's accounting (v2), for the stateful test.

Written from the rules in IPayoutPool's NatSpec and docs/pool.md, not from the Solidity: every
operation checks in the same order as the contract and raises `Revert(name)` with the custom
error's name instead of changing anything, so a test can compare both the outcome and the revert.
Apply operations to a `copy.deepcopy` to predict without committing. Batches apply each entry to a
copy and keep it only if it did not revert (the contract skips failing entries).
"""

import copy
from collections import defaultdict
from dataclasses import dataclass, field

BPS = 10_000
KIND_MODEL, KIND_WALLET, KIND_POOL = 0, 1, 2
FIXED, COMPOUND = 0, 1
CHANGE_DELAY = 31 * 86400


class Revert(Exception):
    """The contract is expected to revert with the custom error `name`."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


@dataclass
class Bucket:
    owner: str | None = None
    idle: int = 0
    at_risk: int = 0


@dataclass
class Policy:
    per_round: int = 0
    mode: int = FIXED
    credit: int = 0


@dataclass
class Params:
    free_withdrawal_period: int = 14 * 86400
    express_fee_bps: int = 50
    express_flat_fee: int = 5 * 10**17
    express_fee_cap: int = 5 * 10**18

    def as_tuple(self):
        return (self.free_withdrawal_period, self.express_fee_bps, self.express_flat_fee, self.express_fee_cap)


@dataclass
class PoolModel:
    """The pool's state: users by address, models by id; `wallet` holds NMR outside the pool;
    `unbooked` is NMR the tournament sent for finalized positions not yet reconciled."""

    registry: dict
    operator: str
    treasury: str
    params: Params = field(default_factory=Params)
    pending: tuple | None = None  # (Params, effective_at)
    liquid: dict = field(default_factory=lambda: defaultdict(int))
    last_free: dict = field(default_factory=lambda: defaultdict(int))
    withdrawal_nonce: dict = field(default_factory=lambda: defaultdict(int))
    nonce: dict = field(default_factory=lambda: defaultdict(int))
    wallet: dict = field(default_factory=lambda: defaultdict(int))
    buckets: dict = field(default_factory=lambda: defaultdict(Bucket))
    policies: dict = field(default_factory=lambda: defaultdict(Policy))
    allocations: dict = field(default_factory=dict)
    staked: dict = field(default_factory=lambda: defaultdict(int))
    finalized: dict = field(default_factory=dict)  # (model, round) -> (payout, burn), not yet reconciled
    unbooked: int = 0
    fees: int = 0
    paused: bool = False

    # ------------------------------------------------------------------ helpers

    def liabilities(self) -> int:
        """What the pool owes inside itself: liquid + idle + fees."""
        return sum(self.liquid.values()) + sum(b.idle for b in self.buckets.values()) + self.fees

    def held(self) -> int:
        """NMR the pool must hold."""
        return self.liabilities() + self.unbooked

    def _bind(self, model, user):
        b = self.buckets[model]
        if b.owner == user:
            return
        if self.registry.get(model) != user:
            raise Revert("PayoutPoolNotOwner")
        if b.owner is not None:
            if b.idle or b.at_risk:
                raise Revert("PayoutPoolModelInUse")
            self.allocations.pop(model, None)
            self.policies.pop(model, None)
        b.owner = user

    def _require_owner(self, model, user):
        if self.buckets[model].owner != user:
            raise Revert("PayoutPoolNotOwner")

    # ------------------------------------------------------------------ balances

    def deposit(self, user, amount):
        if amount == 0:
            raise Revert("PayoutPoolZeroAmount")
        if amount > self.wallet[user]:
            raise Revert("ERC20InsufficientBalance")
        self.wallet[user] -= amount
        self.liquid[user] += amount

    def increase_stake(self, user, model, amount):
        if amount == 0:
            raise Revert("PayoutPoolZeroAmount")
        self._bind(model, user)
        if amount > self.liquid[user]:
            raise Revert("PayoutPoolInsufficientLiquid")
        self.liquid[user] -= amount
        self.buckets[model].idle += amount

    def unstake(self, user, model, amount):
        self._require_owner(model, user)
        if amount == 0:
            raise Revert("PayoutPoolZeroAmount")
        b = self.buckets[model]
        if amount > b.idle:
            raise Revert("PayoutPoolInsufficientIdle")
        b.idle -= amount
        self.liquid[user] += amount

    def move_stake(self, user, source, target, amount):
        self._require_owner(source, user)
        if source == target:
            raise Revert("PayoutPoolSameModel")
        if amount == 0:
            raise Revert("PayoutPoolZeroAmount")
        if amount > self.buckets[source].idle:
            raise Revert("PayoutPoolInsufficientIdle")
        self._bind(target, user)
        self.buckets[source].idle -= amount
        self.buckets[target].idle += amount

    def stake(self, caller, model, round_, amount):
        if self.paused:
            raise Revert("PayoutPoolPaused")
        if amount == 0:
            raise Revert("PayoutPoolZeroAmount")
        b = self.buckets[model]
        in_round = self.staked.get((model, round_), 0) + amount
        if b.owner is None or caller != b.owner:
            if caller != self.operator:
                raise Revert("PayoutPoolNotOperatorOrOwner")
            p = self.policies[model]
            allowed = 0 if p.per_round == 0 else p.per_round + (p.credit if p.mode == COMPOUND else 0)
            if in_round > allowed:
                raise Revert("PayoutPoolAbovePolicy")
        if amount > b.idle:
            raise Revert("PayoutPoolInsufficientIdle")
        b.idle -= amount
        b.at_risk += amount
        self.staked[(model, round_)] = in_round
        self.policies[model].credit = 0

    # ------------------------------------------------------------------ policy, allocation, nonces

    def set_policy(self, owner, model, per_round, mode):
        """Direct or signed (the signature is checked by the caller of the model): bumps the nonce."""
        self.nonce[owner] += 1
        self._bind(model, owner)
        if per_round >= 2**96:
            raise Revert("PayoutPoolInvalidPolicy")
        self.policies[model] = Policy(per_round, mode, 0)

    def set_allocation(self, owner, model, targets):
        self.nonce[owner] += 1
        self._bind(model, owner)
        if not 1 <= len(targets) <= 8:
            raise Revert("PayoutPoolInvalidTargetCount")
        for kind, target, bps in targets:
            if bps == 0 or bps > BPS:
                raise Revert("PayoutPoolInvalidTarget")
            if kind != KIND_MODEL:
                if int(target, 16) != 0:
                    raise Revert("PayoutPoolInvalidTarget")
            elif target != model:
                t = self.buckets[target]
                if t.owner != owner:
                    if self.registry.get(target) != owner or t.idle or t.at_risk:
                        raise Revert("PayoutPoolInvalidTarget")
                    self._bind(target, owner)
        if sum(bps for _, _, bps in targets) != BPS:
            raise Revert("PayoutPoolInvalidBpsSum")
        self.allocations[model] = list(targets)

    def invalidate_nonces(self, user):
        self.nonce[user] += 1
        self.withdrawal_nonce[user] += 1

    # ------------------------------------------------------------------ round results

    def _apply_result(self, model, round_, payout, burn):
        s = self.staked.get((model, round_), 0)
        if s == 0:
            raise Revert("PayoutPoolNothingStaked")
        if burn > s:
            raise Revert("PayoutPoolBurnAboveStake")
        del self.staked[(model, round_)]
        b = self.buckets[model]
        b.at_risk -= s
        split = self._route(model, b.owner, payout)
        credit = s - burn + split[0]
        b.idle += credit
        p = self.policies[model]
        if p.mode == COMPOUND:
            p.credit += credit
        self.liquid[b.owner] += split[2]
        self.wallet[b.owner] += split[3]
        return split

    def claim(self, model, round_, payout, burn):
        """Books one round result; returns the split (self, models, pool, wallet)."""
        split = self._apply_result(model, round_, payout, burn)
        if (model, round_) in self.finalized:
            raise Revert("MockTournamentNoStake")
        return split

    def claim_batch(self, claims) -> list[str | None]:
        """Each claim on its own: a reverting one is skipped. Returns the skip reasons (None = booked)."""
        reasons = []
        for c in claims:
            trial = copy.deepcopy(self)
            try:
                trial.claim(*c)
            except Revert as r:
                reasons.append(r.name)
                continue
            self.__dict__.update(trial.__dict__)
            reasons.append(None)
        return reasons

    def finalize(self, model, round_, payout, burn):
        """Numerai finalizes the pool's unclaimed position: its NMR arrives, owed to nobody yet."""
        s = self.staked[(model, round_)]
        self.finalized[(model, round_)] = (payout, burn)
        self.unbooked += s + payout - burn

    def reconcile(self, model, round_, payout, burn):
        if self.staked.get((model, round_), 0) == 0:
            raise Revert("PayoutPoolNothingStaked")
        if (model, round_) not in self.finalized:
            raise Revert("PayoutPoolNotFinalized")
        s = self.staked[(model, round_)]
        available = self.unbooked
        self._apply_result(model, round_, payout, burn)
        if s - burn + payout > available:
            raise Revert("PayoutPoolUnbackedCredit")
        del self.finalized[(model, round_)]
        self.unbooked -= s - burn + payout

    def _route(self, model, owner, payout):
        if self.paused:
            return (0, 0, payout, 0)
        targets = self.allocations.get(model)
        if not targets:
            return (payout, 0, 0, 0)
        to_self = to_models = to_pool = to_wallet = 0
        left = payout
        for i, (kind, target, bps) in enumerate(targets):
            share = left if i == len(targets) - 1 else payout * bps // BPS
            left -= share
            if kind == KIND_MODEL and target == model:
                to_self += share
            elif kind == KIND_MODEL:
                if self.buckets[target].owner == owner:
                    self.buckets[target].idle += share
                    to_models += share
                else:
                    to_pool += share
            elif kind == KIND_WALLET:
                to_wallet += share
            else:
                to_pool += share
        return (to_self, to_models, to_pool, to_wallet)

    # ------------------------------------------------------------------ withdrawals

    def free_withdrawal(self, user, amount, now):
        last = self.last_free[user]
        if last != 0 and now < last + self.params.free_withdrawal_period:
            raise Revert("PayoutPoolFreeWithdrawalTooSoon")
        if amount == 0:
            raise Revert("PayoutPoolZeroAmount")
        if amount > self.liquid[user]:
            raise Revert("PayoutPoolInsufficientLiquid")
        self.liquid[user] -= amount
        self.withdrawal_nonce[user] += 1
        self.last_free[user] = now
        self.wallet[user] += amount

    def free_withdrawal_batch(self, user, amount, now) -> str | None:
        """One signed request in the operator's batch: skipped (reason returned) instead of reverting."""
        trial = copy.deepcopy(self)
        try:
            trial.free_withdrawal(user, amount, now)
        except Revert as r:
            return r.name
        self.__dict__.update(trial.__dict__)
        return None

    def express_fee(self, amount) -> int:
        p = self.params
        return min(amount * p.express_fee_bps // BPS + p.express_flat_fee, p.express_fee_cap)

    def express_withdrawal(self, user, amount, max_fee):
        if amount == 0:
            raise Revert("PayoutPoolZeroAmount")
        fee = self.express_fee(amount)
        if fee > max_fee:
            raise Revert("PayoutPoolFeeAboveMax")
        if fee >= amount:
            raise Revert("PayoutPoolFeeNotBelowAmount")
        if amount > self.liquid[user]:
            raise Revert("PayoutPoolInsufficientLiquid")
        self.liquid[user] -= amount
        self.fees += fee
        self.wallet[user] += amount - fee

    def collect_fees(self):
        if self.fees == 0:
            raise Revert("PayoutPoolNoFees")
        self.wallet[self.treasury] += self.fees
        self.fees = 0

    # ------------------------------------------------------------------ governance

    def set_params(self, new: Params, now):
        cur = self.params
        increase = any(n > c for n, c in zip(new.as_tuple(), cur.as_tuple()))
        self.params = Params(*(min(n, c) for n, c in zip(new.as_tuple(), cur.as_tuple())))
        self.pending = (new, now + CHANGE_DELAY) if increase else None

    def activate_params(self, now):
        if self.pending is None:
            raise Revert("PayoutPoolNothingAnnounced")
        new, effective_at = self.pending
        if now < effective_at:
            raise Revert("PayoutPoolNotYetEffective")
        self.pending = None
        self.params = new
