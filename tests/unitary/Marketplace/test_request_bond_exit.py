import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import DAY, NMR


def test_request_bond_exit_moves_bond_to_exiting_with_notice(market, listing, seller, chain):
    tx = market.requestBondExit(40 * NMR, {"from": seller})
    assert market.sellerOf(seller)["bond"] == 60 * NMR
    assert tuple(market.bondExitOf(seller)) == (40 * NMR, tx.timestamp + 7 * DAY)
    assert tx.events["BondExitRequested"]["unlockAt"] == tx.timestamp + 7 * DAY


def test_new_request_adds_and_restarts_notice(market, listing, seller, chain):
    market.requestBondExit(10 * NMR, {"from": seller})
    chain.sleep(3 * DAY)
    tx = market.requestBondExit(5 * NMR, {"from": seller})
    assert tuple(market.bondExitOf(seller)) == (15 * NMR, tx.timestamp + 7 * DAY)


def test_exit_below_required_bond_for_open_exposure_reverts(market, listing, seller, buy):
    buy(listing, units=10)  # 100 NMR exposure needs 50 NMR of bond at 50%
    with brownie.reverts(custom_error(market, "MarketplaceBondTooLow", seller, 49 * NMR, 50 * NMR)):
        market.requestBondExit(51 * NMR, {"from": seller})


def test_exit_more_than_bond_reverts(market, listing, seller):
    with brownie.reverts(custom_error(market, "MarketplaceInsufficientBalance", seller, 100 * NMR, 101 * NMR)):
        market.requestBondExit(101 * NMR, {"from": seller})


def test_exit_zero_reverts(market, seller):
    with brownie.reverts(custom_error(market, "MarketplaceZeroAmount")):
        market.requestBondExit(0, {"from": seller})
