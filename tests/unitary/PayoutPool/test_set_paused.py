import brownie

from tests.errors import custom_error


def test_set_paused_updates_and_emits(pool, admin):
    tx = pool.setPaused(True, {"from": admin})
    assert pool.paused() is True
    assert tx.events["PauseSet"] == {"paused": True, "admin": admin}
    pool.setPaused(False, {"from": admin})
    assert pool.paused() is False


def test_set_paused_by_other_roles_reverts(pool, alice, rando, operator, treasury, admin_role):
    for caller in (alice, rando, operator, treasury):
        with brownie.reverts(custom_error(pool, "AccessControlUnauthorizedAccount", caller, admin_role)):
            pool.setPaused(True, {"from": caller})
