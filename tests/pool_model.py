"""A plain-Python reference model of PayoutPool's accounting, for the stateful test.

Written from the rules in IPayoutPool's NatSpec and docs/pool.md, not from the Solidity: every
operation checks in the same order as the contract and raises `Revert(name)` with the custom
error's name instead of changing anything, so a test can compare both the outcome and the revert.
Apply operations to a `copy.deepcopy` to predict without committing.
"""

from collections import defaultdict
from dataclasses import dataclass, field

BPS = 10_000
TRANCHES = 4
KIND_MODEL, KIND_WALLET, KIND_POOL = 0, 1, 2


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
    risk_round: int = 0


@dataclass
class Queue:
    unfilled: int = 0
    filled: int = 0
    last_round: int = 0


@dataclass
class Decrease:
    total: int = 0
    released: int = 0
    started_at: int = 0


@dataclass
class Params:
    free_withdrawal_period: int = 14 * 86400
    tranche_interval: int = 7 * 86400
    express_fee_bps: int = 50
    express_flat_fee: int = 5 * 10**17
    express_fee_cap: int = 5 * 10**18


@dataclass
class PoolModel:
    """The pool's state: users by address, models by id; `wallet` holds NMR outside the pool."""

    registry: dict
    operator: str
    treasury: str
    params: Params = field(default_factory=Params)
    liquid: dict = field(default_factory=lambda: defaultdict(int))
    last_free: dict = field(default_factory=lambda: defaultdict(int))
    withdrawal_nonce: dict = field(default_factory=lambda: defaultdict(int))
    allocation_nonce: dict = field(default_factory=lambda: defaultdict(int))
    wallet: dict = field(default_factory=lambda: defaultdict(int))
    buckets: dict = field(default_factory=lambda: defaultdict(Bucket))
    queues: dict = field(default_factory=lambda: defaultdict(Queue))
    decreases: dict = field(default_factory=lambda: defaultdict(Decrease))
    allocations: dict = field(default_factory=dict)
    staked: dict = field(default_factory=lambda: defaultdict(int))
    fees: int = 0
    paused: bool = False

    # ------------------------------------------------------------------ helpers

    def held(self) -> int:
        """NMR the pool must hold."""
        return (
            sum(self.liquid.values())
            + sum(b.idle for b in self.buckets.values())
            + sum(q.filled for q in self.queues.values())
            + self.fees
        )

    def _empty(self, model) -> bool:
        b, d = self.buckets[model], self.decreases[model]
        return b.idle == 0 and b.at_risk == 0 and d.total == d.released

    def _bind(self, model, user):
        b = self.buckets[model]
        if b.owner == user:
            return
        if self.registry.get(model) != user:
            raise Revert("PayoutPoolNotOwner")
        if b.owner is not None:
            if not self._empty(model):
                raise Revert("PayoutPoolModelInUse")
            self.allocations.pop(model, None)
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

    def stake(self, caller, model, round_, amount):
        if self.paused:
            raise Revert("PayoutPoolPaused")
        b = self.buckets[model]
        if caller != self.operator and (b.owner is None or caller != b.owner):
            raise Revert("PayoutPoolNotOperatorOrOwner")
        if amount == 0:
            raise Revert("PayoutPoolZeroAmount")
        if amount > b.idle:
            raise Revert("PayoutPoolInsufficientIdle")
        b.idle -= amount
        b.at_risk += amount
        self.staked[(model, round_)] += amount
        q = self.queues[model]
        q.last_round = max(q.last_round, round_)

    # ------------------------------------------------------------------ allocation

    def set_allocation(self, owner, model, targets, signed=False):
        if signed:
            self.allocation_nonce[owner] += 1
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
                    if self.registry.get(target) != owner or (t.owner is not None and not self._empty(target)):
                        raise Revert("PayoutPoolInvalidTarget")
                    self._bind(target, owner)
        if sum(bps for _, _, bps in targets) != BPS:
            raise Revert("PayoutPoolInvalidBpsSum")
        self.allocations[model] = list(targets)

    # ------------------------------------------------------------------ round results

    def claim(self, model, round_, payout, burn):
        """Books one round result; returns the split (self, models, pool, wallet)."""
        s = self.staked.get((model, round_), 0)
        if s == 0:
            raise Revert("PayoutPoolNothingStaked")
        if burn > s:
            raise Revert("PayoutPoolBurnAboveStake")
        del self.staked[(model, round_)]
        b = self.buckets[model]
        b.at_risk -= s
        principal = s - burn
        to_idle = principal
        if round_ <= b.risk_round:
            q, d = self.queues[model], self.decreases[model]
            burned = min(burn, q.unfilled)
            filled = min(principal, q.unfilled - burned)
            q.unfilled -= burned + filled
            q.filled += filled
            d.total -= burned
            if q.unfilled == 0:
                b.risk_round = 0
            to_idle = principal - filled
        split = self._route(model, b.owner, payout)
        b.idle += to_idle + split[0]
        self.liquid[b.owner] += split[2]
        self.wallet[b.owner] += split[3]
        return split

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

    # ------------------------------------------------------------------ decreases

    def request_decrease(self, user, model, amount, now):
        self._require_owner(model, user)
        d = self.decreases[model]
        if d.total != d.released:
            raise Revert("PayoutPoolDecreasePending")
        if amount == 0:
            raise Revert("PayoutPoolZeroAmount")
        b, q = self.buckets[model], self.queues[model]
        if amount > b.idle + b.at_risk:
            raise Revert("PayoutPoolDecreaseTooLarge")
        from_idle = min(amount, b.idle)
        unfilled = amount - from_idle
        b.idle -= from_idle
        b.risk_round = q.last_round if unfilled else 0
        q.unfilled, q.filled = unfilled, from_idle
        self.decreases[model] = Decrease(amount, 0, now)

    def reduce_decrease(self, user, model, amount):
        self._require_owner(model, user)
        if amount == 0:
            raise Revert("PayoutPoolZeroAmount")
        self._reduce(model, amount)

    def cancel_decrease(self, user, model):
        self._require_owner(model, user)
        d = self.decreases[model]
        self._reduce(model, d.total - d.released)

    def _reduce(self, model, amount):
        d, q, b = self.decreases[model], self.queues[model], self.buckets[model]
        remaining = d.total - d.released
        if remaining == 0:
            raise Revert("PayoutPoolNoDecrease")
        if amount > remaining:
            raise Revert("PayoutPoolDecreaseTooLarge")
        from_unfilled = min(amount, q.unfilled)
        from_filled = amount - from_unfilled
        q.unfilled -= from_unfilled
        q.filled -= from_filled
        d.total -= amount
        if q.unfilled == 0:
            b.risk_round = 0
        b.idle += from_filled

    def unlockable(self, model, now) -> int:
        d = self.decreases[model]
        if d.total == d.released:
            return 0
        tranches = min((now - d.started_at) // self.params.tranche_interval, TRANCHES)
        vested = d.total * tranches // TRANCHES
        if vested <= d.released:
            return 0
        return min(vested - d.released, self.queues[model].filled)

    def unlock(self, model, now) -> int:
        amount = self.unlockable(model, now)
        if amount == 0:
            raise Revert("PayoutPoolNothingToUnlock")
        self.queues[model].filled -= amount
        self.decreases[model].released += amount
        self.liquid[self.buckets[model].owner] += amount
        return amount

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

    def express_fee(self, amount) -> int:
        p = self.params
        return min(amount * p.express_fee_bps // BPS + p.express_flat_fee, p.express_fee_cap)

    def express_withdrawal(self, user, amount):
        if amount == 0:
            raise Revert("PayoutPoolZeroAmount")
        fee = self.express_fee(amount)
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
