from brownie import ZERO_ADDRESS


def test_mint_burns_from_caller(nmr, alice):
    nmr.faucet(alice, 100, {"from": alice})
    tx = nmr.mint(40, {"from": alice})
    assert tx.return_value is True
    assert nmr.balanceOf(alice) == 60
    assert nmr.totalSupply() == 60


def test_mint_beyond_balance_returns_false_without_reverting(nmr, alice):
    nmr.faucet(alice, 100, {"from": alice})
    tx = nmr.mint(101, {"from": alice})
    assert tx.status == 1
    assert tx.return_value is False
    assert nmr.balanceOf(alice) == 100


def test_mint_emits_transfer_to_zero(nmr, alice):
    nmr.faucet(alice, 100, {"from": alice})
    tx = nmr.mint(40, {"from": alice})
    assert tx.events["Transfer"] == {"from": alice, "to": ZERO_ADDRESS, "value": 40}
