import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import DAY, NMR


def test_withdraw_bond_after_notice_credits_balance(market, listing, seller, chain):
    market.requestBondExit(40 * NMR, {"from": seller})
    chain.sleep(7 * DAY + 1)
    tx = market.withdrawBond({"from": seller})
    assert market.balanceOf(seller) == 40 * NMR
    assert tuple(market.bondExitOf(seller)) == (0, 0)
    assert tx.events["BondWithdrawn"] == {"seller": seller, "amount": 40 * NMR}


def test_withdraw_bond_during_notice_reverts(market, listing, seller, chain):
    tx = market.requestBondExit(40 * NMR, {"from": seller})
    chain.sleep(6 * DAY)
    unlock = tx.timestamp + 7 * DAY
    with brownie.reverts(custom_error(market, "MarketplaceBondExitLocked", seller, unlock)):
        market.withdrawBond({"from": seller})


def test_withdraw_bond_with_nothing_exiting_reverts(market, rando):
    with brownie.reverts(custom_error(market, "MarketplaceBondExitLocked", rando, 0)):
        market.withdrawBond({"from": rando})


def test_exiting_bond_stays_slashable_during_notice(market, listing, seller, buy, judge, chain):
    judged = judge(buy(listing, units=10), 2)  # seller fault on a 100 NMR order: slash 100 NMR
    market.requestBondExit(50 * NMR, {"from": seller})
    chain.sleep(2 * DAY + 1)
    market.settle(judged, {"from": seller})
    assert market.sellerOf(seller)["bond"] == 0
    assert market.bondExitOf(seller)["amount"] == 0
