"""Plain-Python reference model of the Marketplace's money rules.

The stateful test drives the contract and this model side by side; after every step every
account's figures and the NMR the contract holds must equal the model's. It mirrors the
contract's integer arithmetic (basis points, floor division, slash caps) but none of its code.
"""

from dataclasses import dataclass, field

BPS = 10_000
FILE, VERIFIED_FILE, STAKE = 0, 1, 2
PAID, DELIVERED, JUDGED, DISPUTED = 1, 2, 3, 4
NONE, CONSISTENT, SELLER_FAULT, BUYER_FAULT = 0, 1, 2, 3


@dataclass
class Rates:
    fee_bps: int
    min_bond_bps: int
    buyer_collateral_bps: int
    seller_slash_bps: int
    slash_to_buyer_bps: int
    buyer_slash_to_seller_bps: int
    dispute_reward_bps: int
    dispute_bond: int


@dataclass
class Windows:
    verdict: int
    challenge: int
    arbitration: int
    exit_notice: int


@dataclass
class Order:
    id: int
    seller: str
    buyer: str
    mode: int
    state: int
    verdict: int
    deadline: int
    fee_bps: int
    price: int
    collateral: int
    disputer: str | None = None
    dispute_bond: int = 0

    def as_tuple(self):
        """The struct the contract expects back."""
        return (self.id, self.seller, self.buyer, self.mode, self.state, self.verdict,
                self.deadline, self.fee_bps, self.price, self.collateral)

    def escrow(self):
        return self.price + self.collateral + self.dispute_bond


@dataclass
class Bid:
    buyer: str
    listing: int
    units: int
    price: int
    collateral: int
    deliver_by: int
    expiry: int


@dataclass
class Account:
    balance: int = 0
    fees_due: int = 0
    bond: int = 0
    exiting: int = 0
    unlock_at: int = 0
    exposure: int = 0
    fee_bps: int = 0
    min_bond_bps: int = 0
    sales: int = 0
    refunds: int = 0
    slashes: int = 0
    disputes_won: int = 0
    disputes_lost: int = 0


