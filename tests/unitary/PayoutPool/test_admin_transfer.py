"""The admin role moves in two steps after a delay (AccessControlDefaultAdminRules)."""

import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import CHANGE_DELAY


def test_initial_admin_delay_is_the_change_delay(pool, admin):
    assert pool.defaultAdmin() == admin
    assert pool.defaultAdminDelay() == CHANGE_DELAY


def test_admin_transfer_needs_the_delay_and_acceptance(pool, admin, carol, chain, admin_role):
    tx = pool.beginDefaultAdminTransfer(carol, {"from": admin})
    schedule = tx.timestamp + CHANGE_DELAY
    assert tx.events["DefaultAdminTransferScheduled"] == {"newAdmin": carol, "acceptSchedule": schedule}
    with brownie.reverts(custom_error(pool, "AccessControlEnforcedDefaultAdminDelay", schedule)):
        pool.acceptDefaultAdminTransfer({"from": carol})
    chain.sleep(CHANGE_DELAY + 1)
    pool.acceptDefaultAdminTransfer({"from": carol})
    assert pool.defaultAdmin() == carol
    assert not pool.hasRole(admin_role, admin)


def test_grant_admin_role_directly_reverts(pool, admin, carol, admin_role):
    with brownie.reverts(custom_error(pool, "AccessControlEnforcedDefaultAdminRules")):
        pool.grantRole(admin_role, carol, {"from": admin})
