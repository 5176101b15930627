"""The marketplace as its events tell it: listings (with their posted ladders), bids, orders and
their states and deadlines; the order book depth of one model and round; evidence from the store;
reputation from the contract's view."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import func, select

from agent.readmodel.payouts import nmr
from agent.readmodel.projection import hex32
from agent.store.schema import deliveries, evidence, order_key

MODES = {0: "file", 1: "verified_file", 2: "stake"}
STATES = {0: "none", 1: "paid", 2: "delivered", 3: "judged", 4: "disputed"}
VERDICTS = {0: "none", 1: "consistent", 2: "seller_fault", 3: "buyer_fault"}
OUTCOMES = {0: "released", 1: "refunded", 2: "seller_slashed", 3: "buyer_slashed"}


def _iso(ts) -> str | None:
    return None if not ts else datetime.fromtimestamp(int(ts), UTC).isoformat()


def model_of_listing(value) -> str:
    """A listing's uint128 model id as the bytes32 id the pool and registry use."""
    return "0x" + int(value).to_bytes(32, "big").hex()


class MarketView:
    """Folded from the projection's marketplace events (recomputed per events version)."""

    def __init__(self, market_events: list[dict]):
        self.listings: dict[int, dict] = {}
        self.bids: dict[int, dict] = {}
        self.orders: dict[int, dict] = {}
        self.counters: dict[str, int] = defaultdict(int)
        self.sold: dict[tuple[int, int], int] = defaultdict(int)  # (listing, round) → units
        for e in market_events:
            self._apply(e["name"], e["args"], e)

    def _apply(self, name: str, a: dict, e: dict) -> None:
        if name == "ListingCreated":
            self.listings[int(a["listingId"])] = {
                "listing_id": int(a["listingId"]), "seller": a["seller"],
                "model_id": hex32(a["modelId"]), "mode": MODES.get(int(a["mode"]), a["mode"]),
                "from_round": int(a["fromRound"]), "to_round": int(a["toRound"]),
                "terms": int(a["terms"]), "fee_bps": int(a["feeBps"]),
                "min_bond_bps": int(a["minBondBps"]), "verdict_window": int(a["verdictWindow"]),
                "closed": False, "version": 0, "ladders": [], "block": e["block"],
            }
        elif name == "ListingClosed" and int(a["listingId"]) in self.listings:
            self.listings[int(a["listingId"])]["closed"] = True
        elif name == "LadderVersionChanged" and int(a["listingId"]) in self.listings:
            self.listings[int(a["listingId"])]["version"] = int(a["version"])
        elif name == "SellerCounterIncremented":
            self.counters[a["seller"].lower()] = int(a["counter"])
        elif name == "LadderPosted" and int(a["listingId"]) in self.listings:
            lid, rnd, version, counter, deliver_by, expiry, prices, units = a["ladder"]
            self.listings[int(a["listingId"])]["ladders"].append({
                "hash": a["ladderHash"], "round": int(rnd), "version": int(version),
                "counter": int(counter), "deliver_by": int(deliver_by), "expiry": int(expiry),
                "prices": [int(p) for p in prices], "units": [int(u) for u in units],
            })
        elif name == "BidPosted":
            buyer, rnd, deliver_by, expiry, lid, units, price, collateral = a["bid"]
            self.bids[int(a["bidId"])] = {
                "bid_id": int(a["bidId"]), "buyer": a["buyer"], "listing_id": int(a["listingId"]),
                "round": int(rnd), "units": int(units), "price": nmr(int(price)),
                "price_wei": int(price), "collateral": nmr(int(collateral)),
                "deliver_by": _iso(deliver_by), "expiry": int(expiry),
                "expires_at": _iso(expiry), "state": "open", "order_id": None,
            }
        elif name == "BidCancelled" and int(a["bidId"]) in self.bids:
            self.bids[int(a["bidId"])]["state"] = "cancelled"
        elif name == "BidAccepted" and int(a["bidId"]) in self.bids:
            # Order ids are uint256 hashes: decimal strings, so JSON clients keep every digit.
            self.bids[int(a["bidId"])].update(state="accepted", order_id=str(int(a["orderId"])))
        elif name == "OrderOpened":
            listing = self.listings.get(int(a["listingId"]), {})
            oid = int(a["orderId"])
            self.sold[(int(a["listingId"]), int(a["round"]))] += int(a["units"])
            self.orders[oid] = {
                "order_id": str(oid), "listing_id": int(a["listingId"]),
                "seller": listing.get("seller"), "buyer": a["buyer"],
                "model_id": listing.get("model_id"), "mode": listing.get("mode"),
                "round": int(a["round"]), "units": int(a["units"]), "state": "paid",
                "verdict": "none", "outcome": None,
                "deadline": _iso(a["deliverBy"]), "deadline_kind": "delivery",
                "fee_bps": int(a["feeBps"]), "price": nmr(int(a["price"])),
                "buyer_collateral": nmr(int(a["buyerCollateral"])), "bond": nmr(int(a["bond"])),
                "delivery_hash": None, "evidence_hash": None, "opened_block": e["block"],
                "opened_tx": e["tx_hash"], "settlement": None, "history": [],
            }
        elif name in ("OrderDelivered", "VerdictPosted", "OrderDisputed", "DisputeRuled",
                      "DisputeExpired", "OrderSettled"):
            order = self.orders.get(int(a["orderId"]))
            if order is None:
                return
            order["history"].append({"event": name, "block": e["block"], "tx_hash": e["tx_hash"]})
            if "order" in a:  # the order as it stands after this event
                o = a["order"]
                order.update(state=STATES.get(int(o[4]), str(o[4])),
                             verdict=VERDICTS.get(int(o[5]), str(o[5])), deadline=_iso(o[6]))
            kinds = {"OrderDelivered": "verdict_or_challenge", "VerdictPosted": "challenge",
                     "OrderDisputed": "arbitration"}
            if name in kinds:
                order["deadline_kind"] = kinds[name]
            if name == "OrderDelivered":
                order["delivery_hash"] = a["deliveryHash"]
            elif name == "VerdictPosted":
                order["evidence_hash"] = a["evidenceHash"]
            elif name == "OrderSettled":
                order.update(state="settled", deadline=None, deadline_kind=None,
                             outcome=OUTCOMES.get(int(a["outcome"]), str(a["outcome"])),
                             settlement={"to_seller": nmr(int(a["toSeller"])),
                                         "to_buyer": nmr(int(a["toBuyer"])),
                                         "to_fees": nmr(int(a["toFees"]))})

    # -- queries --------------------------------------------------------------------------------

    def listing_rows(self, seller: str | None, model: str | None) -> list[dict]:
        out = []
        for lid in sorted(self.listings):
            x = self.listings[lid]
            if seller and x["seller"].lower() != seller.lower():
                continue
            if model and x["model_id"] != model:
                continue
            out.append({k: v for k, v in x.items() if k != "ladders"}
                       | {"ladders": [self._ladder_row(x, lad) for lad in x["ladders"]]})
        return out

    def _ladder_row(self, listing: dict, lad: dict) -> dict:
        return {"hash": lad["hash"], "round": lad["round"], "version": lad["version"],
                "expires_at": _iso(lad["expiry"]), "deliver_by": _iso(lad["deliver_by"]),
                "live": self._live(listing, lad, time.time()),
                "levels": [{"price": nmr(p), "units": u}
                           for p, u in zip(lad["prices"], lad["units"])]}

    def _live(self, listing: dict, lad: dict, now: float) -> bool:
        return (not listing["closed"] and lad["version"] == listing["version"]
                and lad["counter"] == self.counters[listing["seller"].lower()]
                and lad["expiry"] > now)

    def bid_rows(self, listing: int | None, buyer: str | None) -> list[dict]:
        return [
            {k: v for k, v in b.items() if k not in ("price_wei", "expiry")}
            for bid_id, b in sorted(self.bids.items())
            if (listing is None or b["listing_id"] == listing)
            and (buyer is None or b["buyer"].lower() == buyer.lower())
        ]

    def order_rows(self, address: str | None, state: str | None) -> list[dict]:
        a = address.lower() if address else None
        return [
            o for _oid, o in sorted(self.orders.items())
            if (a is None or a in ((o["seller"] or "").lower(), o["buyer"].lower()))
            and (state is None or o["state"] == state)
        ]

    def book(self, model: str, round_: int, now: float | None = None) -> dict:
        """Depth per side: asks from live posted ladders (minus units sold in the round, cheapest
        first), bids still open and unexpired; each level with its cumulative units."""
        now = time.time() if now is None else now
        asks: dict[int, int] = defaultdict(int)
        bids: dict[int, int] = defaultdict(int)
        for lid, x in self.listings.items():
            if x["model_id"] != model or not x["from_round"] <= round_ <= x["to_round"]:
                continue
            live = [lad for lad in x["ladders"]
                    if lad["round"] == round_ and self._live(x, lad, now)]
            if live:
                lad = live[-1]  # the newest live ladder of the listing for the round
                sold = self.sold[(lid, round_)]
                for price, units in sorted(zip(lad["prices"], lad["units"])):
                    take = min(sold, units)
                    sold -= take
                    if units - take > 0:
                        asks[price] += units - take
        for b in self.bids.values():
            listing = self.listings.get(b["listing_id"])
            if (b["state"] == "open" and b["round"] == round_ and b["expiry"] > now
                    and listing is not None and listing["model_id"] == model):
                # A bid's price is its total for all its units (postBid); levels are per unit, as asks.
                bids[b["price_wei"] // b["units"]] += b["units"]

        def side(levels: dict[int, int], descending: bool) -> list[dict]:
            out, total = [], 0
            for price in sorted(levels, reverse=descending):
                total += levels[price]
                out.append({"price": nmr(price), "units": levels[price], "cumulative": total})
            return out

        return {"asks": side(asks, False), "bids": side(bids, True)}


def evidence_of(read, order_id: int) -> dict:
    market = read.service.deployments["Marketplace"]
    with read.store.engine.connect() as c:
        rows = c.execute(
            select(evidence).where(evidence.c.chain_id == read.chain_id,
                                   evidence.c.order_id == order_key(order_id))
            .order_by(evidence.c.created_at)
        ).all()
        delivery = c.execute(
            select(deliveries.c.state, deliveries.c.delivery_hash, deliveries.c.prediction_hash,
                   deliveries.c.reason).where(deliveries.c.chain_id == read.chain_id,
                                              deliveries.c.order_id == order_key(order_id),
                                              func.lower(deliveries.c.market) == market.lower())
        ).first()
    return {
        "items": [{"hash": r.hash, "body": r.body, "created_at": _iso(r.created_at)}
                  for r in rows if r.market.lower() == market.lower()],
        "delivery": None if delivery is None else dict(delivery._mapping),
    }
