import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR, user_view, withdrawal_request

DAY = 86400


def test_free_withdrawal_sends_the_full_amount(pool, nmr, deposited, alice, operator):
    pool.executeFreeWithdrawals([withdrawal_request(pool, alice, 100 * NMR)], {"from": operator})
    assert nmr.balanceOf(alice) == 1100 * NMR
    assert user_view(pool, alice)["liquid"] == 900 * NMR
    assert pool.accruedFees() == 0


def test_free_withdrawal_emits_free_withdrawn(pool, deposited, alice, operator):
    tx = pool.executeFreeWithdrawals([withdrawal_request(pool, alice, 100 * NMR)], {"from": operator})
    assert tx.events["FreeWithdrawn"] == {"user": alice, "amount": 100 * NMR, "nonce": 0}


def test_free_withdrawal_records_time_and_nonce(pool, deposited, alice, operator):
    tx = pool.executeFreeWithdrawals([withdrawal_request(pool, alice, NMR)], {"from": operator})
    view = user_view(pool, alice)
    assert (view["lastFreeWithdrawalAt"], view["withdrawalNonce"]) == (tx.timestamp, 1)


def test_batch_serves_several_users(pool, nmr, deposited, alice, bob, operator):
    requests = [withdrawal_request(pool, alice, NMR), withdrawal_request(pool, bob, 2 * NMR)]
    pool.executeFreeWithdrawals(requests, {"from": operator})
    assert (nmr.balanceOf(alice), nmr.balanceOf(bob)) == (1001 * NMR, 1002 * NMR)


def test_second_free_withdrawal_within_the_period_reverts(pool, deposited, alice, operator):
    tx = pool.executeFreeWithdrawals([withdrawal_request(pool, alice, NMR)], {"from": operator})
    with brownie.reverts(custom_error(pool, "PayoutPoolFreeWithdrawalTooSoon", alice, tx.timestamp + 14 * DAY)):
        pool.executeFreeWithdrawals([withdrawal_request(pool, alice, NMR)], {"from": operator})


def test_next_free_withdrawal_after_the_period(pool, deposited, alice, operator, chain):
    pool.executeFreeWithdrawals([withdrawal_request(pool, alice, NMR)], {"from": operator})
    chain.sleep(14 * DAY)
    pool.executeFreeWithdrawals([withdrawal_request(pool, alice, NMR)], {"from": operator})
    assert user_view(pool, alice)["liquid"] == 998 * NMR


def test_replayed_request_reverts(pool, deposited, alice, operator, chain):
    request = withdrawal_request(pool, alice, NMR)
    pool.executeFreeWithdrawals([request], {"from": operator})
    chain.sleep(14 * DAY)
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidSignature", alice)):
        pool.executeFreeWithdrawals([request], {"from": operator})


def test_expired_request_reverts(pool, deposited, alice, operator, chain):
    deadline = chain.time() - 1
    with brownie.reverts(custom_error(pool, "PayoutPoolExpired", deadline)):
        pool.executeFreeWithdrawals([withdrawal_request(pool, alice, NMR, deadline=deadline)], {"from": operator})


def test_request_signed_for_another_chain_reverts(pool, deposited, alice, operator):
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidSignature", alice)):
        pool.executeFreeWithdrawals([withdrawal_request(pool, alice, NMR, chain=1)], {"from": operator})


def test_request_signed_by_someone_else_reverts(pool, deposited, alice, bob, operator):
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidSignature", alice)):
        pool.executeFreeWithdrawals([withdrawal_request(pool, alice, NMR, signer=bob)], {"from": operator})


def test_request_with_an_altered_amount_reverts(pool, deposited, alice, operator):
    user, _, deadline, sig = withdrawal_request(pool, alice, NMR)
    with brownie.reverts(custom_error(pool, "PayoutPoolInvalidSignature", alice)):
        pool.executeFreeWithdrawals([(user, 500 * NMR, deadline, sig)], {"from": operator})


def test_request_above_liquid_reverts(pool, deposited, alice, operator):
    with brownie.reverts(custom_error(pool, "PayoutPoolInsufficientLiquid", alice, 1000 * NMR, 1001 * NMR)):
        pool.executeFreeWithdrawals([withdrawal_request(pool, alice, 1001 * NMR)], {"from": operator})


def test_request_of_zero_reverts(pool, deposited, alice, operator):
    with brownie.reverts(custom_error(pool, "PayoutPoolZeroAmount")):
        pool.executeFreeWithdrawals([withdrawal_request(pool, alice, 0)], {"from": operator})


def test_batch_by_other_roles_reverts(pool, deposited, alice, bob, rando, admin, treasury, operator_role):
    request = withdrawal_request(pool, alice, NMR)
    for caller in (alice, bob, rando, admin, treasury):
        with brownie.reverts(custom_error(pool, "AccessControlUnauthorizedAccount", caller, operator_role)):
            pool.executeFreeWithdrawals([request], {"from": caller})


def test_free_withdrawal_is_allowed_while_paused(pool, deposited, admin, alice, operator):
    pool.setPaused(True, {"from": admin})
    pool.executeFreeWithdrawals([withdrawal_request(pool, alice, NMR)], {"from": operator})
    assert user_view(pool, alice)["liquid"] == 999 * NMR

