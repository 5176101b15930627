from tests.unitary.market_fixtures import NMR, RATES, WINDOWS


def test_constructor_wiring(terms, market, nmr, registry, treasury, admin):
    assert (market.nmr(), market.registry(), market.treasury()) == (nmr, registry, treasury)
    assert market.hasRole("0x" + "00" * 32, admin) and market.admin() == admin
    assert tuple(int(v) for v in terms.rates()) == RATES and tuple(terms.windows()) == WINDOWS
    assert terms.currentTermsId() == 1 and tuple(terms.pendingTerms()) == (0, 0)


def test_fresh_account_views_are_zero(market, rando):
    assert market.balanceOf(rando) == market.feesDueOf(rando) == 0
    assert tuple(market.sellerOf(rando)) == (0, 0, 0, 0)
    assert tuple(market.reputationOf(rando)) == (0, 0, 0, 0, 0, 0)


def test_seller_view_after_listing_and_a_sale(market, listing, seller, order):
    s = market.sellerOf(seller)
    assert (s["bond"], s["locked"]) == (100 * NMR, 5 * NMR)


def test_listing_view_holds_its_terms_snapshot(market, listing):
    item = market.listingOf(listing)
    assert (item["feeBps"], item["minBondBps"], item["terms"], item["verdictWindow"]) == (250, 5_000, 1, 4 * 86400)


def test_first_score_delay_per_tournament(terms, market):
    day = 86400
    assert [terms.firstScoreDelay(t) for t in (8, 11, 12, 99)] == [4 * day, 7 * day, 4 * day, 7 * day]
