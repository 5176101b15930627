import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR, user_view


def test_deposit_credits_liquid_balance(pool, deposited, alice):
    assert user_view(pool, alice)["liquid"] == 1000 * NMR


def test_deposit_moves_nmr_into_the_pool(pool, nmr, deposited, alice):
    assert nmr.balanceOf(pool) == 2000 * NMR
    assert nmr.balanceOf(alice) == 1000 * NMR


def test_deposit_adds_to_existing_balance(pool, deposited, alice):
    pool.deposit(5 * NMR, {"from": alice})
    assert user_view(pool, alice)["liquid"] == 1005 * NMR


def test_deposit_emits_deposited(pool, deposited, alice):
    tx = pool.deposit(7 * NMR, {"from": alice})
    assert tx.events["Deposited"] == {"user": alice, "amount": 7 * NMR}


def test_deposit_zero_reverts(pool, deposited, alice):
    with brownie.reverts(custom_error(pool, "PayoutPoolZeroAmount")):
        pool.deposit(0, {"from": alice})


def test_deposit_without_approval_reverts(pool, nmr, carol):
    nmr.faucet(carol, 10 * NMR, {"from": carol})
    with brownie.reverts(custom_error(nmr, "ERC20InsufficientAllowance", pool, 0, 10 * NMR)):
        pool.deposit(10 * NMR, {"from": carol})
    assert user_view(pool, carol)["liquid"] == 0


def test_deposit_is_allowed_while_paused(pool, deposited, admin, alice):
    pool.setPaused(True, {"from": admin})
    pool.deposit(NMR, {"from": alice})
    assert user_view(pool, alice)["liquid"] == 1001 * NMR
