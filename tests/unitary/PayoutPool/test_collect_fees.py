import brownie

from tests.errors import custom_error
from tests.unitary.PayoutPool.helpers import NMR


def test_collect_fees_pays_the_treasury(pool, nmr, deposited, alice, treasury, rando):
    pool.withdrawExpress(100 * NMR, NMR, {"from": alice})
    before = pool.liabilities()
    tx = pool.collectFees({"from": rando})
    assert nmr.balanceOf(treasury) == NMR
    assert pool.accruedFees() == 0
    assert pool.liabilities() == before - NMR
    assert tx.events["FeesCollected"] == {"treasury": treasury, "amount": NMR}


def test_collect_without_fees_reverts(pool, rando):
    with brownie.reverts(custom_error(pool, "PayoutPoolNoFees")):
        pool.collectFees({"from": rando})
