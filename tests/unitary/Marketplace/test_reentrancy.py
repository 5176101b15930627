"""A hostile token that calls back into the marketplace from inside every transfer."""

import pytest
from brownie import web3

from tests.unitary.market_fixtures import NMR, RATES, WINDOWS

GUARD_ERROR = web3.keccak(text="ReentrancyGuardReentrantCall()")[:4].hex()


@pytest.fixture
def hostile(ReentrantToken, Marketplace, registry, admin, treasury):
    """A marketplace over the hostile token, and the token holding 10 HOST inside it as an account."""
    token = ReentrantToken.deploy({"from": admin})
    market = Marketplace.deploy(token, registry, admin, treasury, admin, admin, RATES, WINDOWS, {"from": admin})
    token.faucet(token, 10 * NMR, {"from": admin})
    token.callAsToken(token, token.approve.encode_input(market, 10 * NMR), {"from": admin})
    token.callAsToken(market, market.deposit.encode_input(10 * NMR), {"from": admin})
    return token, market


def test_reentrant_withdraw_is_rejected_and_paid_once(hostile, admin):
    token, market = hostile
    token.setHook(market, market.withdraw.encode_input(10 * NMR), {"from": admin})
    token.callAsToken(market, market.withdraw.encode_input(10 * NMR), {"from": admin})
    assert token.hookCalls() == 1
    assert not token.lastHookSucceeded()
    assert token.lastHookError().hex().removeprefix("0x") == GUARD_ERROR
    assert token.balanceOf(token) == 10 * NMR
    assert market.balanceOf(token) == 0 and token.balanceOf(market) == 0


def test_reentrant_deposit_during_withdraw_is_rejected(hostile, admin):
    token, market = hostile
    token.setHook(market, market.deposit.encode_input(NMR), {"from": admin})
    token.callAsToken(market, market.withdraw.encode_input(4 * NMR), {"from": admin})
    assert not token.lastHookSucceeded()
    assert market.balanceOf(token) == 6 * NMR
    assert token.balanceOf(market) == 6 * NMR


def test_reentrant_withdraw_during_deposit_is_rejected(hostile, admin):
    token, market = hostile
    token.faucet(token, NMR, {"from": admin})
    token.callAsToken(token, token.approve.encode_input(market, NMR), {"from": admin})
    token.setHook(market, market.withdraw.encode_input(10 * NMR), {"from": admin})
    token.callAsToken(market, market.deposit.encode_input(NMR), {"from": admin})
    assert not token.lastHookSucceeded()
    assert market.balanceOf(token) == 11 * NMR
    assert token.balanceOf(market) == 11 * NMR
