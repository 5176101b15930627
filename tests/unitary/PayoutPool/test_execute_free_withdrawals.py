import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR, error_data, skip_reason, user_view, withdrawal_request

DAY = 86400


def assert_skipped(pool, tx, user, name, *args):
    """The batch's only request was skipped with `name(args)` and nothing was sent."""
    assert "FreeWithdrawn" not in tx.events
    event = tx.events["FreeWithdrawalSkipped"]
    assert (event["user"], event["index"]) == (user, 0)
    assert skip_reason(event) == error_data(pool, name, *args)


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


def test_second_free_withdrawal_within_the_period_is_skipped(pool, deposited, alice, operator):
    tx = pool.executeFreeWithdrawals([withdrawal_request(pool, alice, NMR)], {"from": operator})
    assert_skipped(pool, pool.executeFreeWithdrawals([withdrawal_request(pool, alice, NMR)], {"from": operator}), alice, "PayoutPoolFreeWithdrawalTooSoon", alice, tx.timestamp + 14 * DAY)


def test_next_free_withdrawal_after_the_period(pool, deposited, alice, operator, chain):
    pool.executeFreeWithdrawals([withdrawal_request(pool, alice, NMR)], {"from": operator})
    chain.sleep(14 * DAY)
    pool.executeFreeWithdrawals([withdrawal_request(pool, alice, NMR)], {"from": operator})
    assert user_view(pool, alice)["liquid"] == 998 * NMR


def test_replayed_request_is_skipped(pool, deposited, alice, operator, chain):
    request = withdrawal_request(pool, alice, NMR)
    pool.executeFreeWithdrawals([request], {"from": operator})
    chain.sleep(14 * DAY)
    assert_skipped(pool, pool.executeFreeWithdrawals([request], {"from": operator}), alice, "PayoutPoolInvalidSignature", alice)


def test_expired_request_is_skipped(pool, deposited, alice, operator, chain):
    deadline = chain.time() - 1
    assert_skipped(pool, pool.executeFreeWithdrawals([withdrawal_request(pool, alice, NMR, deadline=deadline)], {"from": operator}), alice, "PayoutPoolExpired", deadline)


def test_request_signed_for_another_chain_is_skipped(pool, deposited, alice, operator):
    assert_skipped(pool, pool.executeFreeWithdrawals([withdrawal_request(pool, alice, NMR, chain=1)], {"from": operator}), alice, "PayoutPoolInvalidSignature", alice)


def test_request_signed_by_someone_else_is_skipped(pool, deposited, alice, bob, operator):
    assert_skipped(pool, pool.executeFreeWithdrawals([withdrawal_request(pool, alice, NMR, signer=bob)], {"from": operator}), alice, "PayoutPoolInvalidSignature", alice)


def test_request_with_an_altered_amount_is_skipped(pool, deposited, alice, operator):
    user, _, deadline, sig = withdrawal_request(pool, alice, NMR)
    assert_skipped(pool, pool.executeFreeWithdrawals([(user, 500 * NMR, deadline, sig)], {"from": operator}), alice, "PayoutPoolInvalidSignature", alice)


def test_request_above_liquid_is_skipped(pool, deposited, alice, operator):
    assert_skipped(pool, pool.executeFreeWithdrawals([withdrawal_request(pool, alice, 1001 * NMR)], {"from": operator}), alice, "PayoutPoolInsufficientLiquid", alice, 1000 * NMR, 1001 * NMR)


def test_request_of_zero_is_skipped(pool, deposited, alice, operator):
    assert_skipped(pool, pool.executeFreeWithdrawals([withdrawal_request(pool, alice, 0)], {"from": operator}), alice, "PayoutPoolZeroAmount")


def test_batch_by_other_roles_reverts(pool, deposited, alice, bob, rando, admin, treasury, operator_role):
    request = withdrawal_request(pool, alice, NMR)
    for caller in (alice, bob, rando, admin, treasury):
        with brownie.reverts(custom_error(pool, "AccessControlUnauthorizedAccount", caller, operator_role)):
            pool.executeFreeWithdrawals([request], {"from": caller})


def test_free_withdrawal_is_allowed_while_paused(pool, deposited, admin, alice, operator):
    pool.setPaused(True, {"from": admin})
    pool.executeFreeWithdrawals([withdrawal_request(pool, alice, NMR)], {"from": operator})
    assert user_view(pool, alice)["liquid"] == 999 * NMR



def test_a_drained_user_does_not_block_the_batch(pool, nmr, deposited, alice, bob, operator):
    """Review scenario: one drained user used to revert the whole batch."""
    requests = [withdrawal_request(pool, alice, 1000 * NMR), withdrawal_request(pool, bob, 2 * NMR)]
    pool.withdrawExpress(500 * NMR, 2**256 - 1, {"from": alice})
    tx = pool.executeFreeWithdrawals(requests, {"from": operator})
    assert tx.events["FreeWithdrawn"][0] == {"user": bob, "amount": 2 * NMR, "nonce": 0}
    skipped = tx.events["FreeWithdrawalSkipped"]
    assert (skipped["user"], skipped["index"]) == (alice, 0)
    assert skip_reason(skipped) == error_data(pool, "PayoutPoolInsufficientLiquid", alice, 500 * NMR, 1000 * NMR)
    assert nmr.balanceOf(bob) == 1002 * NMR


def test_free_withdrawal_step_from_outside_reverts(pool, deposited, alice, operator, rando):
    request = withdrawal_request(pool, alice, NMR)
    for caller in (alice, operator, rando):
        with brownie.reverts(custom_error(pool, "PayoutPoolOnlySelf")):
            pool.freeWithdrawalStep(request, {"from": caller})
