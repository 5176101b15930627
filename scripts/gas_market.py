"""Gas of the marketplace (section `market` of scripts/bench_gas.py).

Every number is a receipt's gasUsed on ganache (shanghai), so it includes the 21,000 base cost and
calldata. Buyers pay from a deposited balance (pull payments), as in the contract's design.
"""

from scripts.bench_gas import Row

MODEL = "0x" + "00" * 16 + "5c7c3e311b8f4a1e9d1e0b7c6f1d2a01"
MODEL_B = "0x" + "00" * 16 + "5c7c3e311b8f4a1e9d1e0b7c6f1d2a02"


def measure(accounts) -> list[Row]:
    from brownie import Marketplace, MockNMR, ModelRegistry, chain

    from tests.unitary.market_fixtures import (
    BOUNDS,
        CONSISTENT,
        DAY,
        NMR,
        STAKE,
        VERIFIED_FILE,
        deploy_market,
        fund,
        ladder,
        make_seller,
        order_of,
        sign_ladder,
        signer_account,
    )

    admin, attestor, treasury, verifier = accounts[0], accounts[1], accounts[3], accounts[4]
    buyer, bidder, arbiter = accounts[6], accounts[7], accounts[8]
    seller = signer_account(accounts, 0, admin)
    nmr = MockNMR.deploy({"from": admin})
    registry = ModelRegistry.deploy(admin, attestor, {"from": admin})
    market = deploy_market(Marketplace, nmr, registry, admin, treasury, verifier, arbiter)
    listing = make_seller(nmr, market, registry, attestor, seller, MODEL, bond=100_000 * NMR, mode=VERIFIED_FILE)
    registry.attest(MODEL_B, seller, 8, {"from": attestor})
    fund(nmr, market, buyer, 10_000 * NMR)
    fund(nmr, market, bidder, 1_000 * NMR)
    rows = []

    t = chain.time()
    deliver_by, expiry = t + 5 * DAY, t + 4 * DAY
    posted = ladder(listing, [NMR], [5], version=0, deliver_by=deliver_by, expiry=expiry)
    rows.append(Row("post ask ladder on-chain (1 tier)", market.postLadder(posted, {"from": seller}).gas_used))

    signed = ladder(listing, [2 * NMR], [100], version=1, deliver_by=deliver_by, expiry=expiry)
    sig = sign_ladder(market, seller, signed, chain_id=chain.id)
    tx = market.fill(signed, *sig, 1, 2 * NMR, *BOUNDS, {"from": buyer})
    rows.append(Row("fill a signed ask (first fill of the ladder, ownership checked)", tx.gas_used, 82_000))
    tx = market.fill(signed, *sig, 1, 2 * NMR, *BOUNDS, {"from": buyer})
    rows.append(Row("fill a signed ask (later fill, ownership checked)", tx.gas_used, 82_000))
    delivered_order = order_of(tx)

    stake_listing = market.createListing(MODEL_B, STAKE, 500, 510, {"from": seller}).return_value
    stake = ladder(stake_listing, [NMR // 10], [1000], deliver_by=deliver_by, expiry=expiry)
    stake_sig = sign_ladder(market, seller, stake, chain_id=chain.id)
    tx = market.fill(stake, *stake_sig, 100, NMR // 10, *BOUNDS, {"from": buyer})
    rows.append(Row("fill a signed ask, stake mode (100 NMR allowance + collateral)", tx.gas_used))

    three = ladder(listing, [NMR, 2 * NMR, 3 * NMR], [1, 1, 2], version=2, deliver_by=deliver_by, expiry=expiry)
    sig3 = sign_ladder(market, seller, three, chain_id=chain.id)
    rows.append(Row("fill with 3 partial asks (3 ladder tiers)", market.fill(three, *sig3, 3, 3 * NMR, *BOUNDS, {"from": buyer}).gas_used))

    rows.append(Row("post bid", market.postBid(listing, 500, 1, 5 * NMR, deliver_by, expiry, *BOUNDS, {"from": bidder}).gas_used))
    rows.append(Row("accept bid", market.acceptBid(1, {"from": seller}).gas_used))

    tx = market.deliver(delivered_order, "0x" + "ab" * 32, {"from": seller})
    rows.append(Row("deliver (verified modes)", tx.gas_used))
    tx = market.postVerdict(order_of(tx, "OrderDelivered"), CONSISTENT, "0x" + "cd" * 32, {"from": verifier})
    rows.append(Row("post verdict", tx.gas_used))
    judged = order_of(tx, "VerdictPosted")

    # 52 more orders taken to the judged state, for two single settles and a batch of 50.
    bulk = ladder(listing, [NMR], [1000], version=3, deliver_by=deliver_by, expiry=expiry)
    bulk_sig = sign_ladder(market, seller, bulk, chain_id=chain.id)
    orders = []
    for _ in range(52):
        order = order_of(market.fill(bulk, *bulk_sig, 1, NMR, *BOUNDS, {"from": buyer}))
        order = order_of(market.deliver(order, "0x" + "ab" * 32, {"from": seller}), "OrderDelivered")
        orders.append(order_of(market.postVerdict(order, CONSISTENT, "0x" + "cd" * 32, {"from": verifier}), "VerdictPosted"))
    chain.sleep(3 * DAY)
    chain.mine()
    tx = market.settle(judged, {"from": admin})
    rows.append(Row("settle one, first credit to an empty seller account", tx.gas_used))
    tx = market.settle(orders.pop(), {"from": admin})
    rows.append(Row("settle one (verdict final after challenge window)", tx.gas_used, 45_000))
    one = market.settleBatch([orders[0]], {"from": admin}).gas_used
    fifty = market.settleBatch(orders[1:], {"from": admin}).gas_used
    rows.append(Row("settle batch of 1", one))
    rows.append(Row("settle batch of 50 (whole tx)", fifty))
    rows.append(Row("settle batch of 50 (marginal per order)", (fifty - one) // 49, 20_000))

    late = order_of(market.fill(bulk, *bulk_sig, 1, NMR, *BOUNDS, {"from": buyer}))
    chain.sleep(6 * DAY)
    chain.mine()
    rows.append(Row("reclaim after delivery timeout", market.reclaim(late, {"from": buyer}).gas_used))
    return rows
