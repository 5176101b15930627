"""Order book depth, listings, bids, orders (state, deadlines), evidence and reputation, against
the marketplace the fixture traded on."""

from decimal import Decimal

from tests.agent.api.conftest import LISTED_ROUND, SELLER_MODEL

WEI = Decimal(10) ** 18


def nmr(units):
    return str(Decimal(units).quantize(Decimal("0.000000000000000001")))


def test_book_depth_per_side(api, stack):
    got = api.get("/v1/market/book", params={"model": SELLER_MODEL, "round": LISTED_ROUND})
    assert got.status_code == 200, got.text
    book = got.json()
    # Ladder 3 @ 10 + 4 @ 12; 2 + 1 units sold from the cheapest level; one bid of 5 units for 8 in
    # total, a level at 1.6 a unit (the bid of 2 for 7 is gone).
    assert book["asks"] == [{"price": nmr(12), "units": 4, "cumulative": 4}]
    assert book["bids"] == [{"price": nmr("1.6"), "units": 5, "cumulative": 5}]
    other = api.get("/v1/market/book", params={"model": SELLER_MODEL, "round": LISTED_ROUND + 1})
    assert other.json()["asks"] == [] and other.json()["bids"] == []


def test_listings_and_bids(api, stack):
    seller = stack.seller.address
    got = api.get("/v1/market/listings", params={"seller": seller.lower()}).json()
    assert [x["listing_id"] for x in got["items"]] == [stack.listing]
    listing = got["items"][0]
    onchain = stack.market.listingOf(stack.listing)
    assert listing["seller"] == seller and listing["mode"] == "verified_file"
    assert (listing["from_round"], listing["to_round"]) == \
        (onchain["fromRound"], onchain["toRound"])
    assert listing["ladders"][0]["live"] and listing["ladders"][0]["levels"][0]["units"] == 3
    assert api.get("/v1/market/listings", params={"model": SELLER_MODEL}).json()["items"] == \
        got["items"]
    assert api.get("/v1/market/listings", params={"seller": "0x" + "56" * 20}).json()["items"] == []
    bids = api.get("/v1/market/bids", params={"listing": stack.listing}).json()["items"]
    states = {b["bid_id"]: b["state"] for b in bids}
    assert states == {stack.bids["open"]: "open", stack.bids["cancelled"]: "cancelled"}
    bob = stack.buyers[0].address
    mine = api.get("/v1/market/bids", params={"buyer": bob}).json()["items"]
    assert [b["bid_id"] for b in mine] == [stack.bids["open"]] and mine[0]["price"] == nmr(8)


def test_orders_state_deadlines_and_filters(api, stack):
    bob, carol = (b.address for b in stack.buyers)
    everything = api.get("/v1/market/orders").json()["items"]
    # Order ids are uint256 hashes, beyond a JavaScript number: the API gives decimal strings.
    assert all(isinstance(o["order_id"], str) for o in everything)
    assert max(int(o["order_id"]) for o in everything) > 2**53
    assert {o["order_id"] for o in everything} == {str(i) for i in stack.orders.values()}
    paid = api.get(f"/v1/market/orders/{stack.orders['paid']}").json()
    assert paid["state"] == "paid" and paid["buyer"] == bob and paid["units"] == 2
    assert paid["deadline_kind"] == "delivery" and paid["deadline"]
    assert paid["mode"] == "verified_file" and paid["model_id"] == SELLER_MODEL
    delivered = api.get(f"/v1/market/orders/{stack.orders['delivered']}").json()
    assert delivered["state"] == "delivered" and delivered["delivery_hash"] == "0x" + "ab" * 32
    assert delivered["history"][0]["event"] == "OrderDelivered"
    carols = api.get("/v1/market/orders", params={"address": carol}).json()["items"]
    assert [o["order_id"] for o in carols] == [str(stack.orders["delivered"])]
    seller_orders = api.get("/v1/market/orders", params={"address": stack.seller.address}).json()
    assert len(seller_orders["items"]) == 2
    assert [o["order_id"] for o in api.get(
        "/v1/market/orders", params={"state": "paid"}).json()["items"]] == \
        [str(stack.orders["paid"])]
    page = api.get("/v1/market/orders", params={"limit": 1}).json()
    rest = api.get("/v1/market/orders", params={"limit": 1, "cursor": page["next_cursor"]}).json()
    assert [o["order_id"] for o in page["items"] + rest["items"]] == \
        [o["order_id"] for o in everything] and rest["next_cursor"] is None
    evidence = api.get(f"/v1/market/orders/{stack.orders['delivered']}/evidence").json()
    assert evidence == {"order_id": str(stack.orders["delivered"]), "items": [], "delivery": None}


def test_reputation_is_the_contract_view(api, stack):
    got = api.get(f"/v1/market/sellers/{stack.seller.address}/reputation").json()
    rep = stack.market.reputationOf(stack.seller.address)
    assert (got["sales"], got["refunds"], got["slashes"]) == (rep[0], rep[2], rep[3])
    assert got["volume"] == str((Decimal(rep[1]) / WEI).quantize(Decimal("1e-18")))


def test_bad_input(api):
    for url, status, words in [
        ("/v1/market/book?round=600", 422, "model"),
        ("/v1/market/book?model=" + SELLER_MODEL + "&round=70000", 422, "round"),
        ("/v1/market/orders/999", 404, "order 999"),
        ("/v1/market/orders/999/evidence", 404, "order 999"),
        ("/v1/market/orders/" + "9" * 78, 404, "order " + "9" * 78),  # beyond uint256: unknown
        ("/v1/market/orders/-1", 422, "order_id"),
        ("/v1/market/orders/0x12/evidence", 422, "order_id"),
        ("/v1/market/orders?state=lost", 422, "state"),
        ("/v1/market/orders?address=0xzz", 422, "not an address"),
        ("/v1/market/bids?listing=-1", 422, "listing"),
        ("/v1/market/listings?seller=bob", 422, "seller"),
        ("/v1/market/sellers/0x12/reputation", 422, "seller"),
    ]:
        response = api.get(url)
        assert response.status_code == status, (url, response.text)
        assert words in response.json()["detail"], (url, response.json())
