"""Gas of the payout pool (section `pool` of scripts/bench_gas.py).

Claims use proofs from a round tree of 1,024 leaves (depth 10, about the size of a Numerai round
with a few hundred stakers of several models each), every model already holding stake so no row
pays for a first-time storage write it wouldn't pay in steady state; the claimed models' payouts
are positive and burns zero.
"""

import secrets

from scripts.bench_gas import Row

NMR = 10**18
TREE_LEAVES = 1024
BATCH = 50


def _model(i: int) -> str:
    return "0x" + "00" * 16 + f"{0x5C7C3E311B8F4A1E9D1E0B7C6F1D0000 + i:032x}"


def measure(accounts) -> list[Row]:
    from brownie import MockNMR, MockTournamentStaking, ModelRegistry, PayoutPool

    from tests.unitary.PayoutPool.helpers import (
        FAR,
        KIND_MODEL,
        KIND_POOL,
        KIND_WALLET,
        TOURNAMENT,
        Numerai,
        allocation_signature,
        pool_stake,
        withdrawal_request,
    )

    admin, attestor, operator, treasury, numerai_acct, alice = (accounts[i] for i in (0, 1, 2, 3, 4, 5))
    nmr = MockNMR.deploy({"from": admin})
    registry = ModelRegistry.deploy(admin, attestor, {"from": admin})
    tournament = MockTournamentStaking.deploy(nmr, TOURNAMENT, numerai_acct, numerai_acct, {"from": admin})
    pool = PayoutPool.deploy(nmr, registry, tournament, admin, operator, treasury, {"from": admin})
    numerai = Numerai(tournament, nmr, numerai_acct)
    numerai.fund()

    n_models = BATCH + 10
    models = [_model(i) for i in range(n_models)]
    for m in models:
        registry.attest(m, alice, TOURNAMENT, {"from": attestor})
    nmr.faucet(alice, 10**6 * NMR, {"from": alice})
    nmr.approve(pool, 2**256 - 1, {"from": alice})
    rows = [
        Row("deposit, user's first (numbers the user)", pool.deposit(10_000 * NMR, {"from": alice}).gas_used),
        Row("deposit", pool.deposit(NMR, {"from": alice}).gas_used),
    ]
    for m in models:
        pool.increaseStake(m, 100 * NMR, {"from": alice})
    rows.append(Row("increase stake (liquid → idle)", pool.increaseStake(models[0], NMR, {"from": alice}).gas_used))

    targets_by_n = {
        1: [(KIND_MODEL, models[0], 10_000)],
        3: [(KIND_MODEL, models[0], 5_000), (KIND_MODEL, models[1], 3_000), (KIND_POOL, "0x" + "00" * 32, 2_000)],
        8: [(KIND_MODEL, models[0], 3_000)]
        + [(KIND_MODEL, models[i], 1_000) for i in range(1, 7)]
        + [(KIND_POOL, "0x" + "00" * 32, 1_000)],
    }
    wallet3 = [(KIND_MODEL, models[0], 5_000), (KIND_MODEL, models[1], 3_000), (KIND_WALLET, "0x" + "00" * 32, 2_000)]
    rows.append(Row("set allocation (direct, 3 targets)", pool.setAllocation(models[0], targets_by_n[3], {"from": alice}).gas_used))
    sig = allocation_signature(pool, alice, alice, models[0], targets_by_n[3], pool.balancesOf([alice], [])[0][0][3])
    rows.append(
        Row(
            "set allocation (signed, relayed, 3 targets)",
            pool.setAllocationBySig(models[0], alice, targets_by_n[3], FAR, sig, {"from": operator}).gas_used,
        )
    )

    # One round: every model staked; the round's tree holds the pool's leaves plus filler.
    round_ = 700
    for m in models:
        pool.setPolicy(m, 100 * NMR, 0, {"from": alice})
    for m in models:
        pool_stake(pool, numerai, m, round_, 50 * NMR, operator)
    rows.append(Row("stake model into a round (operator, with authorization)", pool_stake(pool, numerai, models[0], round_ + 1, NMR, operator).gas_used))
    results = [(pool, m, 2 * NMR, 0) for m in models]
    results += [("0x" + secrets.token_hex(20), "0x" + secrets.token_hex(32), NMR, 0) for _ in range(TREE_LEAVES - len(results))]
    tree = numerai.resolve(round_, results)

    def claim_args(m):
        return (m, round_, 2 * NMR, 0, tree.proof(pool.address, m))

    def claim_one(m):
        return pool.claim(*claim_args(m), {"from": accounts[9]}).gas_used

    # models[0..2] claimed with 1, 3, 8 targets; models[3] with a 3-way route including the wallet.
    gas = {}
    for n, m in ((1, models[2]), (3, models[3]), (8, models[4])):
        targets = [(k, m if i == 0 else t, b) for i, (k, t, b) in enumerate(targets_by_n[n])]
        pool.setAllocation(m, targets, {"from": alice})
        gas[n] = claim_one(m)
    default_gas = claim_one(models[5])
    pool.setAllocation(models[6], [(k, models[6] if i == 0 else t, b) for i, (k, t, b) in enumerate(wallet3)], {"from": alice})
    wallet_gas = claim_one(models[6])
    rows += [
        Row("claim + route, default (100% back to the model)", default_gas),
        Row("claim + route, 1 target", gas[1]),
        Row("claim + route, 3 targets (model, other model, pool)", gas[3], 90_000),
        Row("claim + route, 3 targets (model, other model, wallet: adds an NMR transfer out)", wallet_gas),
        Row("claim + route, 8 targets (7 models, pool)", gas[8]),
        Row("  each extra target ((8 − 3) / 5)", (gas[8] - gas[3]) // 5, 7_000),
    ]

    batch_models = models[10 : 10 + BATCH]
    one = pool.claimBatch([claim_args(batch_models[0])], {"from": operator}).gas_used
    rest = pool.claimBatch([claim_args(m) for m in batch_models[1:]], {"from": operator}).gas_used
    rows += [
        Row("claim batch of 1 (operator)", one),
        Row(f"claim batch of {BATCH - 1}, per model", rest // (BATCH - 1), 40_000),
    ]
    # marginal: a batch of n costs one + (n-1) * marginal; measure it on a fresh round
    round2 = round_ + 2
    for m in batch_models:
        pool_stake(pool, numerai, m, round2, 10 * NMR, operator)
    tree2 = numerai.resolve(round2, [(pool, m, NMR, 0) for m in batch_models] + results[len(models) :])
    args2 = [(m, round2, NMR, 0, tree2.proof(pool.address, m)) for m in batch_models]
    g1 = pool.claimBatch(args2[:1], {"from": operator}).gas_used
    g_rest = pool.claimBatch(args2[1:], {"from": operator}).gas_used
    # g_rest pays one transaction base and BATCH-1 claims; g1 pays one base and one claim.
    marginal = (g_rest - g1) // (BATCH - 2)
    rows.append(Row(f"batched claim, marginal per model (batch of {BATCH})", marginal, 40_000))

    rows.append(Row("unstake (idle → liquid)", pool.unstake(models[7], 10 * NMR, {"from": alice}).gas_used, 40_000))
    rows.append(Row("move stake (idle → another own model)", pool.moveStake(models[7], models[8], 10 * NMR, {"from": alice}).gas_used, 40_000))
    rows.append(Row("set policy (direct)", pool.setPolicy(models[7], 5 * NMR, 1, {"from": alice}).gas_used))
    pool.setPolicy(models[8], 50 * NMR, 0, {"from": alice})
    rows.append(
        Row("stake model into a round (operator, within a Fixed policy)", pool_stake(pool, numerai, models[8], round_ + 3, NMR, operator).gas_used)
    )

    # A position Numerai finalized (after its grace period), reconciled by anyone.
    from brownie import chain

    round3 = round_ + 4
    for m in models[:2]:
        pool_stake(pool, numerai, m, round3, 10 * NMR, operator)
    tree3 = numerai.resolve(round3, [(pool, m, NMR, 0) for m in models[:2]] + results[len(models) :])
    chain.sleep(7 * 86400 + 1)
    for m in models[:2]:
        tournament.finalize(round3, pool, m, NMR, 0, tree3.proof(pool.address, m), {"from": numerai_acct})
    rows.append(
        Row(
            "reconcile a finalized position (default route)",
            pool.reconcile(models[1], round3, NMR, 0, tree3.proof(pool.address, models[1]), {"from": accounts[9]}).gas_used,
            90_000,
        )
    )
    rows.append(
        Row(
            "reconcile a finalized position (3 targets: model, other model, pool)",
            pool.reconcile(models[0], round3, NMR, 0, tree3.proof(pool.address, models[0]), {"from": accounts[9]}).gas_used,
        )
    )

    # Free withdrawals: BATCH users with their own keys, each with liquid balance.
    users = [accounts.add() for _ in range(BATCH)]
    for u in users:
        admin.transfer(u, 10**17)
        nmr.faucet(u, 10 * NMR, {"from": admin})
        nmr.approve(pool, 2**256 - 1, {"from": u})
        pool.deposit(5 * NMR, {"from": u})
    requests = [withdrawal_request(pool, u, NMR) for u in users]
    g1 = pool.executeFreeWithdrawals(requests[:1], {"from": operator}).gas_used
    g_rest = pool.executeFreeWithdrawals(requests[1:], {"from": operator}).gas_used
    rows += [
        Row("free withdrawal batch of 1", g1),
        Row(f"free withdrawal batch of {BATCH - 1}, per user", g_rest // (BATCH - 1)),
        Row("free withdrawal by the user itself", pool.withdrawFree(NMR, {"from": alice}).gas_used),
        Row("express withdrawal", pool.withdrawExpress(10 * NMR, 10 * NMR, {"from": alice}).gas_used),
    ]
    return rows
