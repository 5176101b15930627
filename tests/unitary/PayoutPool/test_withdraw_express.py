import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR, user_view


def test_express_withdrawal_pays_amount_minus_fee(pool, nmr, deposited, alice):
    pool.withdrawExpress(100 * NMR, 2**256 - 1, {"from": alice})
    fee = 100 * NMR * 50 // 10_000 + NMR // 2
    assert nmr.balanceOf(alice) == 1000 * NMR + 100 * NMR - fee
    assert user_view(pool, alice)["liquid"] == 900 * NMR


def test_express_fee_accrues_for_the_treasury(pool, deposited, alice):
    pool.withdrawExpress(100 * NMR, 2**256 - 1, {"from": alice})
    assert pool.accruedFees() == NMR


def test_express_fee_is_capped(pool, deposited, alice):
    assert pool.expressFee(1000 * NMR) == 5 * NMR


def test_express_fee_formula(pool):
    assert pool.expressFee(200 * NMR) == 200 * NMR * 50 // 10_000 + NMR // 2


def test_express_withdrawal_emits_express_withdrawn(pool, deposited, alice):
    tx = pool.withdrawExpress(100 * NMR, 2**256 - 1, {"from": alice})
    assert tx.events["ExpressWithdrawn"] == {"user": alice, "amount": 100 * NMR, "fee": NMR}


def test_express_withdrawals_have_no_period(pool, deposited, alice):
    pool.withdrawExpress(10 * NMR, 2**256 - 1, {"from": alice})
    pool.withdrawExpress(10 * NMR, 2**256 - 1, {"from": alice})
    assert user_view(pool, alice)["liquid"] == 980 * NMR


def test_amount_not_above_the_fee_reverts(pool, deposited, alice):
    fee = pool.expressFee(NMR // 2)
    with brownie.reverts(custom_error(pool, "PayoutPoolFeeNotBelowAmount", NMR // 2, fee)):
        pool.withdrawExpress(NMR // 2, 2**256 - 1, {"from": alice})


def test_express_above_liquid_reverts(pool, deposited, alice):
    with brownie.reverts(custom_error(pool, "PayoutPoolInsufficientLiquid", alice, 1000 * NMR, 1001 * NMR)):
        pool.withdrawExpress(1001 * NMR, 2**256 - 1, {"from": alice})


def test_express_by_an_account_without_balance_reverts(pool, deposited, rando, operator, admin):
    for caller in (rando, operator, admin):
        with brownie.reverts(custom_error(pool, "PayoutPoolInsufficientLiquid", caller, 0, 10 * NMR)):
            pool.withdrawExpress(10 * NMR, 2**256 - 1, {"from": caller})


def test_express_zero_reverts(pool, deposited, alice):
    with brownie.reverts(custom_error(pool, "PayoutPoolZeroAmount")):
        pool.withdrawExpress(0, 2**256 - 1, {"from": alice})


def test_express_withdrawal_is_allowed_while_paused(pool, deposited, admin, alice):
    pool.setPaused(True, {"from": admin})
    pool.withdrawExpress(10 * NMR, 2**256 - 1, {"from": alice})
    assert user_view(pool, alice)["liquid"] == 990 * NMR


def test_fee_above_max_fee_reverts(pool, deposited, alice):
    with brownie.reverts(custom_error(pool, "PayoutPoolFeeAboveMax", NMR, NMR - 1)):
        pool.withdrawExpress(100 * NMR, NMR - 1, {"from": alice})


def test_fee_equal_to_max_fee_passes(pool, deposited, alice):
    pool.withdrawExpress(100 * NMR, NMR, {"from": alice})
    assert pool.accruedFees() == NMR


def test_express_lowers_the_liabilities_by_what_leaves(pool, deposited, alice):
    pool.withdrawExpress(100 * NMR, NMR, {"from": alice})
    assert pool.liabilities() == 2000 * NMR - 99 * NMR


def test_pending_fee_increase_cannot_reach_a_user_who_leaves_before_its_delay(pool, nmr, deposited, admin, alice, chain):
    """Review scenario: the admin used to raise fees at once under a pending withdrawal."""
    tx = pool.setParams((14 * 86400, 500, 10 * NMR, 50 * NMR), {"from": admin})
    effective_at = tx.events["ParamsAnnounced"]["effectiveAt"]
    assert pool.expressFee(100 * NMR) == NMR  # unchanged until activated
    chain.sleep(effective_at - chain.time() - 3600)
    with brownie.reverts(custom_error(pool, "PayoutPoolNotYetEffective", effective_at)):
        pool.activateParams({"from": admin})
    pool.withdrawExpress(100 * NMR, NMR, {"from": alice})  # before the delay: old fee
    pool.withdrawFree(800 * NMR, {"from": alice})  # and the free path
    assert nmr.balanceOf(alice) == 1000 * NMR + 99 * NMR + 800 * NMR
