"""`nmrx simulate --market`: the Marketplace story, played after the staking simulation on the
same chain, simulator, store and agent key, through the agent's real market flows.

Sellers verify their models through the simulator's public bios (`OwnershipFlow`: a one-time
code in the bio, the registry attestation sent as a job); they post bonds, listings in both modes
and asks (ladders posted on chain or signed off chain); buyers register their delivery keys and
slots (`BuyerKeys`), buy from asks and post bids that sellers accept. Sellers hand their files
to the agent (`DeliveryFlow`): file orders are sealed to the buyer's key, stake orders
auto-submitted to the buyer's slot; sellers submit their own files to their models. The parties
then stake through the simulator's Numerai signer, the chain's clock moves past the
delivery deadline and the challenge window, and `MarketSettlement` posts verdicts and settles in
batches. The script holds one trade per outcome the issue names: honest trades (released), a
seller who sold another file than it staked (slashed), a buyer who staked beyond its allowance
(slashed), a buyer who resubmitted after delivery (blamed, seller paid) and a seller who never
delivered (buyer refunded, seller charged).

Only the chain's clock moves here (not the simulator's): the round the orders are for stays open
for stakes, and the simulator does not resolve positions staked on canonical prediction hashes
(see docs/agent-market.md, known limits).

The summary checks each scripted outcome against the chain's `OrderSettled` events and that the
Marketplace's NMR balance equals every account's balances, bonds and fees plus what is still in
escrow (cross-checked by the deployed MarketLens's `solvency`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import numerapi
from eth_account import Account
from web3 import Web3
from web3.logs import DISCARD

from agent.market.blobs import BlobStore
from agent.market.buyers import BuyerKeys
from agent.market.delivery import FILE, STAKE, DeliveryFlow
from agent.market.ladders import sign_ladder as signed_ladder
from agent.market.sealing import generate_buyer_keypair, open_delivery
from agent.market.settlement import MarketSettlement, SettlementConfig
from agent.models import model_id_from_uuid
from agent.ownership_flow import OwnershipFlow
from agent.tournament.client import NumeraiClient
from agent.tournament.simulator import AccountSpec, TokenSpec
from agent.vault import NumeraiKey, Vault
from agent.verify.predictions import prediction_hash_hex, write_predictions

NMR = 10**18
HOUR = 3_600
DAY = 86_400
# The buyer's key for the agent: upload and read submissions, no staking scope.
UPLOAD_SCOPES = ("upload_submission", "read_submission_info")
RELEASED, REFUNDED, SELLER_SLASHED, BUYER_SLASHED = 0, 1, 2, 3
OUTCOMES = {
    RELEASED: "released",
    REFUNDED: "refunded",
    SELLER_SLASHED: "seller slashed",
    BUYER_SLASHED: "buyer slashed",
}
SELLERS = ("sam", "fred", "nick")  # honest, fraudulent, never delivers
BUYERS = ("ann", "oscar", "rita", "dave")  # honest, over-stakes, resubmits, buys from fred
ZERO32 = b"\0" * 32
BOND = 100 * NMR
UNIT_PRICE = NMR  # per unit: a stake order's allowance is 1 NMR of stake per unit


@dataclass
class Party:
    name: str
    account: object  # LocalAccount
    model_name: str
    uuid: str = ""
    model: str = ""  # on-chain id (0x bytes32)
    keypair: object = None  # BuyerKeyPair (buyers)

    @property
    def address(self) -> str:
        return self.account.address

    def keys(self, seed: int) -> tuple[str, str]:
        return (f"SIM{seed}{self.name.upper()}PUBLIC", f"sim{seed}-{self.name}-secret")

    def upload_keys(self, seed: int) -> tuple[str, str]:
        return (f"SIM{seed}{self.name.upper()}UPLOAD", f"sim{seed}-{self.name}-upload-secret")


@dataclass
class Trade:
    """One scripted order: who, how it was opened, what the parties do and what should happen."""

    label: str
    seller: str
    buyer: str
    mode: int
    via: str  # "ask" (a fill of the seller's posted ladder) or "bid" (accepted by the seller)
    units: int
    expected: int
    deliver: bool = True
    buyer_stakes: tuple[int, ...] = ()  # NMR amounts staked on the delivered file
    resubmits: bool = False
    order_id: int | None = None
    outcome: int | None = None
    notes: list[str] = field(default_factory=list)


def story() -> list[Trade]:
    return [
        Trade("ann buys a file from sam (ask)", "sam", "ann", FILE, "ask", 5, RELEASED),
        Trade("dave buys a file from sam (bid)", "sam", "dave", FILE, "bid", 4, RELEASED),
        Trade("ann buys stake from sam (bid), stakes within it", "sam", "ann", STAKE, "bid", 10,
              RELEASED, buyer_stakes=(6,)),
        Trade("oscar buys stake from sam (ask), over-stakes", "sam", "oscar", STAKE, "ask", 10,
              BUYER_SLASHED, buyer_stakes=(10, 5)),
        Trade("rita buys stake from sam (bid), resubmits", "sam", "rita", STAKE, "bid", 10,
              BUYER_SLASHED, buyer_stakes=(4,), resubmits=True),
        Trade("dave buys stake from fred (signed ask), fred stakes another file", "fred", "dave",
              STAKE, "ask", 10, SELLER_SLASHED, buyer_stakes=(3,)),
        Trade("oscar buys stake from nick (signed ask), nick never delivers", "nick", "oscar",
              STAKE, "ask", 8, REFUNDED, deliver=False),
    ]


def parties(seed: int) -> dict[str, Party]:
    return {
        name: Party(name, Account.from_key(Web3.keccak(text=f"nmrx-simulate-market/{seed}/{name}")),
                    f"sim{seed}_{name}_model")
        for name in SELLERS + BUYERS
    }


def account_specs(seed: int) -> tuple[AccountSpec, ...]:
    """The market parties' Numerai accounts for the simulator: one model each (a seller's model
    for sale, a buyer's slot), a full key, and for buyers an upload-scoped key for the agent."""
    specs = []
    for p in parties(seed).values():
        tokens = [TokenSpec(*p.keys(seed))]
        if p.name in BUYERS:
            tokens.append(TokenSpec(*p.upload_keys(seed), UPLOAD_SCOPES))
        specs.append(AccountSpec(p.name, (p.model_name,), tuple(tokens)))
    return tuple(specs)


