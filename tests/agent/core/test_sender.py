"""The transaction sender on ganache: jobs sent once, nonces under concurrency, stuck
transactions replaced, reverts decoded to custom error names, recovery of recorded sends."""

import threading

from web3 import Web3

from agent.sender import Sender, call_payload
from agent.store import CONFIRMED, FAILED, SENT

from .conftest import recipient

NMR = 10**18


def plan_transfers(store, token, n, start=0):
    for i in range(start, start + n):
        store.plan(f"transfer:{token.address}:{i}", "transfer",
                   call_payload(token.functions.transfer(recipient(i), (i + 1) * NMR)))


def balances(token, n, start=0):
    return [token.functions.balanceOf(recipient(i)).call() // NMR for i in range(start, start + n)]


def test_planned_transfers_are_sent_and_confirmed(sender, store, token):
    plan_transfers(store, token, 5)
    report = sender.run_once(batch_size=10)
    assert report.sent == 5
    assert store.job_counts() == {CONFIRMED: 5}
    assert balances(token, 5) == [1, 2, 3, 4, 5]


def test_concurrent_submitters_get_distinct_consecutive_nonces(sender, store, token, w3, agent_account):
    plan_transfers(store, token, 24)
    jobs = store.jobs()
    chunks = [jobs[i::6] for i in range(6)]
    threads = [threading.Thread(target=sender.submit, args=(chunk,)) for chunk in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sender.confirm() == 0
    nonces = sorted(j.nonce for j in store.jobs(CONFIRMED))
    assert nonces == list(range(24))
    assert w3.eth.get_transaction_count(agent_account.address) == 24
    assert balances(token, 24) == list(range(1, 25))


def test_stuck_transaction_is_replaced_with_the_same_nonce(w3, agent_account, store, token, decoder):
    """The node lost the first signature (dropped from its pool): after `older_than` the sender
    re-signs the same nonce with bumped fees. (A pool-level replacement cannot be shown on
    ganache 7.9: with its miner stopped it mines both signatures of one nonce.)"""
    first = Sender(w3, agent_account, store, decoder=decoder, fees=lambda _w3: (2 * 10**9, 10**9))
    first._broadcast = lambda batch: None  # recorded, never reaches a block
    plan_transfers(store, token, 1)
    first.submit(store.jobs())
    assert first.confirm() == 1
    replacer = Sender(w3, agent_account, store, decoder=decoder)
    assert replacer.replace_stuck(older_than=0) == 1
    assert replacer.confirm() == 0
    job = store.jobs()[0]
    assert job.state == CONFIRMED and job.nonce == 0 and len(job.tx_hashes) == 2
    assert job.tx_hash == job.tx_hashes[-1]  # the replacement is what was mined
    assert job.max_fee >= 2 * 10**9 * 1.125 and job.tip >= 10**9 * 1.125
    assert w3.eth.get_transaction_count(agent_account.address) == 1
    assert balances(token, 1) == [1]


def test_revert_at_estimate_fails_the_job_with_the_custom_error_name(sender, store, token, agent_account):
    store.plan("too-much", "transfer", call_payload(token.functions.transfer(recipient(0), 10**9 * NMR)))
    report = sender.submit(store.jobs())
    job = store.job("too-much")
    assert report.failed == 1 and job.state == FAILED and job.nonce is None
    assert job.reason.startswith(f"ERC20InsufficientBalance(sender={agent_account.address}")


def test_revert_without_reason_is_said_so(sender, store, token):
    spender = recipient(1)
    store.plan("approve-1", "approve", call_payload(token.functions.approve(spender, 5)))
    sender.run_once(10)
    store.plan("approve-2", "approve", call_payload(token.functions.approve(spender, 6)))
    sender.run_once(10)
    assert store.job("approve-2").reason == "reverted without a reason"  # MockNMR's quirk


def test_mined_revert_is_decoded_by_replaying_it(w3, sender, store, ModelRegistry, admin, agent_account, model_a):
    registry = ModelRegistry.deploy(admin, agent_account.address, {"from": admin})
    contract = w3.eth.contract(address=registry.address, abi=registry.abi)
    # Both estimate fine before either is mined; the second then reverts on chain.
    for owner in (recipient(1), recipient(2)):
        store.plan(f"attest:{owner}", "attest", call_payload(contract.functions.attest(model_a, owner, 8)))
    sender.run_once(10)
    first, second = store.jobs()
    assert first.state == CONFIRMED
    assert second.state == FAILED and second.block_number is not None
    assert second.reason.startswith("ModelRegistryAlreadyRegistered(modelId=0x")


def test_a_job_recorded_but_never_broadcast_is_sent_once_on_recovery(sender, store, token, w3, agent_account):
    plan_transfers(store, token, 3)
    sender._broadcast = lambda batch: None  # the crash: recorded as sent, never broadcast
    sender.submit(store.jobs())
    assert store.job_counts() == {SENT: 3}
    restarted = Sender(w3, agent_account, store)
    assert restarted.recover() == 0
    assert store.job_counts() == {CONFIRMED: 3}
    assert w3.eth.get_transaction_count(agent_account.address) == 3
    assert balances(token, 3) == [1, 2, 3]


def test_nonce_gap_is_filled_so_later_transactions_are_mined(sender, store, token, w3, agent_account):
    plan_transfers(store, token, 3)
    sender.submit(store.jobs())
    sender.confirm()
    # A refused batch left nonce 3 unused while nonce 4 was recorded.
    plan_transfers(store, token, 1, start=10)
    job = store.jobs("planned")[0]
    tx = {**sender._base_tx(job), "gas": 100_000, "nonce": 4, "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9}
    _tx, tx_hash, raw = sender._sign(tx)
    with store.begin() as conn:
        store.mark_sent(conn, job.id, sender=agent_account.address, nonce=4, gas=100_000, max_fee=10**10,
                        tip=10**9, tx_hash=tx_hash, tx_hashes=[tx_hash], raw_tx=raw)
    assert sender.recover() == 0
    assert store.job_counts() == {CONFIRMED: 5}
    assert store.job(f"nonce-gap:{w3.eth.chain_id}:{agent_account.address}:3").state == CONFIRMED
    assert balances(token, 1, start=10) == [11]


def test_a_nonce_used_outside_the_agent_sends_its_job_again_with_a_new_nonce(sender, store, token, w3, agent_account):
    plan_transfers(store, token, 1)
    sender._broadcast = lambda batch: None  # recorded at nonce 0, never broadcast ...
    sender.submit(store.jobs())
    outside = agent_account.sign_transaction({"to": agent_account.address, "value": 0, "gas": 21000, "nonce": 0,
                                              "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9,
                                              "chainId": w3.eth.chain_id, "type": 2})
    w3.eth.send_raw_transaction(outside.raw_transaction)  # ... and the key's operator used nonce 0
    restarted = Sender(w3, agent_account, store)
    restarted.recover()
    assert store.jobs()[0].state == "planned" and "used by other transactions" in restarted.last_error
    restarted.run_once(10)
    job = store.jobs()[0]
    assert job.state == CONFIRMED and job.nonce == 1
    assert balances(token, 1) == [1]
