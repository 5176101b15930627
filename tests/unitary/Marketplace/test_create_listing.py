import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import NMR, STAKE, fund


def test_owner_with_bond_creates_listing(market, listing, seller, model_ids):
    item = market.listingOf(listing)
    assert item["seller"] == seller
    assert item["mode"] == 1
    assert (item["fromRound"], item["toRound"], item["modelId"]) == (500, 510, model_ids[0])


def test_create_listing_emits_listing_created(market, listing, seller, model_ids):
    tx = market.createListing(model_ids[0], STAKE, 600, 600, {"from": seller})
    assert tx.events["ListingCreated"] == {
        "listingId": listing + 1, "seller": seller, "modelId": model_ids[0], "mode": STAKE, "fromRound": 600, "toRound": 600,
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
