"""Stateful test of the Marketplace against the plain-Python model in tests/market_model.py.

Random sequences of fills, bids, deliveries, verdicts, disputes (also after a silent verifier),
rulings, settlements, bond exits, withdrawals, time jumps, and the admin's moves: new rates and
windows (delayed, reaching only listings created after they apply), new listings, and verifier and
arbiter roles revoked and granted again (delayed). After every step the contract's NMR balance must equal what it owes
(balances, fees due, bonds, exiting bonds, order and bid escrows, accrued fees), and every
account's figures must equal the model's. At the end every open order is driven to a terminal
state by anyone after the deadlines, and every bid is cancelled, with no trusted party.
"""

import copy
import os
from collections import Counter

import brownie
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.market_model import (
    CONSISTENT,
    DELIVERED,
    DISPUTED,
    FILE,
    JUDGED,
    PAID,
    STAKE,
    VERIFIED_FILE,
    TERMS_DELAY,
    MarketModel,
    Rates,
    Windows,
)
from tests.unitary.market_fixtures import (
    BOUNDS,
    DAY,
    NMR,
    RATES,
    ROLE_DELAY,
    WINDOWS,
    deploy_market,
    fund,
    ladder,
    sign_ladder,
    signer_account,
)

UNIT_PRICE = {VERIFIED_FILE: 10 * NMR, FILE: 4 * NMR, STAKE: NMR // 10}
MARGIN = 5  # seconds: states this close to their deadline are left alone (block time may differ)
HASH = "0x" + "ab" * 32
# verdict, challenge, arbitration windows as in the unit tests; a 2-day exit notice so bond exits
# complete within an example; a 2-day complaint window.
STATEFUL_WINDOWS = (DAY, 2 * DAY, 3 * DAY, 2 * DAY, 2 * DAY)
# What the admin switches to during a run. Windows stay short enough for the teardown's 10 days:
# verdict (at least 4 days for a classic model) + challenge, or arbitration, below 10 days.
RATE_SETS = [
    RATES,
    (500, 10_000, 2_000, 5_000, 2_500, 7_500, 2_500, 5 * NMR),
    (100, 2_000, 500, 15_000, 8_000, 3_000, 8_000, 20 * NMR),
]
WINDOW_SETS = [STATEFUL_WINDOWS, (2 * DAY, DAY, 2 * DAY, DAY, DAY), (5 * DAY, 3 * DAY, 4 * DAY, 3 * DAY, 3 * DAY)]
# (seller index, model index, mode) of every listing a seller may create.
LISTABLE = [(0, 0, VERIFIED_FILE), (0, 1, FILE), (1, 2, STAKE)]
# 50 is the requirement; a smaller number only for a quick local try.
EXAMPLES = int(os.environ.get("MARKET_STATEFUL_EXAMPLES", "50"))


def test_marketplace_matches_model(Marketplace, MarketLens, MarketTerms, MockNMR, ModelRegistry, accounts, chain, model_ids):
    admin, attestor, treasury, verifier, arbiter, rando = (accounts[i] for i in (0, 1, 3, 4, 8, 9))
    nmr = MockNMR.deploy({"from": admin})
    registry = ModelRegistry.deploy(admin, attestor, {"from": admin})
    market = deploy_market(Marketplace, nmr, registry, admin, treasury, verifier, arbiter)
    lens = MarketLens.deploy(market, {"from": admin})
    terms = MarketTerms.at(market.terms())
    base = MarketModel(Rates(*RATES), Windows(*WINDOWS))
    tx = terms.setWindows(STATEFUL_WINDOWS, {"from": admin})
    base.schedule(tx.timestamp, windows=Windows(*STATEFUL_WINDOWS))
    chain.sleep(TERMS_DELAY + 1)
    chain.mine()
    sellers = [signer_account(accounts, 20, admin), signer_account(accounts, 21, admin)]
    buyers = [accounts[5], accounts[6], accounts[7]]
    people = sellers + buyers
    by_address = {str(a): a for a in people}
    roles = {"verifier": (market.VERIFIER_ROLE(), verifier), "arbiter": (market.ARBITER_ROLE(), arbiter)}

    for seller, bond in zip(sellers, (100 * NMR, 60 * NMR)):
        fund(nmr, market, seller, bond + 30 * NMR)
        market.postBond(bond, {"from": seller})
        base.deposit(seller, bond + 30 * NMR)
        base.post_bond(seller, bond)
    for listing_id, (seller, model_id, mode) in enumerate(
        [(sellers[0], model_ids[0], VERIFIED_FILE), (sellers[0], model_ids[1], FILE), (sellers[1], model_ids[2], STAKE)],
        start=1,
    ):
        if registry.ownerOf(model_id) != seller:
            registry.attest(model_id, seller, 8, {"from": attestor})
        tx = market.createListing(model_id, mode, 500, 600, {"from": seller})
        base.create_listing(listing_id, seller, mode, tx.timestamp)
    for buyer in buyers:
        fund(nmr, market, buyer, 300 * NMR)
        base.deposit(buyer, 300 * NMR)
    chain.snapshot()
    done = Counter()  # transitions that really happened, over the whole run

    class MarketMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            chain.revert()
            self.m = copy.deepcopy(base)
            self.active_from = {"verifier": 0, "arbiter": 0}  # 0: active since setup; None: revoked
            done["examples"] += 1

        def _can(self, role):
            t = self.active_from[role]
            return t is not None and chain.time() >= t + MARGIN

        def _cannot(self, role):
            t = self.active_from[role]
            return t is None or chain.time() < t - MARGIN

        def _orders(self, state, due):
            now = chain.time()
            return [
                o for o in self.m.orders.values()
                if o.state == state and (now > o.deadline + MARGIN if due else now < o.deadline - MARGIN)
            ]

        def _open(self, tx, listing_id, buyer, price, collateral, deliver_by, from_balance=True):
            ev = tx.events["OrderOpened"]
            order = self.m.open_order(ev["orderId"], listing_id, buyer, price, collateral, deliver_by, from_balance)
            assert (ev["price"], ev["buyerCollateral"], ev["feeBps"]) == (price, collateral, order.fee_bps)

        # ------------------------------------------------------------ opening orders
        @rule(i=st.integers(0, 50), b=st.integers(0, 2), units=st.integers(1, 400))
        def fill(self, i, b, units):
            listing_id = 1 + i % len(self.m.listings)
            listing = self.m.listings[listing_id]
            seller, mode = listing.seller, listing.mode
            units = units if mode == STAKE else 1 + units % 4
            buyer, price = buyers[b], UNIT_PRICE[mode]
            cost, collateral = units * price, self.m.collateral_for(listing_id, units)
            t = chain.time()
            lad = ladder(listing_id, [price], [10**6], deliver_by=t + 2 * DAY, expiry=t + DAY)
            r, vs = sign_ladder(market, by_address[seller], lad, chain_id=chain.id)
            if self.m.can_open(listing_id, buyer, cost, collateral):
                tx = market.fill(lad, r, vs, units, price, *BOUNDS, {"from": buyer})
                self._open(tx, listing_id, buyer, cost, collateral, lad[4])
                done["fill"] += 1
            else:
                with brownie.reverts():
                    market.fill(lad, r, vs, units, price, *BOUNDS, {"from": buyer})

        @rule(i=st.integers(0, 50), b=st.integers(0, 2), units=st.integers(1, 300))
        def post_bid(self, i, b, units):
            listing_id = 1 + i % len(self.m.listings)
            mode = self.m.listings[listing_id].mode
            units = units if mode == STAKE else 1 + units % 3
            buyer, price = buyers[b], units * UNIT_PRICE[mode]
            collateral = self.m.collateral_for(listing_id, units)
            t = chain.time()
            args = (listing_id, 550, units, price, t + 2 * DAY, t + DAY)
            if self.m.acct(buyer).balance >= price + collateral:
                tx = market.postBid(*args, *BOUNDS, {"from": buyer})
                self.m.post_bid(tx.return_value, listing_id, buyer, units, price, t + 2 * DAY, t + DAY)
            else:
                with brownie.reverts():
                    market.postBid(*args, *BOUNDS, {"from": buyer})

        def accept_bid(self, i):
            now = chain.time()
            live = [k for k, bid in self.m.bids.items() if now < bid.expiry - MARGIN]
            if not live:
                return
            bid_id = live[i % len(live)]
            bid = self.m.bids[bid_id]
            seller = self.m.listings[bid.listing].seller
            if self.m.can_open(bid.listing, bid.buyer, bid.price, bid.collateral, paid_from_balance=False):
                tx = market.acceptBid(bid_id, {"from": seller})
                order = self.m.accept_bid(bid_id, tx.events["OrderOpened"]["orderId"])
                assert tx.events["OrderOpened"]["price"] == order.price
                done["accept_bid"] += 1
            else:
                with brownie.reverts():
                    market.acceptBid(bid_id, {"from": seller})

        def cancel_bid(self, i, by_stranger):
            if not self.m.bids:
                return
            bid_id = list(self.m.bids)[i % len(self.m.bids)]
            bid = self.m.bids[bid_id]
            now = chain.time()
            if by_stranger and abs(now - bid.expiry) <= MARGIN:
                return
            if by_stranger and now < bid.expiry:
                with brownie.reverts():
                    market.cancelBid(bid_id, {"from": rando})
                return
            market.cancelBid(bid_id, {"from": rando if by_stranger else bid.buyer})
            self.m.cancel_bid(bid_id)
            done["cancel_bid"] += 1

        # ------------------------------------------------------------ order lifecycle
        def _deliver(self, order, agent):
            if agent and not self._can("verifier"):
                agent = False
            sender = verifier if agent else by_address[order.seller]
            tx = market.deliver(order.as_tuple(), HASH, {"from": sender})
            self.m.deliver(order, tx.timestamp)
            done["deliver"] += 1
            if order.state == DELIVERED:
                assert tuple(tx.events["OrderDelivered"]["order"]) == order.as_tuple()

        def _verdict(self, order, verdict):
            if not self._can("verifier"):
                if self._cannot("verifier"):
                    with brownie.reverts():
                        market.postVerdict(order.as_tuple(), verdict, HASH, {"from": verifier})
                return
            tx = market.postVerdict(order.as_tuple(), verdict, HASH, {"from": verifier})
            self.m.post_verdict(order, verdict, tx.timestamp)
            done["verdict"] += 1
            assert tuple(tx.events["VerdictPosted"]["order"]) == order.as_tuple()

        def _dispute(self, order, by_buyer):
            who = order.buyer if by_buyer else order.seller
            if self.m.acct(who).balance >= self.m.order_rates(order).dispute_bond:
                silent = order.state == DELIVERED
                tx = market.dispute(order.as_tuple(), {"from": by_address[who]})
                self.m.dispute(order, who, tx.timestamp)
                done["silent_dispute" if silent else "dispute"] += 1
                assert tuple(tx.events["OrderDisputed"]["order"]) == order.as_tuple()
            else:
                with brownie.reverts():
                    market.dispute(order.as_tuple(), {"from": by_address[who]})

        def _rule(self, order, ruling):
            if not self._can("arbiter"):
                if self._cannot("arbiter"):
                    with brownie.reverts():
                        market.rule(order.as_tuple(), ruling, {"from": arbiter})
                return
            market.rule(order.as_tuple(), ruling, {"from": arbiter})
            self.m.rule(order, ruling)
            done["rule"] += 1

        @rule(i=st.integers(0, 50), verdict=st.integers(1, 3), dispute_it=st.booleans(), by_buyer=st.booleans())
        def advance(self, i, verdict, dispute_it, by_buyer):
            """Move one open order a step down its lifecycle (so deep states are reached often)."""
            if not self.m.orders:
                return
            orders = list(self.m.orders.values())
            # Half the time take the order furthest along, so verdicts, disputes and rulings happen.
            order = max(orders, key=lambda o: o.state) if i % 2 else orders[i % len(orders)]
            now = chain.time()
            due = self.m.due_at(order)
            if now > due + MARGIN and order.state == PAID and by_buyer:
                market.reclaim(order.as_tuple(), {"from": by_address[order.buyer]})
                self.m.refund(order)
                done["reclaim"] += 1
            elif now > due + MARGIN:
                market.settle(order.as_tuple(), {"from": rando})
                self.m.settle_due(order)
                done["settle"] += 1
            elif order.state == DELIVERED and order.deadline + MARGIN < now < due - MARGIN:
                # The verifier stayed silent: the order waits out a challenge window, open to disputes.
                if dispute_it:
                    self._dispute(order, by_buyer)
            elif now < order.deadline - MARGIN:
                if order.state == PAID:
                    self._deliver(order, by_buyer)
                elif order.state == DELIVERED:
                    self._verdict(order, verdict)
                elif order.state == JUDGED and dispute_it:
                    self._dispute(order, by_buyer)
                elif order.state == DISPUTED:
                    self._rule(order, verdict)

        @rule(kind=st.integers(0, 1), i=st.integers(0, 50), by_stranger=st.booleans())
        def bid_action(self, kind, i, by_stranger):
            """Accept a bid, or cancel one (by its buyer, or by a stranger: only after expiry)."""
            if kind == 0:
                self.accept_bid(i)
            else:
                self.cancel_bid(i, by_stranger)

        @rule(kind=st.integers(0, 3), p=st.integers(0, 4), quarters=st.integers(1, 4))
        def custody(self, kind, p, quarters):
            """Withdraw, start a bond exit, finish one, or collect fees."""
            if kind == 0:
                self.withdraw(p, quarters)
            elif kind == 1:
                self.request_bond_exit(p % 2, 1 if quarters < 4 else 2)
            elif kind == 2:
                self.withdraw_bond(p % 2)
            else:
                self.collect_fees()

        @rule(i=st.integers(0, 50))
        def settle_one(self, i):
            """A stranger settles an order: it must work exactly when the order is due."""
            if not self.m.orders:
                return
            order = list(self.m.orders.values())[i % len(self.m.orders)]
            now = chain.time()
            due = self.m.due_at(order)
            if now > due + MARGIN:
                market.settle(order.as_tuple(), {"from": rando})
                self.m.settle_due(order)
                done["settle"] += 1
            elif now < due - MARGIN:
                with brownie.reverts():
                    market.settle(order.as_tuple(), {"from": rando})

        # ------------------------------------------------------------ custody
        def withdraw(self, p, quarters):
            who = people[p]
            amount = self.m.acct(who).balance * quarters // 4
            if amount:
                market.withdraw(amount, {"from": who})
                self.m.withdraw(who, amount)

        def request_bond_exit(self, s, quarters):
            seller = sellers[s]
            amount = self.m.acct(seller).bond * quarters // 4
            if amount == 0:
                return
            if self.m.can_exit(seller, amount):
                tx = market.requestBondExit(amount, {"from": seller})
                self.m.request_exit(seller, amount, tx.timestamp)
                done["bond_exit"] += 1
            else:
                with brownie.reverts():
                    market.requestBondExit(amount, {"from": seller})

        def withdraw_bond(self, s):
            seller, a = sellers[s], self.m.acct(sellers[s])
            if a.exiting and chain.time() >= a.unlock_at + MARGIN:
                market.withdrawBond({"from": seller})
                self.m.withdraw_bond(seller)
                done["withdraw_bond"] += 1

        def collect_fees(self):
            market.sweepFees(people, {"from": rando})
            self.m.sweep(people)
            if self.m.fees:
                before = nmr.balanceOf(treasury)
                market.withdrawFees({"from": rando})
                assert nmr.balanceOf(treasury) - before == self.m.withdraw_fees()

        # ------------------------------------------------------------ the admin
        @rule(kind=st.integers(0, 3), i=st.integers(0, 50))
        def admin_action(self, kind, i):
            """One of the admin's moves (one rule, so they do not crowd out trading): new rates or new
            windows (both delayed), a verifier or arbiter revoked or granted back (delayed), or a
            seller's new listing that takes the current terms."""
            if kind == 3:
                self.role_change("verifier" if i % 2 else "arbiter")
            elif kind == 0:
                tx = terms.setRates(RATE_SETS[i % 3], {"from": admin})
                self.m.schedule(tx.timestamp, rates=Rates(*RATE_SETS[i % 3]))
                done["terms_change"] += 1
            elif i % 2 and kind == 1:
                tx = terms.setWindows(WINDOW_SETS[i % 3], {"from": admin})
                self.m.schedule(tx.timestamp, windows=Windows(*WINDOW_SETS[i % 3]))
                done["terms_change"] += 1
            else:
                s, model, mode = LISTABLE[i % 3]
                seller = sellers[s]
                now = chain.time()
                pending = self.m.pending and abs(now - self.m.pending_from) <= MARGIN
                if pending or len(self.m.listings) >= 12:
                    return
                a = self.m.acct(seller)
                if a.bond > 0 and a.bond >= a.locked:
                    tx = market.createListing(model_ids[model], mode, 500, 600, {"from": seller})
                    listing_id = tx.events["ListingCreated"]["listingId"]
                    self.m.create_listing(listing_id, seller, mode, tx.timestamp)
                    assert tx.events["ListingCreated"]["terms"] == self.m.listings[listing_id].terms
                    done["listing"] += 1
                else:
                    with brownie.reverts():
                        market.createListing(model_ids[model], mode, 500, 600, {"from": seller})

        def role_change(self, which):
            """Revoke the verifier or the arbiter (at once), or grant it back (active after the delay)."""
            role, account = roles[which]
            if self.active_from[which] is None:
                tx = market.grantRole(role, account, {"from": admin})
                self.active_from[which] = tx.timestamp + ROLE_DELAY
            else:
                market.revokeRole(role, account, {"from": admin})
                self.active_from[which] = None
            done["role_change"] += 1

        @rule(hours=st.sampled_from([1, 3, 8, 20, 30, 50, 80]))
        def sleep(self, hours):
            chain.sleep(hours * 3600)

        # ------------------------------------------------------------ checks
        @invariant()
        def books_match_model(self):
            done["checks"] += 1  # once at the start of an example, then after every step
            orders = [o.as_tuple() for o in self.m.orders.values()]
            held, owed = lens.solvency(people, orders, list(self.m.bids))
            assert held == owed == self.m.owed()
            for who, row in zip(people, lens.accountsOf(people)):
                a = self.m.acct(who)
                assert tuple(row) == (a.balance, a.fees_due, a.bond, a.exiting, a.locked)

        def teardown(self):
            chain.sleep(10 * DAY)
            # Anyone ends what is left: undelivered orders by `reclaim`, the rest in one batch.
            for order in [o for o in self.m.orders.values() if o.state == PAID]:
                market.reclaim(order.as_tuple(), {"from": rando})
                self.m.refund(order)
                done["reclaim"] += 1
            for seller in sellers:
                if self.m.can_withdraw_bond(seller, chain.time()):
                    market.withdrawBond({"from": seller})
                    self.m.withdraw_bond(seller)
                    done["withdraw_bond"] += 1
            orders = list(self.m.orders.values())
            if orders:
                tx = market.settleBatch([o.as_tuple() for o in orders], {"from": rando})
                assert tx.return_value == len(orders)
                done["teardown_settled"] += len(orders)
                for order in orders:
                    self.m.settle_due(order)
                    assert market.orderHashOf(order.id) == "0x" + "00" * 32
            for bid_id in list(self.m.bids):
                market.cancelBid(bid_id, {"from": rando})
                self.m.cancel_bid(bid_id)
            held, owed = lens.solvency(people, [], [])
            assert held == owed == self.m.owed()
            for who in people:
                rep = market.reputationOf(who)
                a = self.m.acct(who)
                assert tuple(rep) == (a.sales, a.volume, a.refunds, a.slashes, a.disputes_won, a.disputes_lost)

    run_state_machine_as_test(
        MarketMachine, settings=settings(
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
    print("stateful run:", dict(done), "steps:", done["checks"] - done["examples"])
    if EXAMPLES >= 50:
        # The run must have exercised every transition, or the checks above prove little.
        kinds = ("fill", "accept_bid", "cancel_bid", "deliver", "verdict", "dispute", "rule", "settle", "reclaim",
                 "bond_exit", "withdraw_bond", "teardown_settled", "terms_change", "listing", "role_change")
        assert all(done[k] > 0 for k in kinds), done
