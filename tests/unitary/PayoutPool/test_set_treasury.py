import brownie

from tests.errors import custom_error


def test_set_treasury_updates_and_emits(pool, admin, treasury, carol):
    tx = pool.setTreasury(carol, {"from": admin})
    assert pool.treasury() == carol
    assert tx.events["TreasuryUpdated"] == {"previousTreasury": treasury, "newTreasury": carol}


def test_zero_treasury_reverts(pool, admin):
    with brownie.reverts(custom_error(pool, "PayoutPoolZeroTreasury")):
        pool.setTreasury("0x" + "00" * 20, {"from": admin})


def test_set_treasury_by_other_roles_reverts(pool, alice, rando, operator, treasury, admin_role):
    for caller in (alice, rando, operator, treasury):
        with brownie.reverts(custom_error(pool, "AccessControlUnauthorizedAccount", caller, admin_role)):
            pool.setTreasury(caller, {"from": caller})
