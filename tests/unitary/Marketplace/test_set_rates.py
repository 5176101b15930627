import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import NMR, RATES, TERMS_DELAY, WINDOWS

NEW = (500, 10_000, 2_000, 5_000, 2_500, 7_500, 2_500, 5 * NMR)


def test_admin_schedules_rates_that_apply_after_the_delay(terms, market, admin, chain):
    tx = terms.setRates(NEW, {"from": admin})
    ev = tx.events["TermsScheduled"]
    assert (ev["termsId"], ev["effectiveFrom"]) == (2, tx.timestamp + TERMS_DELAY)
    assert [tuple(int(v) for v in part) for part in terms.termsOf(2)] == [NEW, WINDOWS]
    assert tuple(int(v) for v in terms.rates()) == RATES
    assert tuple(terms.pendingTerms()) == (2, tx.timestamp + TERMS_DELAY)
    chain.sleep(TERMS_DELAY + 1)
    chain.mine()
    assert tuple(int(v) for v in terms.rates()) == NEW and terms.currentTermsId() == 2
    assert [tuple(int(v) for v in part) for part in terms.termsOf(1)] == [RATES, WINDOWS]


def test_set_rates_by_non_admin_reverts(terms, market, rando, verifier, arbiter):
    for caller in (rando, verifier, arbiter):
        with brownie.reverts(custom_error(terms, "MarketTermsUnauthorized", caller)):
            terms.setRates(NEW, {"from": caller})


def test_each_rate_above_its_bound_reverts(terms, market, admin):
    limits = [1_000, 20_000, 10_000, 20_000, 10_000, 10_000, 10_000, 10_000 * NMR]
    for i, limit in enumerate(limits):
        terms.setRates(RATES[:i] + (limit,) + RATES[i + 1 :], {"from": admin})
        with brownie.reverts(custom_error(terms, "MarketTermsRatesOutOfBounds")):
            terms.setRates(RATES[:i] + (limit + 1,) + RATES[i + 1 :], {"from": admin})


def test_a_second_change_replaces_the_pending_one_and_restarts_the_delay(terms, market, admin, chain):
    terms.setRates(NEW, {"from": admin})
    chain.sleep(TERMS_DELAY // 2)
    tx = terms.setWindows(WINDOWS[:4] + (3 * 86400,), {"from": admin})
    assert [tuple(int(v) for v in part) for part in terms.termsOf(3)] == [NEW, WINDOWS[:4] + (3 * 86400,)]
    assert tuple(terms.pendingTerms()) == (3, tx.timestamp + TERMS_DELAY)


def test_new_rates_reach_only_listings_created_after_they_apply(terms, market, admin, listing, seller, buy, model_ids, chain):
    terms.setRates(NEW, {"from": admin})
    chain.sleep(TERMS_DELAY + 1)
    assert buy(listing)[7] == RATES[0]
    new_listing = market.createListing(model_ids[0], 1, 500, 510, {"from": seller}).return_value
    order = buy(new_listing)
    assert (order[7], order[8]) == (NEW[0], 2)
