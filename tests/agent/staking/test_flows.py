"""Each staking flow of the agent on ganache + the simulator: stakes by the owners' policies,
checked claims in batches, a lying Numerai caught, reconcile after finalization, relayed
signatures and the free-withdrawal batch."""

import pytest
from brownie import chain

from agent.staking import COMPOUND, FIXED, RejectedRequest, sign_pool_message
from agent.store import CONFIRMED, FAILED
from tests.unitary.PayoutPool.helpers import private_key

from .conftest import GRACE, NMR

FAR = 2**40


@pytest.fixture
def three(make_setup, alice, bob, request):
    """alice with two models, bob with one; alice's first stakes 10 NMR a round (Fixed), her
    second has no policy, bob's stakes 5 NMR (Compound)."""

    def make(store_url):
        s = make_setup({"alice": 2, "bob": 1}, [alice, bob], store_url)
        (a1, a2), (b1,) = s.models["alice"], s.models["bob"]
        s.fund(alice, 100 * NMR)
        s.fund(bob, 100 * NMR)
        s.bpool.increaseStake(a1, 50 * NMR, {"from": alice})
        s.bpool.increaseStake(a2, 50 * NMR, {"from": alice})
        s.bpool.increaseStake(b1, 100 * NMR, {"from": bob})
        s.bpool.setPolicy(a1, 10 * NMR, FIXED, {"from": alice})
        s.bpool.setPolicy(b1, 5 * NMR, COMPOUND, {"from": bob})
        return s, a1, a2, b1

    return make


def staked_round(s):
    assert s.agent.stake_round() == 2
    s.send_all()
    assert s.agent.stake_round() == 0  # idempotent: keyed by (model, round)
    return int(s.simulator.tournament.current_round().number)


def test_stake_then_checked_claims(three, store_url, staking, pool):
    s, a1, a2, b1 = three(store_url)
    round_ = staked_round(s)
    assert [staking.stakeOf(round_, pool, m) for m in (a1, a2, b1)] == [10 * NMR, 0, 5 * NMR]
    stakes = [j for j in s.store.jobs() if j.kind == "stake"]
    assert len(stakes) == 2 and all(j.state == CONFIRMED for j in stakes)
    assert s.resolve() == [round_]
    s.watcher.poll()
    assert s.agent.claim_resolved() == 2
    assert s.agent.claim_resolved() == 0  # the round is handled once
    s.send_all()
    assert [staking.isClaimed(round_, pool, m) for m in (a1, b1)] == [True, True]
    assert pool.stakeOf(a1, round_) == pool.stakeOf(b1, round_) == 0
    s.watcher.poll()
    claimed = [e for e in s.store.events(s.watcher.name) if e["name"] == "RoundClaimed"]
    assert sorted(e["args"]["model"] for e in claimed) == sorted([a1, b1])


def test_a_lying_numerai_is_caught_and_not_claimed(three, store_url, staking, pool, caplog):
    s, a1, _a2, b1 = three(store_url)
    round_ = staked_round(s)
    s.simulator.tampered[(round_, b1)] = 1  # one wei more than the tree says
    s.resolve()
    s.watcher.poll()
    assert s.agent.claim_resolved() == 1
    bad = s.store.job(f"claim:{s.agent.tag}:{b1}:{round_}")
    assert bad.state == FAILED and "proof does not verify" in bad.reason
    assert "claim.mismatch" in caplog.text
    s.send_all()
    assert staking.isClaimed(round_, pool, a1) and not staking.isClaimed(round_, pool, b1)
    assert pool.stakeOf(b1, round_) == 5 * NMR


def test_a_result_that_differs_from_the_recomputation_is_refused(
    three, store_url, staking, pool, monkeypatch
):
    s, a1, _a2, b1 = three(store_url)
    round_ = staked_round(s)
    s.resolve()
    s.watcher.poll()
    # The proof is right, but the agent's own scores say otherwise: refuse.
    from agent import staking as flows

    real = flows.RoundChecker.rule

    def skewed(self, client):
        rule = real(self, client)
        return type(rule)(
            {k: v * 2 for k, v in rule.multipliers.items()}, rule.clip, rule.payout_factor
        )

    monkeypatch.setattr(flows.RoundChecker, "rule", skewed)
    assert s.agent.claim_resolved() == 0
    for m in (a1, b1):
        job = s.store.job(f"claim:{s.agent.tag}:{m}:{round_}")
        assert job.state == FAILED and "differs from the recomputed" in job.reason
    s.send_all()
    assert not staking.isClaimed(round_, pool, a1)