def load_market(w3: Web3, folder: Path):
    """(Marketplace, MarketLens) as web3.py contracts from `fresh_chain`'s deployments book."""
    from agent.chain import ContractBook, Deployments
    from agent.config import Settings

    book = ContractBook(w3, Deployments.load(folder / "deployments", w3.eth.chain_id),
                        Settings().build_dir)
    return book.contract("Marketplace"), book.contract("MarketLens")


class MarketStory:
    """The market story on a `Simulation`'s chain, simulator, store and agent key."""

    STEPS = 7

    def __init__(self, sim, market, lens, *, seed: int = 1):
        from agent.simulate import send  # the parties' signed transactions

        self.sim, self.c, self.w3 = sim, sim.c, sim.w3
        self.market, self.lens, self.seed = market, lens, seed
        self.send = send
        self.rng = random.Random(seed * 7919)
        self.parties = parties(seed)
        self.trades = story()
        self.store, self.sender = sim.store, sim.sender
        url = sim.server.url
        self.vault = Vault(bytes(Web3.keccak(text=f"nmrx-simulate-market-vault/{seed}")))
        self.buyer_keys = BuyerKeys(self.store, self.vault)
        self.ownership = OwnershipFlow(self.w3, self.store, self.c.registry, NumeraiClient(url),
                                       bytes(Web3.keccak(text=f"nmrx-simulate-hmac/{seed}")))
        self.first_block = self.w3.eth.block_number
        self.delivery = DeliveryFlow(self.w3, self.store, market, NumeraiClient(url),
                                     self.buyer_keys, BlobStore.under(sim.folder),
                                     from_block=self.first_block, clock=self.chain_time)
        self.settlement = MarketSettlement(self.w3, self.store, market, self.c.staking,
                                           slots=self.slot_of,
                                           config=SettlementConfig(batch_size=40))
        self.watcher = self.settlement.watcher(confirmations=0, start_block=self.first_block)
        self.onchain = sim.simulator.chain
        self.round = sim.simulator.tournament.current_round().number
        self.live_ids = [str(i) for i in sim.simulator.tournament.live_ids(
            sim.simulator.tournament.current_round())]
        self.listings: dict[tuple[str, int], int] = {}
        self.ladders: dict[tuple[str, int], tuple] = {}
        self.signatures: dict[tuple[str, int], tuple[bytes, bytes]] = {}
        self.verified: list[str] = []
        self.opened_file: str | None = None
        self.deposits = 0

    # -- helpers ------------------------------------------------------------------------------

    def chain_time(self) -> float:
        return float(self.w3.eth.get_block("latest")["timestamp"])

    def advance(self, seconds: int) -> None:
        """Move the chain's clock only (see the module's docstring)."""
        self.w3.provider.make_request("evm_increaseTime", [seconds])
        self.w3.provider.make_request("evm_mine", [])

    def api(self, party: Party) -> numerapi.NumerAPI:
        from numerapi import base_api

        base_api.API_TOURNAMENT_URL = self.sim.server.url
        return numerapi.NumerAPI(*party.keys(self.seed), verbosity="CRITICAL",
                                 show_progress_bars=False)

    def slot_of(self, order) -> str | None:
        """The buyer's registered slot (on-chain id), for the verdicts."""
        settings = self.buyer_keys.settings(order.buyer)
        return model_id_from_uuid(settings.slot_model) if settings and settings.slot_model else None

    def agent_round(self) -> None:
        """What the agent's service loop does: watch, plan, send, move deliveries on."""
        for _ in range(20):
            self.watcher.poll()
            self.settlement.tick()
            self.sender.run_once(200)
            self.delivery.sync()
            counts = self.store.job_counts()
            if not counts.get("planned") and not counts.get("sent"):
                break
        self.watcher.poll()

    def predictions(self) -> bytes:
        return write_predictions({i: self.rng.random() for i in self.live_ids})

    def stake(self, party: Party, model: str, submission_hash: str, amount: int) -> None:
        """A position (or more stake on it) authorized by the simulator's Numerai signer."""
        auth = self.onchain.authorize(self.round, party.address, model, submission_hash, amount,
                                      DAY)
        values = (auth.tournament, auth.round, auth.staker, bytes.fromhex(model[2:]),
                  bytes.fromhex(submission_hash[2:]), auth.max_amount, auth.nonce, auth.deadline)
        self.send(self.w3, party.account, self.c.staking.functions.stake(values, amount,
                                                                         auth.signature))

    # -- the story ----------------------------------------------------------------------------

    def setup_parties(self) -> None:
        """ETH for gas, NMR from the faucet, approvals, marketplace deposits; model ids."""
        c, w3 = self.c, self.w3
        for p in self.parties.values():
            w3.eth.send_transaction({"from": c.funder, "to": p.address, "value": 5 * 10**18})
            amount = (BOND + 20 * NMR) if p.name in SELLERS else 200 * NMR
            self.send(w3, p.account, c.nmr.functions.faucet(p.address, amount))
            self.send(w3, p.account, c.nmr.functions.approve(self.market.address, 2**256 - 1))
            self.send(w3, p.account, c.nmr.functions.approve(c.staking.address, 2**256 - 1))
            deposit = BOND if p.name in SELLERS else 100 * NMR
            self.send(w3, p.account, self.market.functions.deposit(deposit))
            self.deposits += deposit
            p.uuid = self.api(p).get_models()[p.model_name]
            p.model = model_id_from_uuid(p.uuid)

    def verify_sellers(self) -> None:
        """Each seller proves its model: a one-time code in the model's public bio."""
        for name in SELLERS:
            p = self.parties[name]
            started = self.ownership.start(p.address, p.model_name)
            if not self.api(p).set_bio(p.uuid, f"{p.name}'s model. nmrx: {started.code}"):
                raise RuntimeError(f"the simulator refused {p.name}'s bio for {p.model_name}")
            self.ownership.check(p.address, p.model_name)
        self.agent_round()
        for name in SELLERS:
            p = self.parties[name]
            if self.c.registry.functions.ownerOf(bytes.fromhex(p.model[2:])).call() == p.address:
                self.verified.append(name)

    def list_and_ask(self) -> None:
        """Bonds, one listing per (seller, mode) the story needs, and its ask: sam posts his
        ladders on chain, the others sign theirs off chain (EIP-712; the buyer's fill carries
        the signature)."""
        now = int(self.chain_time())
        for name in SELLERS:
            p = self.parties[name]
            self.send(self.w3, p.account, self.market.functions.postBond(BOND))
            for mode in sorted({t.mode for t in self.trades if t.seller == name}):
                receipt = self.send(self.w3, p.account, self.market.functions.createListing(
                    bytes.fromhex(p.model[2:]), mode, self.round, self.round + 10))
                listing = _one(self.market.events.ListingCreated, receipt)["listingId"]
                lad = (listing, self.round, 0, 0, now + 2 * HOUR, now + 2 * HOUR,
                       [UNIT_PRICE], [100])
                if name == "sam":
                    self.send(self.w3, p.account, self.market.functions.postLadder(lad))
                    self.signatures[(name, mode)] = (ZERO32, ZERO32)
                else:
                    self.signatures[(name, mode)] = sign_ladder(
                        p.account, self.w3.eth.chain_id, self.market.address, lad)
                self.listings[(name, mode)], self.ladders[(name, mode)] = listing, lad

    def register_buyers(self) -> None:
        """Each buyer: a delivery key pair (the private half stays with the buyer), an
        upload-scoped Numerai key and the slot the agent submits to."""
        for name in BUYERS:
            p = self.parties[name]
            p.keypair = generate_buyer_keypair()
            self.buyer_keys.register(
                p.address, public_key=p.keypair.public_hex(),
                numerai_key=NumeraiKey(*p.upload_keys(self.seed)), slot_model=p.uuid)

    def open_orders(self) -> None:
        """Asks are filled, bids are posted and accepted by the seller."""
        now = int(self.chain_time())
        for t in self.trades:
            buyer, seller = self.parties[t.buyer], self.parties[t.seller]
            price = t.units * UNIT_PRICE
            if t.via == "ask":
                r, vs = self.signatures[(t.seller, t.mode)]
                receipt = self.send(self.w3, buyer.account, self.market.functions.fill(
                    self.ladders[(t.seller, t.mode)], r, vs, t.units, UNIT_PRICE, 2**96, 10_000))
                t.order_id = _one(self.market.events.OrderOpened, receipt)["orderId"]
            else:
                receipt = self.send(self.w3, buyer.account, self.market.functions.postBid(
                    self.listings[(t.seller, t.mode)], self.round, t.units, price,
                    now + 2 * HOUR, now + 2 * HOUR, 2**96, 10_000))
                bid = _one(self.market.events.BidPosted, receipt)["bidId"]
                receipt = self.send(self.w3, seller.account, self.market.functions.acceptBid(bid))
                t.order_id = _one(self.market.events.BidAccepted, receipt)["orderId"]

    def deliver(self) -> None:
        """Sellers hand their files to the agent; fred sells one file and stakes another."""
        self.sold = {name: self.predictions() for name in SELLERS}
        self.other = self.predictions()
        for t in self.trades:
            if t.deliver:
                seller = self.parties[t.seller]
                self.delivery.submit_file(t.order_id, self.sold[t.seller], seller.address)
        self.agent_round()

    def stake_positions(self) -> None:
        """The parties' positions for the round, through the simulator's Numerai signer."""
        sam, fred = self.parties["sam"], self.parties["fred"]
        self._upload_own(sam, self.sold["sam"])  # sam submits what he sold...
        self._upload_own(fred, self.other)  # ...fred another file than the one he sold
        self.stake(sam, sam.model, prediction_hash_hex(self.sold["sam"]), 5 * NMR)
        self.stake(fred, fred.model, prediction_hash_hex(self.other), 5 * NMR)
        for t in self.trades:
            buyer = self.parties[t.buyer]
            for amount in t.buyer_stakes:
                self.stake(buyer, buyer.model, prediction_hash_hex(self.sold[t.seller]),
                           amount * NMR)
        self.advance(600)
        for t in self.trades:
            if t.resubmits:  # the timing attack: another file on the slot after delivery
                buyer = self.parties[t.buyer]
                self._upload_own(buyer, self.other)
                self.stake(buyer, buyer.model, prediction_hash_hex(self.other), NMR)

    def _upload_own(self, party: Party, data: bytes) -> None:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="nmrx-simulate-") as folder:
            path = Path(folder) / "mine.csv"
            path.write_bytes(data)
            self.api(party).upload_predictions(str(path), model_id=party.uuid)

    def open_a_sealed_file(self) -> None:
        """The buyer of the first file order downloads its ciphertext and opens it."""
        t = next(t for t in self.trades if t.mode == FILE)
        buyer = self.parties[t.buyer]
        ciphertext = self.delivery.sealed_file(t.order_id, buyer.address)
        onchain = self.delivery.record(t.order_id).delivery_hash
        data, _parsed = open_delivery(ciphertext, buyer.keypair.private_key, onchain,
                                      live_ids=self.live_ids)
        if data == self.sold[t.seller]:
            self.opened_file = t.buyer

    def judge_and_settle(self, progress) -> None:
        """Past the delivery deadline: verdicts and the missed delivery; past the challenge and
        complaint windows: everything else. A few more steps if anything is still open."""
        self.advance(2 * HOUR)
        self.agent_round()
        progress.step("verdicts posted, the missed delivery settled")
        for _ in range(3):
            self.advance(2 * DAY + HOUR)
            self.agent_round()
            self.read_outcomes()
            if all(t.outcome is not None for t in self.trades):
                break
        progress.step("challenge windows passed, settled in batches")

    def read_outcomes(self) -> None:
        events = self.market.events.OrderSettled().get_logs(from_block=self.first_block)
        by_order = {e["args"]["orderId"]: e["args"] for e in events}
        for t in self.trades:
            if t.order_id in by_order:
                t.outcome = int(by_order[t.order_id]["outcome"])

    def run(self, progress) -> dict:
        self.setup_parties()
        self.verify_sellers()
        progress.step("sellers verified their models through their bios")
        self.list_and_ask()
        self.register_buyers()
        progress.step("bonds, listings, asks; buyers registered")
        self.open_orders()
        progress.step("asks filled, bids accepted")
        self.deliver()
        self.stake_positions()
        self.open_a_sealed_file()
        progress.step("files sealed and auto-submitted, positions staked")
        self.judge_and_settle(progress)
        summary = self.summary()
        progress.step("market summary")
        return summary

    # -- the summary --------------------------------------------------------------------------

    def summary(self) -> dict:
        self.read_outcomes()
        m = self.market
        names = list(self.parties)
        addresses = [self.parties[n].address for n in names]
        treasury = m.functions.treasury().call()
        extra = [a for a in (treasury, self.c.operator.address) if a not in addresses]
        rows = self.lens.functions.accountsOf(addresses + extra).call()
        # rows: balance, fees due, bond, bond in exit, locked (part of the bond)
        holdings = sum(r[0] + r[1] + r[2] + r[3] for r in rows)
        fees = m.functions.feesAccrued().call()
        open_orders = [o for o in self.settlement.book().values() if o.open]
        escrow = sum(
            o.struct[10] + o.struct[11] + m.functions.disputeOf(o.id).call()[1]
            for o in open_orders
        )
        held = self.c.nmr.functions.balanceOf(m.address).call()
        lens_held, lens_owed = self.lens.functions.solvency(
            addresses + extra, [o.struct for o in open_orders], []).call()
        jobs = {}
        for job in self.store.jobs():
            if job.kind.startswith(("registry", "market", "verdict", "settle")):
                jobs.setdefault(job.kind, {}).setdefault(job.state, 0)
                jobs[job.kind][job.state] += 1
        result = {
            "verified": list(self.verified),
            "sellers": list(SELLERS),
            "trades": [
                {"label": t.label, "expected": t.expected, "outcome": t.outcome,
                 "ok": t.outcome == t.expected, "order": t.order_id}
                for t in self.trades
            ],
            "accounts": [
                {"name": n, "balance": r[0], "bond": r[2] + r[3], "fees_due": r[1]}
                for n, r in zip(names, rows)
            ],
            "treasury": sum(r[0] + r[1] + r[2] + r[3] for r in rows[len(names):]),
            "holdings": holdings,
            "fees": fees,
            "escrow": escrow,
            "open_orders": len(open_orders),
            "held": held,
            "lens": (lens_held, lens_owed),
            "deposits": self.deposits,
            "opened_file": self.opened_file,
            "deliveries": len(self.delivery.records("delivered")),
            "jobs": jobs,
        }
        result["balances_add_up"] = held == holdings + fees + escrow == lens_owed
        result["outcomes_ok"] = all(t["ok"] for t in result["trades"])
        result["ok"] = (
            result["balances_add_up"] and result["outcomes_ok"]
            and len(self.verified) == len(SELLERS) and self.opened_file is not None
        )
        return result


