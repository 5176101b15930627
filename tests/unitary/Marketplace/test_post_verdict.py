import brownie

from tests.errors import custom_error
from tests.unitary.market_fixtures import DAY, JUDGED, PAID, SELLER_FAULT, with_fields

EVIDENCE = "0x" + "cd" * 32


def test_verifier_verdict_starts_the_challenge_window(market, lens, delivered, verifier):
    tx = market.postVerdict(delivered, SELLER_FAULT, EVIDENCE, {"from": verifier})
    new = tuple(tx.events["VerdictPosted"]["order"])
    assert new == with_fields(delivered, state=JUDGED, verdict=SELLER_FAULT, deadline=tx.timestamp + 2 * DAY)
    assert tx.events["VerdictPosted"]["evidenceHash"] == EVIDENCE
    assert market.orderHashOf(delivered[0]) == lens.hashOrder(new)


def test_verdict_by_anyone_else_reverts(market, delivered, seller, bob, arbiter, admin):
    role = market.VERIFIER_ROLE()
    for caller in (seller, bob, arbiter, admin):
        with brownie.reverts(custom_error(market, "MarketplaceUnauthorized", caller, role)):
            market.postVerdict(delivered, 1, EVIDENCE, {"from": caller})


def test_empty_verdict_reverts(market, delivered, verifier):
    with brownie.reverts(custom_error(market, "MarketplaceInvalidVerdict")):
        market.postVerdict(delivered, 0, EVIDENCE, {"from": verifier})


def test_verdict_after_window_reverts(market, delivered, verifier, chain):
    chain.sleep(4 * DAY + 1)  # a classic model's verdict window
    with brownie.reverts(custom_error(market, "MarketplaceDeadlinePassed", delivered[0], delivered[6])):
        market.postVerdict(delivered, 1, EVIDENCE, {"from": verifier})


def test_verdict_on_undelivered_order_reverts(market, order, verifier):
    with brownie.reverts(custom_error(market, "MarketplaceWrongState", order[0], PAID)):
        market.postVerdict(order, 1, EVIDENCE, {"from": verifier})