def test_finalized_positions_are_reconciled(three, store_url, staking, pool, nmr):
    s, a1, _a2, b1 = three(store_url)
    round_ = staked_round(s)
    s.resolve()
    chain.sleep(GRACE + 60)
    chain.mine()
    s.simulator.tick()  # Numerai finalizes both positions: their NMR reaches the pool unasked
    assert staking.isClaimed(round_, pool, a1) and pool.stakeOf(a1, round_) == 10 * NMR
    s.watcher.poll()
    assert s.agent.claim_resolved() == 0  # finalized: nothing to claim
    assert s.agent.reconcile_finalized() == 2
    assert s.agent.reconcile_finalized() == 0
    s.send_all()
    assert pool.stakeOf(a1, round_) == pool.stakeOf(b1, round_) == 0
    s.watcher.poll()
    assert len([e for e in s.store.events(s.watcher.name) if e["name"] == "Reconciled"]) == 2


def test_signed_policy_and_allocation_are_validated_and_relayed(
    three, store_url, pool, alice, bob
):
    s, a1, a2, _b1 = three(store_url)
    key = private_key(alice)
    nonce = pool.balancesOf([alice], [])[0][0][3]
    policy = {
        "owner": str(alice),
        "model": bytes.fromhex(a2[2:]),
        "perRound": 7 * NMR,
        "mode": 1,
        "nonce": nonce,
        "deadline": FAR,
    }
    sig = sign_pool_message(key, s.agent.chain_id, pool.address, "SetPolicy", policy)
    with pytest.raises(RejectedRequest):
        s.agent.relay_policy(a2, str(alice), 8 * NMR, 1, FAR, sig)  # altered amount
    with pytest.raises(RejectedRequest):
        s.agent.relay_policy(a2, str(bob), 7 * NMR, 1, FAR, sig)  # not bob's model
    job = s.agent.relay_policy(a2, str(alice), 7 * NMR, 1, FAR, sig)
    assert (
        s.agent.relay_policy(a2, str(alice), 7 * NMR, 1, FAR, sig).id == job.id
    )  # keyed by signature
    s.send_all()
    assert tuple(pool.balancesOf([], [a2])[1][0])[3:5] == (7 * NMR, 1)

    nonce = pool.balancesOf([alice], [])[0][0][3]
    targets = [(0, a1, 6000), (2, "0x" + "00" * 32, 4000)]
    message = {
        "owner": str(alice),
        "model": bytes.fromhex(a2[2:]),
        "targets": [{"kind": k, "model": bytes.fromhex(m[2:]), "bps": b} for k, m, b in targets],
        "nonce": nonce,
        "deadline": FAR,
    }
    sig = sign_pool_message(key, s.agent.chain_id, pool.address, "SetAllocation", message)
    s.agent.relay_allocation(a2, str(alice), targets, FAR, sig)
    s.send_all()
    assert [tuple(t) for t in pool.allocationOf(a2)] == [(0, a1, 6000), (2, "0x" + "00" * 32, 4000)]
    assert all(j.state == CONFIRMED for j in s.store.jobs() if j.kind.startswith("relay"))


def test_free_withdrawal_batch_from_signed_requests(three, store_url, pool, nmr, alice, bob):
    s, *_ = three(store_url)
    s.fund(alice, 30 * NMR)
    s.fund(bob, 10 * NMR)
    before = {u: nmr.balanceOf(u) for u in (alice, bob)}
    for user, amount in ((alice, 20 * NMR), (bob, 10 * NMR)):
        view = pool.balancesOf([user], [])[0][0]
        message = {"user": str(user), "amount": amount, "nonce": view[2], "deadline": FAR}
        sig = sign_pool_message(
            private_key(user), s.agent.chain_id, pool.address, "Withdrawal", message
        )
        with pytest.raises(RejectedRequest):
            s.agent.request_free_withdrawal(str(user), amount + 1, FAR, sig)
        s.agent.request_free_withdrawal(str(user), amount, FAR, sig)
        s.agent.request_free_withdrawal(str(user), amount, FAR, sig)  # the same request once
    assert s.agent.withdrawal_batch() == 2
    assert s.agent.withdrawal_batch() == 0
    s.send_all()
    assert nmr.balanceOf(alice) == before[alice] + 20 * NMR
    assert nmr.balanceOf(bob) == before[bob] + 10 * NMR
    batches = [j for j in s.store.jobs() if j.kind == "withdrawal-batch"]
    assert len(batches) == 1 and batches[0].state == CONFIRMED
