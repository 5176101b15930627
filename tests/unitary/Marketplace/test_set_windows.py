import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import CLASSIC_VERDICT_WINDOW, DAY, RATES, TERMS_DELAY, WINDOWS

NEW = (5 * DAY, 3 * DAY, 4 * DAY, 14 * DAY, 7 * DAY)


def test_admin_schedules_windows(terms, market, admin, chain):
    tx = terms.setWindows(NEW, {"from": admin})
    assert tx.events["TermsScheduled"]["termsId"] == 2 and [tuple(int(v) for v in part) for part in terms.termsOf(2)] == [RATES, NEW]
    assert tuple(terms.windows()) == WINDOWS
    chain.sleep(TERMS_DELAY + 1)
    chain.mine()
    assert tuple(terms.windows()) == NEW


def test_set_windows_by_non_admin_reverts(terms, market, rando):
    with brownie.reverts(custom_error(terms, "MarketTermsUnauthorized", rando)):
        terms.setWindows(NEW, {"from": rando})


def test_each_window_outside_bounds_reverts(terms, market, admin):
    for i in range(5):
        for bad in (3600 - 1, 30 * DAY + 1):
            with brownie.reverts(custom_error(terms, "MarketTermsWindowsOutOfBounds")):
                terms.setWindows(WINDOWS[:i] + (bad,) + WINDOWS[i + 1 :], {"from": admin})


def test_new_windows_never_reach_an_open_order(terms, market, admin, listing, buy, seller, chain):
    order = buy(listing, deliver_by=chain.time() + 10 * DAY)
    terms.setWindows(NEW, {"from": admin})
    chain.sleep(TERMS_DELAY + 1)
    tx = market.deliver(order, "0x" + "ab" * 32, {"from": seller})
    assert tx.events["OrderDelivered"]["order"]["deadline"] == tx.timestamp + CLASSIC_VERDICT_WINDOW


def test_a_longer_verdict_window_reaches_new_listings(terms, market, admin, seller, model_ids, buy, chain):
    terms.setWindows(NEW, {"from": admin})
    chain.sleep(TERMS_DELAY + 1)
    new_listing = market.createListing(model_ids[0], 1, 500, 510, {"from": seller}).return_value
    order = buy(new_listing)
    tx = market.deliver(order, "0x" + "ab" * 32, {"from": seller})
    assert tx.events["OrderDelivered"]["order"]["deadline"] == tx.timestamp + 5 * DAY
