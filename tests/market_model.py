"""Plain-Python reference model of the Marketplace's money rules.

The stateful test drives the contract and this model side by side; after every step every
account's figures and the NMR the contract holds must equal the model's. It mirrors the
contract's integer arithmetic (basis points, floor division, slash caps) but none of its code.

The rules (docs/market.md states them in prose): terms (rates and windows) are immutable
versions; a change becomes current TERMS_DELAY after it is set; a listing takes the current
version, its fee, its minimum bond ratio and its verdict window (at least the tournament's first
live score delay) when created, and every order of the listing settles under them. An order locks
`ceil(price × minBond)` of the seller's bond until it ends; a missed delivery refunds the buyer and
pays it MISSED_DELIVERY_BPS of that locked bond; a silent verifier gives a challenge window more
before release; plain files are released after the complaint window unless disputed.
"""

from dataclasses import dataclass, field

BPS = 10_000
FILE, VERIFIED_FILE, STAKE = 0, 1, 2
PAID, DELIVERED, JUDGED, DISPUTED = 1, 2, 3, 4
NONE, CONSISTENT, SELLER_FAULT, BUYER_FAULT = 0, 1, 2, 3


MISSED_DELIVERY_BPS = 5_000
MIN_REPUTATION_PRICE = 10**18
TERMS_DELAY = 3 * 86400


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
    complaint: int


@dataclass
class Listing:
    seller: str
    mode: int
    fee_bps: int
    min_bond_bps: int
    terms: int
    verdict_window: int


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
    terms: int
    verdict_window: int
    price: int
    collateral: int
    bond: int
    disputer: str | None = None
    dispute_bond: int = 0

    def as_tuple(self):
        """The struct the contract expects back."""
        return (self.id, self.seller, self.buyer, self.mode, self.state, self.verdict, self.deadline,
                self.fee_bps, self.terms, self.verdict_window, self.price, self.collateral, self.bond)

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
    locked: int = 0
    sales: int = 0
    volume: int = 0
    refunds: int = 0
    slashes: int = 0
    disputes_won: int = 0
    disputes_lost: int = 0


def first_score_delay(tournament):
    return 4 * 86400 if tournament in (8, 12) else 7 * 86400


