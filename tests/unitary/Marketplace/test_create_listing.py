import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import NMR, STAKE, fund


def test_owner_with_bond_creates_listing(market, listing, seller, model_ids):
    item = market.listingOf(listing)
    assert item["seller"] == seller
    assert item["mode"] == 1
    assert (item["fromRound"], item["toRound"], item["modelId"]) == (500, 510, int(model_ids[0], 16))


def test_create_listing_emits_listing_created(market, listing, seller, model_ids):
    tx = market.createListing(model_ids[0], STAKE, 600, 600, {"from": seller})
    assert tx.events["ListingCreated"] == {
        "listingId": listing + 1, "seller": seller, "modelId": model_ids[0], "mode": STAKE, "fromRound": 600, "toRound": 600,
        "terms": 1, "feeBps": 250, "minBondBps": 5_000, "verdictWindow": 4 * 86400,
    }


def test_non_owner_cannot_list_a_model(market, listing, rando, model_ids, nmr):
    fund(nmr, market, rando, NMR)
    market.postBond(NMR, {"from": rando})
    with brownie.reverts(custom_error(market, "MarketplaceNotModelOwner", model_ids[0], rando)):
        market.createListing(model_ids[0], 0, 500, 500, {"from": rando})


def test_owner_without_bond_cannot_list(market, registry, attestor, rando, model_ids):
    registry.attest(model_ids[1], rando, 8, {"from": attestor})
    with brownie.reverts(custom_error(market, "MarketplaceBondTooLow", rando, 0, 0)):
        market.createListing(model_ids[1], 0, 500, 500, {"from": rando})


def test_invalid_round_ranges_revert(market, listing, seller, model_ids):
    for rounds in ((0, 5), (10, 9)):
        with brownie.reverts(custom_error(market, "MarketplaceInvalidRounds", *rounds)):
            market.createListing(model_ids[0], 0, *rounds, {"from": seller})


def test_model_id_above_128_bits_reverts(market, listing, seller):
    big = "0x" + "01" + "00" * 31
    with brownie.reverts(custom_error(market, "MarketplaceInvalidModelId", big)):
        market.createListing(big, 0, 500, 500, {"from": seller})


def test_listing_snapshots_terms_and_a_later_listing_cannot_free_locked_bond(terms, market, admin, listing, seller, buy, model_ids, chain):
    """Review scenario: after the admin lowers the minimum bond, a throwaway listing frees nothing."""
    buy(listing, units=10)  # 100 NMR of orders lock 50 NMR of the 100 NMR bond
    terms.setRates((250, 0, 1_000, 10_000, 5_000, 5_000, 5_000, 10 * NMR), {"from": admin})
    chain.sleep(3 * 86400 + 1)
    market.createListing(model_ids[0], 0, 500, 510, {"from": seller})
    with brownie.reverts(custom_error(market, "MarketplaceBondTooLow", seller, 49 * NMR, 50 * NMR)):
        market.requestBondExit(51 * NMR, {"from": seller})