def sign_ladder(account, chain_id: int, market: str, ladder: tuple) -> tuple[bytes, bytes]:
    """The seller's signature of a ladder (an ask nobody paid gas for), as `fill` takes it."""
    return signed_ladder(account.key, chain_id, market, ladder)


def _one(event, receipt) -> dict:
    """The arguments of the one `event` in `receipt` (the NMR token's own logs are skipped)."""
    (log,) = event().process_receipt(receipt, errors=DISCARD)
    return log["args"]


def render(s: dict) -> list[str]:
    from agent.simulate import nmr

    def mark(ok: bool) -> str:
        return "✓" if ok else "✗"

    lines = ["", "nmrx simulate: market summary"]
    lines.append(
        f"  {mark(len(s['verified']) == len(s['sellers']))} sellers verified through their "
        f"models' bios and attested on chain: {len(s['verified'])}/{len(s['sellers'])} "
        f"({', '.join(s['verified'])})"
    )
    lines.append(f"  orders {len(s['trades'])}, delivered {s['deliveries']}")
    for t in s["trades"]:
        got = OUTCOMES.get(t["outcome"], "not settled") if t["outcome"] is not None else (
            "not settled")
        lines.append(
            f"  {mark(t['ok'])} {t['label']}: expected {OUTCOMES[t['expected']]}, chain's "
            f"OrderSettled says {got}"
        )
    lines.append(
        f"  {mark(s['opened_file'] is not None)} the buyer opened its sealed file with its own "
        "key (ciphertext hash = the on-chain delivery hash)"
    )
    for a in s["accounts"]:
        lines.append(f"  {a['name']}: marketplace balance {nmr(a['balance'])}, bond "
                     f"{nmr(a['bond'])}, sale fees due {nmr(a['fees_due'])}")
    lines.append(f"  treasury and agent: {nmr(s['treasury'])}")
    lens_held, lens_owed = s["lens"]
    lines.append(
        f"  {mark(s['balances_add_up'])} the Marketplace holds {nmr(s['held'])} = accounts "
        f"{nmr(s['holdings'])} + fees {nmr(s['fees'])} + escrow {nmr(s['escrow'])} "
        f"({s['open_orders']} open orders); MarketLens: held {nmr(lens_held)}, owed "
        f"{nmr(lens_owed)}: balances {'add up' if s['balances_add_up'] else 'DO NOT ADD UP'}"
    )
    lines.append(f"  market jobs: {s['jobs']}")
    return lines
