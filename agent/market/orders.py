"""The Marketplace's orders as the agent's store has seen them: each order's latest `Order`
struct (what every settlement call must pass back), its round, units, model and delivery, rebuilt
from the events the watcher stored. No chain calls here, so the verdict and settlement flows read
one consistent picture per tick, and a crash loses nothing (the events are the state).

An open order is stored on-chain as one hash; the struct travels in events. `OrderOpened` carries
the order's own fields and `ListingCreated` the listing's (seller, mode, terms, verdict window);
`OrderDelivered`, `VerdictPosted` and `OrderDisputed` carry the whole updated struct;
`OrderSettled` ends it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eth_abi import encode as abi_encode
from eth_utils import keccak
from web3 import Web3

from agent.store import Store
from agent.store.schema import order_key  # noqa: F401 (re-exported for the flows)

FILE, VERIFIED_FILE, STAKE = 0, 1, 2
MODE_NAMES = {FILE: "file", VERIFIED_FILE: "verified_file", STAKE: "stake"}
PAID, DELIVERED, JUDGED, DISPUTED = 1, 2, 3, 4
NONE, CONSISTENT, SELLER_FAULT, BUYER_FAULT = 0, 1, 2, 3
OUTCOMES = ("released", "refunded", "seller_slashed", "buyer_slashed")
ORDER_TYPE = (
    "(uint256,address,address,uint8,uint8,uint8,uint32,uint16,uint32,uint32,uint88,uint88,uint88)"
)

MARKET_EVENTS = {
    "ListingCreated", "OrderOpened", "OrderDelivered", "VerdictPosted", "OrderDisputed",
    "DisputeRuled", "DisputeExpired", "OrderSettled",
}
STAKING_EVENTS = {"Staked"}


@dataclass
class StakeEvent:
    """One `Staked` event of the tournament: a position is the sum of a (round, staker, model)'s
    events, backing the hash of the latest."""

    round: int
    staker: str
    model_id: str
    amount: int
    submission_hash: str
    block_number: int
    log_index: int


class OrderFields:
    """Named access to `self.struct`, an `Order` tuple in the contract's field order."""

    struct: tuple

    @property
    def seller(self) -> str:
        return self.struct[1]

    @property
    def buyer(self) -> str:
        return self.struct[2]

    @property
    def mode(self) -> int:
        return self.struct[3]

    @property
    def state(self) -> int:
        return self.struct[4]

    @property
    def verdict(self) -> int:
        return self.struct[5]

    @property
    def deadline(self) -> int:
        return self.struct[6]


@dataclass
class OrderView(OrderFields):
    """One order as of the last stored event."""

    id: int
    listing_id: int
    round: int
    units: int
    deliver_by: int
    model_id: str  # the listing's model, 0x bytes32
    struct: tuple  # the latest Order, in the contract's field order
    delivery_hash: str | None = None
    delivered_block: int | None = None
    evidence_hash: str | None = None
    disputer: str | None = None
    outcome: str | None = None  # set once settled
    history: list[str] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.outcome is None

    @property
    def struct_hash(self) -> str:
        """keccak256(abi.encode(order)): the commitment the Marketplace stores for an open order."""
        return "0x" + keccak(abi_encode([ORDER_TYPE], [self.struct])).hex()


def order_struct(values) -> tuple:
    """An Order as stored in an event (a JSON list: big ints as strings, addresses checksummed)
    → the typed tuple web3 encodes."""
    v = list(values)
    return (
        int(v[0]), Web3.to_checksum_address(v[1]), Web3.to_checksum_address(v[2]), int(v[3]),
        int(v[4]), int(v[5]), int(v[6]), int(v[7]), int(v[8]), int(v[9]), int(v[10]), int(v[11]),
        int(v[12]),
    )


def _hex32(value) -> str:
    if isinstance(value, int):
        return "0x" + f"{value:064x}"
    return "0x" + str(value).removeprefix("0x").lower().rjust(64, "0")


def load_book(store: Store, source: str, market: str, staking: str | None = None
              ) -> tuple[dict[int, OrderView], list[StakeEvent]]:
    """Every order of `market` and every `Staked` event of `staking` the watcher `source` stored."""
    market, staking = market.lower(), (staking or "").lower()
    listings: dict[int, dict] = {}
    orders: dict[int, OrderView] = {}
    stakes: list[StakeEvent] = []
    for e in store.events(source):
        address, name, a = e["address"].lower(), e["name"], e["args"]
        if address == staking and name == "Staked":
            stakes.append(StakeEvent(
                int(a["round"]), Web3.to_checksum_address(a["staker"]), _hex32(a["modelId"]),
                int(a["amount"]), _hex32(a["submissionHash"]), e["block_number"], e["log_index"],
            ))
            continue
        if address != market:
            continue
        if name == "ListingCreated":
            listings[int(a["listingId"])] = a
            continue
        order_id = int(a["orderId"])
        if name == "OrderOpened":
            listing = listings[int(a["listingId"])]
            struct = (
                order_id, Web3.to_checksum_address(listing["seller"]),
                Web3.to_checksum_address(a["buyer"]), int(listing["mode"]), PAID, NONE,
                int(a["deliverBy"]), int(a["feeBps"]), int(listing["terms"]),
                int(listing["verdictWindow"]), int(a["price"]), int(a["buyerCollateral"]),
                int(a["bond"]),
            )
            orders[order_id] = OrderView(
                order_id, int(a["listingId"]), int(a["round"]), int(a["units"]),
                int(a["deliverBy"]), _hex32(listing["modelId"]), struct, history=[name],
            )
            continue
        view = orders.get(order_id)
        if view is None:  # an order opened before the watcher's start block: not ours to follow
            continue
        view.history.append(name)
        if name in ("OrderDelivered", "VerdictPosted", "OrderDisputed"):
            view.struct = order_struct(a["order"])
        if name == "OrderDelivered":
            view.delivery_hash = _hex32(a["deliveryHash"])
            view.delivered_block = e["block_number"]
        elif name == "VerdictPosted":
            view.evidence_hash = _hex32(a["evidenceHash"])
        elif name == "OrderDisputed":
            view.disputer = Web3.to_checksum_address(a["disputer"])
        elif name == "OrderSettled":
            view.outcome = OUTCOMES[int(a["outcome"])]
    return orders, stakes
