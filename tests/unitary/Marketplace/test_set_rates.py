import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import NMR, RATES

NEW = (500, 10_000, 2_000, 5_000, 2_500, 7_500, 2_500, 5 * NMR)


def test_admin_sets_rates(market, admin):
    tx = market.setRates(NEW, {"from": admin})
    assert tuple(market.rates()) == NEW
    assert tuple(tx.events["RatesUpdated"]["rates"]) == NEW


def test_set_rates_by_non_admin_reverts(market, rando, verifier):
    for caller in (rando, verifier):
        with brownie.reverts(custom_error(market, "MarketplaceUnauthorized", caller, "0x" + "00" * 32)):
            market.setRates(NEW, {"from": caller})


def test_each_rate_above_its_bound_reverts(market, admin):
    limits = [1_000, 20_000, 10_000, 20_000, 10_000, 10_000, 10_000, 10_000 * NMR]
    for i, limit in enumerate(limits):
        market.setRates(RATES[:i] + (limit,) + RATES[i + 1 :], {"from": admin})
        with brownie.reverts(custom_error(market, "MarketplaceRatesOutOfBounds")):
            market.setRates(RATES[:i] + (limit + 1,) + RATES[i + 1 :], {"from": admin})


def test_new_fee_applies_to_a_seller_from_its_next_listing(market, admin, listing, seller, buy, model_ids):
    market.setRates(NEW, {"from": admin})
    assert buy(listing)[7] == RATES[0]
    market.createListing(model_ids[0], 1, 500, 510, {"from": seller})
    assert buy(listing)[7] == NEW[0]
