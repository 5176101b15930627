"""withdrawFree: the user's own free withdrawal, once per period, needing nobody."""

import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR, user_view, withdrawal_request

DAY = 86400


def test_withdraw_free_sends_the_full_amount(pool, nmr, deposited, alice):
    pool.withdrawFree(100 * NMR, {"from": alice})
    assert nmr.balanceOf(alice) == 1100 * NMR
    assert user_view(pool, alice)["liquid"] == 900 * NMR
    assert pool.accruedFees() == 0
    assert pool.liabilities() == 1900 * NMR


def test_withdraw_free_emits_free_withdrawn(pool, deposited, alice):
    tx = pool.withdrawFree(100 * NMR, {"from": alice})
    assert tx.events["FreeWithdrawn"] == {"user": alice, "amount": 100 * NMR, "nonce": 0}


def test_withdraw_free_records_time_and_bumps_the_withdrawal_nonce(pool, deposited, alice, operator):
    request = withdrawal_request(pool, alice, NMR)
    tx = pool.withdrawFree(NMR, {"from": alice})
    view = user_view(pool, alice)
    assert (view["lastFreeWithdrawalAt"], view["withdrawalNonce"]) == (tx.timestamp, 1)
    brownie.chain.sleep(14 * DAY)
    tx = pool.executeFreeWithdrawals([request], {"from": operator})  # signed before: dead
    assert "FreeWithdrawn" not in tx.events


def test_second_free_withdrawal_within_the_period_reverts(pool, deposited, alice, operator):
    tx = pool.executeFreeWithdrawals([withdrawal_request(pool, alice, NMR)], {"from": operator})
    with brownie.reverts(custom_error(pool, "PayoutPoolFreeWithdrawalTooSoon", alice, tx.timestamp + 14 * DAY)):
        pool.withdrawFree(NMR, {"from": alice})


def test_next_free_withdrawal_after_the_period(pool, deposited, alice, chain):
    pool.withdrawFree(NMR, {"from": alice})
    chain.sleep(14 * DAY)
    pool.withdrawFree(NMR, {"from": alice})
    assert user_view(pool, alice)["liquid"] == 998 * NMR


def test_withdraw_free_above_liquid_reverts(pool, deposited, alice):
    with brownie.reverts(custom_error(pool, "PayoutPoolInsufficientLiquid", alice, 1000 * NMR, 1001 * NMR)):
        pool.withdrawFree(1001 * NMR, {"from": alice})


def test_withdraw_free_by_accounts_without_balance_reverts(pool, deposited, rando, operator, admin, treasury):
    for caller in (rando, operator, admin, treasury):
        with brownie.reverts(custom_error(pool, "PayoutPoolInsufficientLiquid", caller, 0, NMR)):
            pool.withdrawFree(NMR, {"from": caller})


def test_withdraw_free_of_zero_reverts(pool, deposited, alice):
    with brownie.reverts(custom_error(pool, "PayoutPoolZeroAmount")):
        pool.withdrawFree(0, {"from": alice})


def test_withdraw_free_is_allowed_while_paused(pool, deposited, admin, alice):
    pool.setPaused(True, {"from": admin})
    pool.withdrawFree(NMR, {"from": alice})
    assert user_view(pool, alice)["liquid"] == 999 * NMR


def test_half_nmr_deposit_leaves_without_the_operator(pool, nmr, carol):
    """Review scenario: a balance at or below the express fee could only leave through the operator."""
    nmr.faucet(carol, NMR // 2, {"from": carol})
    nmr.approve(pool, NMR // 2, {"from": carol})
    pool.deposit(NMR // 2, {"from": carol})
    with brownie.reverts(custom_error(pool, "PayoutPoolFeeAboveMax", pool.expressFee(NMR // 2), 0)):
        pool.withdrawExpress(NMR // 2, 0, {"from": carol})
    pool.withdrawFree(NMR // 2, {"from": carol})
    assert nmr.balanceOf(carol) == NMR // 2
    assert user_view(pool, carol)["liquid"] == 0
