"""beginAdminTransfer: the admin names its successor; nothing changes before acceptance."""

import brownie

from tests.errors import custom_error

ADMIN_ROLE = "0x" + "00" * 32
DELAY = 3 * 86400  # ADMIN_TRANSFER_DELAY


def test_begin_emits_and_keeps_the_current_admin(market, admin, rando):
    tx = market.beginAdminTransfer(rando, {"from": admin})
    assert tx.events["AdminTransferStarted"] == {"newAdmin": rando, "acceptableFrom": tx.timestamp + DELAY}
    assert market.admin() == admin and not market.hasRole(ADMIN_ROLE, rando)


def test_begin_by_non_admin_reverts(market, rando, verifier):
    for caller in (rando, verifier):
        with brownie.reverts(custom_error(market, "MarketplaceUnauthorized", caller, ADMIN_ROLE)):
            market.beginAdminTransfer(caller, {"from": caller})


def test_transfer_to_zero_reverts(market, admin):
    with brownie.reverts(custom_error(market, "MarketplaceZeroAddress")):
        market.beginAdminTransfer("0x" + "00" * 20, {"from": admin})
