"""Signed ladders: bound to the seller, chain id, contract, counter, version and expiry."""

import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import BOUNDS, NMR, signer_account


def test_signature_by_someone_else_is_rejected(market, listing, signed, bob, accounts, admin):
    lad, r, vs = signed(listing, signer=signer_account(accounts, 7, admin))
    with brownie.reverts(custom_error(market, "MarketplaceInvalidSignature")):
        market.fill(lad, r, vs, 1, 10 * NMR, *BOUNDS, {"from": bob})


def test_signature_for_another_chain_is_rejected(market, listing, signed, bob):
    lad, r, vs = signed(listing, chain_id=1)
    with brownie.reverts(custom_error(market, "MarketplaceInvalidSignature")):
        market.fill(lad, r, vs, 1, 10 * NMR, *BOUNDS, {"from": bob})


def test_signature_for_another_contract_is_rejected(market, listing, seller, signed, bob, chain, registry):
    from tests.unitary.market_fixtures import sign_ladder

    lad, _, _ = signed(listing)
    r, vs = sign_ladder(market, seller, lad, chain_id=chain.id, verifying_contract=registry.address)
    with brownie.reverts(custom_error(market, "MarketplaceInvalidSignature")):
        market.fill(lad, r, vs, 1, 10 * NMR, *BOUNDS, {"from": bob})


def test_tampered_ladder_is_rejected(market, listing, signed, bob):
    lad, r, vs = signed(listing, (10 * NMR,), (5,))
    cheaper = lad[:6] + ([NMR], lad[7])
    with brownie.reverts(custom_error(market, "MarketplaceInvalidSignature")):
        market.fill(cheaper, r, vs, 1, 10 * NMR, *BOUNDS, {"from": bob})


def test_garbage_signature_is_rejected(market, listing, signed, bob):
    lad, r, vs = signed(listing)
    with brownie.reverts(custom_error(market, "MarketplaceInvalidSignature")):
        market.fill(lad, "0x" + "11" * 32, "0x" + "ff" * 32, 1, 10 * NMR, *BOUNDS, {"from": bob})


def test_replaying_a_fully_filled_signature_is_rejected(market, listing, signed, bob, carol):
    lad, r, vs = signed(listing, (10 * NMR,), (2,))
    market.fill(lad, r, vs, 2, 10 * NMR, *BOUNDS, {"from": bob})
    with brownie.reverts(custom_error(market, "MarketplaceNothingToFill")):
        market.fill(lad, r, vs, 1, 10 * NMR, *BOUNDS, {"from": carol})


def test_expired_signature_is_rejected(market, listing, signed, bob, chain):
    lad, r, vs = signed(listing)
    chain.sleep(86400 + 1)
    with brownie.reverts(custom_error(market, "MarketplaceLadderExpired", lad[5])):
        market.fill(lad, r, vs, 1, 10 * NMR, *BOUNDS, {"from": bob})


def test_signature_under_cancelled_counter_is_rejected(market, listing, seller, signed, bob):
    lad, r, vs = signed(listing)
    market.cancelAllLadders({"from": seller})
    with brownie.reverts(custom_error(market, "MarketplaceLadderCancelled", listing, 0, 0)):
        market.fill(lad, r, vs, 1, 10 * NMR, *BOUNDS, {"from": bob})


def test_signature_of_superseded_version_is_rejected(market, listing, signed, bob):
    newer, r1, vs1 = signed(listing, version=2)
    market.fill(newer, r1, vs1, 1, 10 * NMR, *BOUNDS, {"from": bob})
    older, r0, vs0 = signed(listing, version=1)
    with brownie.reverts(custom_error(market, "MarketplaceLadderCancelled", listing, 1, 0)):
        market.fill(older, r0, vs0, 1, 10 * NMR, *BOUNDS, {"from": bob})