@dataclass
class MarketModel:
    rates: Rates
    windows: Windows
    accounts: dict = field(default_factory=dict)
    orders: dict = field(default_factory=dict)
    bids: dict = field(default_factory=dict)
    listings: dict = field(default_factory=dict)  # id -> (seller, mode)
    fees: int = 0

    def acct(self, address) -> Account:
        return self.accounts.setdefault(str(address), Account())

    # ---------------------------------------------------------------- custody
    def deposit(self, who, amount):
        self.acct(who).balance += amount

    def withdraw(self, who, amount):
        a = self.acct(who)
        assert a.balance >= amount
        a.balance -= amount

    def post_bond(self, who, amount):
        a = self.acct(who)
        a.balance -= amount
        a.bond += amount

    def required_bond(self, exposure, bps):
        return (exposure * bps + BPS - 1) // BPS

    def can_exit(self, who, amount):
        a = self.acct(who)
        return 0 < amount <= a.bond and a.bond - amount >= self.required_bond(a.exposure, a.min_bond_bps)

    def request_exit(self, who, amount, now):
        a = self.acct(who)
        a.bond -= amount
        a.exiting += amount
        a.unlock_at = now + self.windows.exit_notice

    def can_withdraw_bond(self, who, now):
        a = self.acct(who)
        return a.exiting > 0 and now >= a.unlock_at

    def withdraw_bond(self, who):
        a = self.acct(who)
        a.balance += a.exiting
        a.exiting, a.unlock_at = 0, 0

    def sweep(self, who_list):
        for who in who_list:
            a = self.acct(who)
            self.fees += a.fees_due
            a.fees_due = 0

    def withdraw_fees(self):
        amount, self.fees = self.fees, 0
        return amount

    # ---------------------------------------------------------------- listings and orders
    def create_listing(self, listing_id, seller, mode):
        a = self.acct(seller)
        a.fee_bps, a.min_bond_bps = self.rates.fee_bps, self.rates.min_bond_bps
        self.listings[listing_id] = (str(seller), mode)

    def collateral_for(self, mode, units):
        return units * 10**18 * self.rates.buyer_collateral_bps // BPS if mode == STAKE else 0

    def can_open(self, seller, buyer, price, collateral, paid_from_balance=True):
        s = self.acct(seller)
        if paid_from_balance and self.acct(buyer).balance < price + collateral:
            return False
        return s.bond >= self.required_bond(s.exposure + price, s.min_bond_bps)

    def open_order(self, order_id, listing_id, buyer, price, collateral, deliver_by, paid_from_balance=True):
        seller, mode = self.listings[listing_id]
        s = self.acct(seller)
        if paid_from_balance:
            self.acct(buyer).balance -= price + collateral
        s.exposure += price
        order = Order(order_id, seller, str(buyer), mode, PAID, NONE, deliver_by, s.fee_bps, price, collateral)
        self.orders[order_id] = order
        return order

    def post_bid(self, bid_id, listing_id, buyer, units, price, deliver_by, expiry):
        collateral = self.collateral_for(self.listings[listing_id][1], units)
        self.acct(buyer).balance -= price + collateral
        self.bids[bid_id] = Bid(str(buyer), listing_id, units, price, collateral, deliver_by, expiry)

    def cancel_bid(self, bid_id):
        bid = self.bids.pop(bid_id)
        self.acct(bid.buyer).balance += bid.price + bid.collateral

    def accept_bid(self, bid_id, order_id):
        bid = self.bids.pop(bid_id)
        return self.open_order(order_id, bid.listing, bid.buyer, bid.price, bid.collateral, bid.deliver_by, False)

    # ---------------------------------------------------------------- settlement
    def deliver(self, order, now):
        if order.mode == FILE:
            self.finalize(order, CONSISTENT)
        else:
            order.state, order.deadline = DELIVERED, now + self.windows.verdict

    def post_verdict(self, order, verdict, now):
        order.state, order.verdict, order.deadline = JUDGED, verdict, now + self.windows.challenge

    def dispute(self, order, who, now):
        self.acct(who).balance -= self.rates.dispute_bond
        order.disputer, order.dispute_bond = str(who), self.rates.dispute_bond
        order.state, order.deadline = DISPUTED, now + self.windows.arbitration

    def rule(self, order, ruling):
        bond, disputer = order.dispute_bond, order.disputer
        order.dispute_bond, order.disputer = 0, None
        won = ruling != order.verdict
        if won:
            self.acct(disputer).balance += bond
        else:
            reward = bond * self.rates.dispute_reward_bps // BPS
            other = order.seller if disputer == order.buyer else order.buyer
            self.acct(other).balance += reward
            self.fees += bond - reward
        s = self.acct(order.seller)
        if (disputer == order.seller) == won:
            s.disputes_won += 1
        else:
            s.disputes_lost += 1
        self.finalize(order, ruling)

    def settle_due(self, order):
        """The default outcome of a timed-out state."""
        if order.state == PAID:
            self.refund(order)
        elif order.state == DELIVERED:
            self.finalize(order, CONSISTENT)
        else:
            if order.state == DISPUTED:
                self.acct(order.disputer).balance += order.dispute_bond
                order.dispute_bond, order.disputer = 0, None
            self.finalize(order, order.verdict)

    def refund(self, order):
        del self.orders[order.id]
        s = self.acct(order.seller)
        s.exposure -= order.price
        self.acct(order.buyer).balance += order.price + order.collateral
        s.refunds += 1

    def finalize(self, order, verdict):
        del self.orders[order.id]
        s = self.acct(order.seller)
        s.exposure -= order.price
        if verdict == SELLER_FAULT:
            want = order.price * self.rates.seller_slash_bps // BPS
            from_bond = min(want, s.bond)
            from_exit = min(want - from_bond, s.exiting)
            s.bond -= from_bond
            s.exiting -= from_exit
            slashed = from_bond + from_exit
            to_buyer = slashed * self.rates.slash_to_buyer_bps // BPS
            self.acct(order.buyer).balance += order.price + order.collateral + to_buyer
            self.fees += slashed - to_buyer
            s.refunds += 1
            s.slashes += 1
            return
        fee = order.price * order.fee_bps // BPS
        to_seller = order.price - fee
        if verdict == BUYER_FAULT:
            from_collateral = order.collateral * self.rates.buyer_slash_to_seller_bps // BPS
            to_seller += from_collateral
            fee += order.collateral - from_collateral
        else:
            self.acct(order.buyer).balance += order.collateral
        s.balance += to_seller
        s.fees_due += fee
        s.sales += 1

    # ---------------------------------------------------------------- totals
    def owed(self):
        """Everything the contract must hold."""
        return (
            self.fees
            + sum(a.balance + a.fees_due + a.bond + a.exiting for a in self.accounts.values())
            + sum(o.escrow() for o in self.orders.values())
            + sum(b.price + b.collateral for b in self.bids.values())
        )
