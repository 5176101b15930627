import brownie


def test_change_approval_moves_between_nonzero_values(nmr, alice, bob):
    nmr.approve(bob, 100, {"from": alice})
    nmr.changeApproval(bob, 100, 250, {"from": alice})
    assert nmr.allowance(alice, bob) == 250


def test_change_approval_with_stale_old_value_reverts(nmr, alice, bob):
    nmr.approve(bob, 100, {"from": alice})
    with brownie.reverts():
        nmr.changeApproval(bob, 99, 250, {"from": alice})
    assert nmr.allowance(alice, bob) == 100


def test_change_approval_emits_approval(nmr, alice, bob):
    nmr.approve(bob, 100, {"from": alice})
    tx = nmr.changeApproval(bob, 100, 7, {"from": alice})
    assert tx.events["Approval"] == {"owner": alice, "spender": bob, "value": 7}
