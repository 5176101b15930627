from tests.unitary.market_fixtures import NMR, RATES, WINDOWS


def test_constructor_wiring(market, nmr, registry, treasury, admin):
    assert (market.nmr(), market.registry(), market.treasury()) == (nmr, registry, treasury)
    assert market.hasRole("0x" + "00" * 32, admin)
    assert tuple(market.rates()) == RATES and tuple(market.windows()) == WINDOWS


def test_fresh_account_views_are_zero(market, rando):
    assert market.balanceOf(rando) == market.feesDueOf(rando) == 0
    assert tuple(market.sellerOf(rando)) == (0, 0, 0, 0, 0, 0)
    assert tuple(market.reputationOf(rando)) == (0, 0, 0, 0, 0)


def test_seller_view_after_listing_and_a_sale(market, listing, seller, order):
    s = market.sellerOf(seller)
    assert (s["bond"], s["exposure"], s["feeBps"], s["minBondBps"]) == (100 * NMR, 10 * NMR, 250, 5_000)
