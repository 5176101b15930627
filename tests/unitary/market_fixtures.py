"""Helpers shared by the marketplace tests and the gas bench: deploy, fund, sign, track orders.

Plain functions (no brownie submodule imports at module level: see tests/conftest.py).
"""

import time

from agent.market.ladders import sign_ladder as sign_compact

NMR = 10**18
DAY = 86400
FILE, VERIFIED_FILE, STAKE = 0, 1, 2
PAID, DELIVERED, JUDGED, DISPUTED = 1, 2, 3, 4
NONE, CONSISTENT, SELLER_FAULT, BUYER_FAULT = 0, 1, 2, 3
RELEASED, REFUNDED, SELLER_SLASHED, BUYER_SLASHED = 0, 1, 2, 3

# feeBps, minBondBps, buyerCollateralBps, sellerSlashBps, slashToBuyerBps,
# buyerSlashToSellerBps, disputeRewardBps, disputeBond
RATES = (250, 5_000, 1_000, 10_000, 5_000, 5_000, 5_000, 10 * NMR)
# verdictWindow, challengeWindow, arbitrationWindow, exitNotice, complaintWindow
WINDOWS = (DAY, 2 * DAY, 3 * DAY, 7 * DAY, 2 * DAY)
# A verified-file or stake listing of a classic (tournament 8) model gets a 4-day verdict window.
CLASSIC_VERDICT_WINDOW = 4 * DAY
ROLE_DELAY = 2 * DAY
TERMS_DELAY = 3 * DAY
# The buyer bounds (maxCollateral, maxFeeBps) of a buyer who accepts anything.
BOUNDS = (2**96, 10_000)
ORDER_FIELDS = [
    "id", "seller", "buyer", "mode", "state", "verdict", "deadline", "feeBps", "terms", "verdictWindow",
    "price", "buyerCollateral", "bond",
]

# The ladder's EIP-712 types are the agent's (agent/market/ladders.py): the contract tests sign
# with them, so a drift between the two fails here.


def signer_account(accounts, index, funder):
    """A brownie LocalAccount with a known private key (ganache's own accounts have none), funded with ETH."""
    account = accounts.add("0x" + f"{0x5e11e4 + index:064x}")
    if account.balance() < 10**20:
        funder.transfer(account, 10**20)
    return account


def deploy_market(Marketplace, nmr, registry, admin, treasury, verifier, arbiter):
    """A marketplace with the test rates and windows; the verifier and arbiter given at deployment
    are active at once."""
    return Marketplace.deploy(nmr, registry, admin, treasury, verifier, arbiter, RATES, WINDOWS, {"from": admin})


def fund(nmr, market, account, amount):
    """Faucet `amount` NMR to `account` and deposit it into its marketplace balance."""
    nmr.faucet(account, amount, {"from": account})
    if nmr.allowance(account, market) != 0:
        nmr.approve(market, 0, {"from": account})
    nmr.approve(market, amount, {"from": account})
    return market.deposit(amount, {"from": account})


def make_seller(nmr, market, registry, attestor, seller, model_id, bond=100 * NMR, mode=FILE, rounds=(500, 510)):
    """Register `model_id` to `seller`, post a bond and create a listing; returns the listing id."""
    if registry.ownerOf(model_id) != seller:
        registry.attest(model_id, seller, 8, {"from": attestor})
    if bond:
        fund(nmr, market, seller, bond)
        market.postBond(bond, {"from": seller})
    tx = market.createListing(model_id, mode, rounds[0], rounds[1], {"from": seller})
    return tx.events["ListingCreated"]["listingId"]


def now(chain):
    return chain.time()


def ladder(listing_id, prices, units, *, round_=500, version=0, counter=0, deliver_by, expiry):
    """A Ladder struct as a tuple in the contract's field order."""
    return (listing_id, round_, version, counter, deliver_by, expiry, list(prices), list(units))


def sign_ladder(market, seller, ladder_tuple, *, chain_id, verifying_contract=None):
    """The seller's EIP-712 signature over `ladder_tuple` in compact form: `(r, vs)` (EIP-2098)."""
    r, vs = sign_compact(seller.private_key, chain_id,
                         str(verifying_contract or market.address), ladder_tuple)
    return "0x" + r.hex(), "0x" + vs.hex()


NO_SIG = ("0x" + "00" * 32, "0x" + "00" * 32)


def order_of(tx, event="OrderOpened", market=None):
    """The Order struct (a plain tuple to pass back to the contract) after `tx`.

    Later events carry the whole struct; `OrderOpened` carries its own fields, with the seller,
    the mode, the terms and the verdict window read from the listing.
    """
    if event != "OrderOpened":
        return tuple(tx.events[event]["order"])
    if market is None:
        from brownie.network.state import _find_contract

        market = _find_contract(tx.receiver)
    ev = tx.events["OrderOpened"]
    listing = market.listingOf(ev["listingId"])
    return (
        ev["orderId"], listing["seller"], ev["buyer"], listing["mode"], PAID, NONE,
        ev["deliverBy"], ev["feeBps"], listing["terms"], listing["verdictWindow"],
        ev["price"], ev["buyerCollateral"], ev["bond"],
    )


def with_fields(order, **changes):
    """A copy of an Order tuple with named fields changed (for forged-struct tests)."""
    values = dict(zip(ORDER_FIELDS, order))
    values.update(changes)
    return tuple(values[n] for n in ORDER_FIELDS)