@dataclass
class MarketModel:
    rates: Rates
    windows: Windows
    accounts: dict = field(default_factory=dict)
    orders: dict = field(default_factory=dict)
    bids: dict = field(default_factory=dict)
    listings: dict = field(default_factory=dict)  # id -> Listing
    terms: dict = field(default_factory=dict)  # id -> (Rates, Windows)
    active: int = 1
    pending: int = 0
    pending_from: int = 0
    fees: int = 0

    def __post_init__(self):
        self.terms[1] = (self.rates, self.windows)

    def acct(self, address) -> Account:
        return self.accounts.setdefault(str(address), Account())

    # ---------------------------------------------------------------- terms
    def current_terms(self, now):
        return self.pending if self.pending and now >= self.pending_from else self.active

    def schedule(self, now, rates=None, windows=None):
        """setRates / setWindows: a new version built on the newest one, current after the delay."""
        base = self.terms[self.pending or self.active]
        self.active = self.current_terms(now)
        new_id = len(self.terms) + 1
        self.terms[new_id] = (rates or base[0], windows or base[1])
        self.pending, self.pending_from = new_id, now + TERMS_DELAY
        return new_id

    def order_rates(self, order):
        return self.terms[order.terms][0]

    def order_windows(self, order):
        return self.terms[order.terms][1]

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

    @staticmethod
    def required_bond(price, bps):
        return (price * bps + BPS - 1) // BPS

    def can_exit(self, who, amount):
        a = self.acct(who)
        return 0 < amount <= a.bond and a.bond - amount >= a.locked

    def request_exit(self, who, amount, now):
        a = self.acct(who)
        a.bond -= amount
        a.exiting += amount
        a.unlock_at = now + self.terms[self.current_terms(now)][1].exit_notice

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
    def create_listing(self, listing_id, seller, mode, now, tournament=8):
        terms_id = self.current_terms(now)
        rates, windows = self.terms[terms_id]
        window = max(windows.verdict, first_score_delay(tournament))
        self.listings[listing_id] = Listing(str(seller), mode, rates.fee_bps, rates.min_bond_bps, terms_id, window)

    def collateral_for(self, listing_id, units):
        listing = self.listings[listing_id]
        bps = self.terms[listing.terms][0].buyer_collateral_bps
        return units * 10**18 * bps // BPS if listing.mode == STAKE else 0

    def can_open(self, listing_id, buyer, price, collateral, paid_from_balance=True):
        listing = self.listings[listing_id]
        s = self.acct(listing.seller)
        if paid_from_balance and self.acct(buyer).balance < price + collateral:
            return False
        return s.bond >= s.locked + self.required_bond(price, listing.min_bond_bps)

    def open_order(self, order_id, listing_id, buyer, price, collateral, deliver_by, paid_from_balance=True):
        listing = self.listings[listing_id]
        s = self.acct(listing.seller)
        if paid_from_balance:
            self.acct(buyer).balance -= price + collateral
        bond = self.required_bond(price, listing.min_bond_bps)
        s.locked += bond
        order = Order(order_id, listing.seller, str(buyer), listing.mode, PAID, NONE, deliver_by, listing.fee_bps,
                      listing.terms, listing.verdict_window, price, collateral, bond)
        self.orders[order_id] = order
        return order

    def post_bid(self, bid_id, listing_id, buyer, units, price, deliver_by, expiry):
        collateral = self.collateral_for(listing_id, units)
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
            order.state, order.verdict = JUDGED, CONSISTENT
            order.deadline = now + self.order_windows(order).complaint
        else:
            order.state, order.deadline = DELIVERED, now + order.verdict_window

    def post_verdict(self, order, verdict, now):
        order.state, order.verdict = JUDGED, verdict
        order.deadline = now + self.order_windows(order).challenge

    def dispute_end(self, order):
        """Last second a dispute is accepted, or None if the state cannot be disputed."""
        if order.state == JUDGED:
            return order.deadline
        if order.state == DELIVERED:
            return order.deadline + self.order_windows(order).challenge
        return None

    def can_dispute(self, order, now):
        end = self.dispute_end(order)
        if end is None or now > end:
            return False
        return order.state == JUDGED or now > order.deadline

    def dispute(self, order, who, now):
        bond = self.order_rates(order).dispute_bond
        self.acct(who).balance -= bond
        order.disputer, order.dispute_bond = str(who), bond
        if order.verdict == NONE:
            order.verdict = CONSISTENT
        order.state, order.deadline = DISPUTED, now + self.order_windows(order).arbitration

    def rule(self, order, ruling):
        bond, disputer = order.dispute_bond, order.disputer
        order.dispute_bond, order.disputer = 0, None
        won = ruling != order.verdict
        if won:
            self.acct(disputer).balance += bond
        else:
            reward = bond * self.order_rates(order).dispute_reward_bps // BPS
            other = order.seller if disputer == order.buyer else order.buyer
            self.acct(other).balance += reward
            self.fees += bond - reward
        s = self.acct(order.seller)
        if (disputer == order.seller) == won:
            s.disputes_won += 1
        else:
            s.disputes_lost += 1
        self.finalize(order, ruling)

    def due_at(self, order):
        if order.state == DELIVERED:
            return order.deadline + self.order_windows(order).challenge
        return order.deadline

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

    def slash(self, s, want):
        from_bond = min(want, s.bond)
        from_exit = min(want - from_bond, s.exiting)
        s.bond -= from_bond
        s.exiting -= from_exit
        return from_bond + from_exit

    def refund(self, order):
        del self.orders[order.id]
        s = self.acct(order.seller)
        s.locked -= order.bond
        penalty = self.slash(s, order.bond * MISSED_DELIVERY_BPS // BPS)
        self.acct(order.buyer).balance += order.price + order.collateral + penalty
        s.refunds += 1
        if penalty:
            s.slashes += 1

    def finalize(self, order, verdict):
        del self.orders[order.id]
        s = self.acct(order.seller)
        s.locked -= order.bond
        rates = self.order_rates(order)
        if verdict == SELLER_FAULT:
            slashed = self.slash(s, order.price * rates.seller_slash_bps // BPS)
            to_buyer = slashed * rates.slash_to_buyer_bps // BPS
            self.acct(order.buyer).balance += order.price + order.collateral + to_buyer
            self.fees += slashed - to_buyer
            s.refunds += 1
            s.slashes += 1
            return
        fee = order.price * order.fee_bps // BPS
        to_seller = order.price - fee
        if verdict == BUYER_FAULT:
            from_collateral = order.collateral * rates.buyer_slash_to_seller_bps // BPS
            to_seller += from_collateral
            fee += order.collateral - from_collateral
        else:
            self.acct(order.buyer).balance += order.collateral
        s.balance += to_seller
        s.fees_due += fee
        if order.price >= MIN_REPUTATION_PRICE and order.buyer != order.seller:
            s.sales += 1
            s.volume += order.price // 10**9

    # ---------------------------------------------------------------- totals
    def owed(self):
        """Everything the contract must hold."""
        return (
            self.fees
            + sum(a.balance + a.fees_due + a.bond + a.exiting for a in self.accounts.values())
            + sum(o.escrow() for o in self.orders.values())
            + sum(b.price + b.collateral for b in self.bids.values())
        )
