import brownie


def test_has_18_decimals_and_nmr_symbol(nmr):
    assert nmr.decimals() == 18
    assert nmr.symbol() == "NMR"


def test_has_no_permit(nmr):
    names = {item.get("name") for item in nmr.abi}
    assert "permit" not in names
    assert "nonces" not in names
    assert "DOMAIN_SEPARATOR" not in names


def test_faucet_mints_to_anyone(nmr, alice, rando):
    tx = nmr.faucet(alice, 5, {"from": rando})
    assert nmr.balanceOf(alice) == 5
    assert tx.events["FaucetDripped"] == {"to": alice, "value": 5}


def test_transfer_beyond_balance_reverts(nmr, alice, bob):
    nmr.faucet(alice, 5, {"from": alice})
    with brownie.reverts():
        nmr.transfer(bob, 6, {"from": alice})


def test_transfer_returns_true(nmr, alice, bob):
    nmr.faucet(alice, 5, {"from": alice})
    tx = nmr.transfer(bob, 5, {"from": alice})
    assert tx.return_value is True
    assert nmr.balanceOf(bob) == 5
