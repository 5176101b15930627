"""Marketplace fixtures: a deployed market with a bonded seller, three listings and funded buyers.

Module-scoped fixtures deploy once per test file; the autouse `isolation` fixture rewinds every test.
"""

import pytest

from tests.unitary.market_fixtures import (
    BOUNDS,
    DAY,
    FILE,
    NMR,
    STAKE,
    VERIFIED_FILE,
    deploy_market,
    fund,
    ladder,
    make_seller,
    order_of,
    sign_ladder,
    signer_account,
)


@pytest.fixture(scope="session")
def verifier(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def arbiter(accounts):
    return accounts[8]


@pytest.fixture(scope="module")
def seller(accounts, admin):
    """A seller with a private key, to sign ladders."""
    return signer_account(accounts, 0, admin)


@pytest.fixture(scope="module")
def market(Marketplace, nmr, registry, admin, treasury, verifier, arbiter):
    return deploy_market(Marketplace, nmr, registry, admin, treasury, verifier, arbiter)


@pytest.fixture(scope="module")
def terms(MarketTerms, market):
    """The marketplace's terms contract (rates and windows, versioned; the market admin sets them)."""
    return MarketTerms.at(market.terms())


@pytest.fixture(scope="module")
def lens(MarketLens, market, admin):
    return MarketLens.deploy(market, {"from": admin})


@pytest.fixture(scope="module")
def listing(market, nmr, registry, attestor, seller, model_ids, bob, carol):
    """Verified-file listing of model 0 (rounds 500-510) by `seller` with a 100 NMR bond; bob
    and carol have 1,000 NMR each in the market."""
    listing_id = make_seller(nmr, market, registry, attestor, seller, model_ids[0], mode=VERIFIED_FILE)
    for buyer in (bob, carol):
        fund(nmr, market, buyer, 1_000 * NMR)
    return listing_id


@pytest.fixture(scope="module")
def file_listing(listing, market, nmr, registry, attestor, seller, model_ids):
    """Plain file listing of model 1 by the same seller."""
    return make_seller(nmr, market, registry, attestor, seller, model_ids[1], bond=0, mode=FILE)


@pytest.fixture(scope="module")
def stake_listing(listing, market, nmr, registry, attestor, seller, model_ids):
    """Stake-mode listing of model 2 by the same seller."""
    return make_seller(nmr, market, registry, attestor, seller, model_ids[2], bond=0, mode=STAKE)


@pytest.fixture
def signed(market, seller, chain):
    """Build and sign a ladder: signed(listing_id, prices, units, **ladder_fields) -> (ladder, r, vs)."""

    def make(listing_id, prices=(10 * NMR,), units=(5,), signer=None, chain_id=None, **fields):
        t = chain.time()
        fields.setdefault("deliver_by", t + 2 * DAY)
        fields.setdefault("expiry", t + DAY)
        lad = ladder(listing_id, prices, units, **fields)
        r, vs = sign_ladder(market, signer or seller, lad, chain_id=chain_id or chain.id)
        return lad, r, vs

    return make


@pytest.fixture
def buy(market, signed, bob):
    """Fill `units` of a fresh one-tier ladder on `listing_id`; returns the Order tuple."""

    def make(listing_id, units=1, price=10 * NMR, buyer=None, **fields):
        lad, r, vs = signed(listing_id, (price,), (100,), **fields)
        return order_of(market.fill(lad, r, vs, units, price, *BOUNDS, {"from": buyer or bob}), market=market)

    return make


@pytest.fixture
def order(buy, listing):
    """bob's open (paid) verified-file order: 1 copy at 10 NMR."""
    return buy(listing)


@pytest.fixture
def delivered(market, order, seller):
    return order_of(market.deliver(order, "0x" + "ab" * 32, {"from": seller}), "OrderDelivered")


@pytest.fixture
def judge(market, verifier, seller):
    """Take an open order through delivery to a posted verdict; returns the judged Order."""

    def make(order, verdict):
        delivered = order_of(market.deliver(order, "0x" + "ab" * 32, {"from": seller}), "OrderDelivered")
        tx = market.postVerdict(delivered, verdict, "0x" + "cd" * 32, {"from": verifier})
        return order_of(tx, "VerdictPosted")

    return make


@pytest.fixture
def dispute(market, judge):
    """A judged order disputed by `by` (who gets the dispute bond funded first)."""

    def make(order, verdict, by):
        judged = judge(order, verdict)
        return order_of(market.dispute(judged, {"from": by}), "OrderDisputed")

    return make
