def test_numerai_transfer_burns_from_approved_account(nmr, alice, bob):
    nmr.faucet(alice, 100, {"from": alice})
    nmr.approve(bob, 50, {"from": alice})
    tx = nmr.numeraiTransfer(alice, 30, {"from": bob})
    assert tx.return_value is True
    assert nmr.balanceOf(alice) == 70
    assert nmr.allowance(alice, bob) == 20
    assert nmr.totalSupply() == 70


def test_numerai_transfer_beyond_allowance_returns_false(nmr, alice, bob):
    nmr.faucet(alice, 100, {"from": alice})
    nmr.approve(bob, 10, {"from": alice})
    tx = nmr.numeraiTransfer(alice, 30, {"from": bob})
    assert tx.status == 1 and tx.return_value is False
    assert nmr.balanceOf(alice) == 100


def test_numerai_transfer_beyond_balance_returns_false(nmr, alice, bob):
    nmr.faucet(alice, 10, {"from": alice})
    nmr.approve(bob, 50, {"from": alice})
    tx = nmr.numeraiTransfer(alice, 30, {"from": bob})
    assert tx.status == 1 and tx.return_value is False
    assert nmr.allowance(alice, bob) == 50
