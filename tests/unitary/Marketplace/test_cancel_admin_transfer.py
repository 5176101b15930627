"""cancelAdminTransfer: the admin stops a pending transfer."""

import brownie

from tests.errors import custom_error

ADMIN_ROLE = "0x" + "00" * 32
DELAY = 3 * 86400  # ADMIN_TRANSFER_DELAY


def test_admin_cancels_a_pending_transfer(market, admin, rando, chain):
    market.beginAdminTransfer(rando, {"from": admin})
    tx = market.cancelAdminTransfer({"from": admin})
    assert tx.events["AdminTransferCancelled"] == {"newAdmin": rando}
    chain.sleep(DELAY + 1)
    with brownie.reverts(custom_error(market, "MarketplaceAdminTransferNotReady", rando, 0)):
        market.acceptAdminTransfer({"from": rando})


def test_cancel_by_non_admin_reverts(market, rando):
    with brownie.reverts(custom_error(market, "MarketplaceUnauthorized", rando, ADMIN_ROLE)):
        market.cancelAdminTransfer({"from": rando})
