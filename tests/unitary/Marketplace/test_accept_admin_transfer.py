"""acceptAdminTransfer: the new admin takes the role, no sooner than the delay."""

import brownie

from tests.errors import custom_error

ADMIN_ROLE = "0x" + "00" * 32
DELAY = 3 * 86400  # ADMIN_TRANSFER_DELAY


def test_new_admin_accepts_after_the_delay(market, admin, rando, chain):
    tx = market.beginAdminTransfer(rando, {"from": admin})
    assert tx.events["AdminTransferStarted"] == {"newAdmin": rando, "acceptableFrom": tx.timestamp + DELAY}
    chain.sleep(DELAY + 1)
    tx = market.acceptAdminTransfer({"from": rando})
    assert market.admin() == rando and not market.hasRole(ADMIN_ROLE, admin)
    assert tx.events["RoleRevoked"]["account"] == admin
    assert tx.events["RoleGranted"]["account"] == rando
    with brownie.reverts(custom_error(market, "MarketplaceAdminTransferNotReady", rando, 0)):
        market.acceptAdminTransfer({"from": rando})


def test_accept_before_the_delay_reverts(market, admin, rando):
    tx = market.beginAdminTransfer(rando, {"from": admin})
    with brownie.reverts(custom_error(market, "MarketplaceAdminTransferNotReady", rando, tx.timestamp + DELAY)):
        market.acceptAdminTransfer({"from": rando})


def test_accept_by_someone_else_reverts(market, admin, rando, bob, chain):
    tx = market.beginAdminTransfer(rando, {"from": admin})
    chain.sleep(DELAY + 1)
    with brownie.reverts(custom_error(market, "MarketplaceAdminTransferNotReady", bob, tx.timestamp + DELAY)):
        market.acceptAdminTransfer({"from": bob})
