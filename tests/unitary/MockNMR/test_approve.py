import brownie


def test_approve_from_zero_sets_allowance(nmr, alice, bob):
    nmr.approve(bob, 100, {"from": alice})
    assert nmr.allowance(alice, bob) == 100


def test_approve_nonzero_to_nonzero_reverts(nmr, alice, bob):
    nmr.approve(bob, 100, {"from": alice})
    with brownie.reverts():
        nmr.approve(bob, 200, {"from": alice})
    assert nmr.allowance(alice, bob) == 100


def test_approve_to_zero_resets_allowance(nmr, alice, bob):
    nmr.approve(bob, 100, {"from": alice})
    nmr.approve(bob, 0, {"from": alice})
    assert nmr.allowance(alice, bob) == 0


def test_approve_emits_approval(nmr, alice, bob):
    tx = nmr.approve(bob, 100, {"from": alice})
    assert tx.events["Approval"] == {"owner": alice, "spender": bob, "value": 100}
