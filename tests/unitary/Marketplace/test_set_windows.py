import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import DAY, WINDOWS

NEW = (2 * DAY, 3 * DAY, 4 * DAY, 14 * DAY)


def test_admin_sets_windows(market, admin):
    tx = market.setWindows(NEW, {"from": admin})
    assert tuple(market.windows()) == NEW
    assert tuple(tx.events["WindowsUpdated"]["windows"]) == NEW


def test_set_windows_by_non_admin_reverts(market, rando):
    with brownie.reverts(custom_error(market, "MarketplaceUnauthorized", rando, "0x" + "00" * 32)):
        market.setWindows(NEW, {"from": rando})


def test_each_window_outside_bounds_reverts(market, admin):
    for i in range(4):
        for bad in (3600 - 1, 30 * DAY + 1):
            with brownie.reverts(custom_error(market, "MarketplaceWindowsOutOfBounds")):
                market.setWindows(WINDOWS[:i] + (bad,) + WINDOWS[i + 1 :], {"from": admin})


def test_new_verdict_window_applies_to_later_deliveries(market, admin, order, seller):
    market.setWindows(NEW, {"from": admin})
    tx = market.deliver(order, "0x" + "ab" * 32, {"from": seller})
    assert tx.events["OrderDelivered"]["order"]["deadline"] == tx.timestamp + 2 * DAY
