import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import NMR, fund


def test_post_bond_moves_balance_into_bond(market, nmr, rando):
    fund(nmr, market, rando, 5 * NMR)
    market.postBond(3 * NMR, {"from": rando})
    assert market.balanceOf(rando) == 2 * NMR
    assert market.sellerOf(rando)["bond"] == 3 * NMR


def test_post_bond_emits_bond_posted(market, nmr, rando):
    fund(nmr, market, rando, 5 * NMR)
    market.postBond(NMR, {"from": rando})
    tx = market.postBond(2 * NMR, {"from": rando})
    assert tx.events["BondPosted"] == {"seller": rando, "amount": 2 * NMR, "bond": 3 * NMR}


def test_post_bond_beyond_balance_reverts(market, rando):
    with brownie.reverts(custom_error(market, "MarketplaceInsufficientBalance", rando, 0, NMR)):
        market.postBond(NMR, {"from": rando})


def test_post_bond_zero_reverts(market, rando):
    with brownie.reverts(custom_error(market, "MarketplaceZeroAmount")):
        market.postBond(0, {"from": rando})
