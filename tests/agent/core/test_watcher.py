"""The chain watcher on ganache: cursor and restart, confirmation depth, reorgs repaired by
re-reading a window (evm_snapshot/evm_revert + different blocks), ranges halved when refused."""

from agent.sender import call_payload, connect
from agent.store import PLANNED
from agent.watcher import Source, Watcher

from .conftest import recipient
from .faultproxy import FaultProxy

NMR = 10**18


def transfer_watcher(w3, store, token, **kw):
    kw.setdefault("confirmations", 0)
    kw.setdefault("reorg_window", 20)
    source = Source({token.address: token.abi}, names={"Transfer"})
    return Watcher(w3, store, "nmr", source, start_block=kw.pop("start_block", w3.eth.block_number + 1), **kw)


def faucet(nmr, n, start=0):
    for i in range(start, start + n):
        nmr.faucet(recipient(i), (i + 1) * NMR, {"from": nmr.tx.sender})


def faucet_w3(w3, token, n, start=0):
    """Faucet through web3 from an unlocked node account brownie does not use, so brownie's
    nonce bookkeeping is not confused by the raw evm_revert below."""
    faucet_from = w3.eth.accounts[8]
    for i in range(start, start + n):
        tx = token.functions.faucet(recipient(i), (i + 1) * NMR).transact({"from": faucet_from})
        w3.eth.wait_for_transaction_receipt(tx)


def canonical_transfers(w3, token, from_block):
    topic = w3.keccak(text="Transfer(address,address,uint256)")
    logs = w3.eth.get_logs({"fromBlock": from_block, "toBlock": "latest", "address": token.address, "topics": [topic]})
    return sorted((entry["blockHash"].to_0x_hex(), entry["logIndex"]) for entry in logs)


def stored(store):
    return sorted((e["block_hash"], e["log_index"]) for e in store.events("nmr"))


def test_events_are_stored_once_and_the_cursor_survives_a_restart(w3, store, token, nmr):
    watcher = transfer_watcher(w3, store, token)
    start = watcher.start_block
    faucet(nmr, 3)
    assert watcher.poll() == 3
    assert watcher.poll() == 0  # the re-read window finds nothing new
    faucet(nmr, 2, start=3)
    restarted = transfer_watcher(w3, store, token, start_block=start)
    assert restarted.poll() == 2
    args = [e["args"] for e in store.events("nmr")]
    assert [a["value"] for a in args] == [str(v * NMR) if v * NMR >= 2**53 else v * NMR for v in range(1, 6)]
    assert stored(store) == canonical_transfers(w3, token, start)
    assert restarted.cursor == w3.eth.block_number


def test_events_wait_for_the_confirmation_depth(w3, store, token, nmr, chain):
    watcher = transfer_watcher(w3, store, token, confirmations=2)
    faucet(nmr, 1)
    assert watcher.poll() == 0 and watcher.lag() == 1  # one block, not yet 2 deep
    chain.mine(2)
    assert watcher.poll() == 1


def test_reorg_removes_phantom_events_and_what_they_planned(w3, store, token, nmr, chain):
    watcher = transfer_watcher(w3, store, token)
    start = watcher.start_block

    @watcher.on_event
    def plan_thanks(conn, event):
        store.plan(f"thanks:{event['block_hash']}:{event['log_index']}", "thanks", {}, origin_event_id=event["id"], conn=conn)

    faucet_w3(w3, token, 2)
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
    faucet_w3(w3, token, 3, start=2)  # the branch that will be abandoned
    assert watcher.poll() == 5
    assert store.job_counts() == {PLANNED: 5}
    w3.provider.make_request("evm_revert", [snapshot])
    faucet_w3(w3, token, 4, start=10)  # a longer, different branch
    watcher.poll()
    assert stored(store) == canonical_transfers(w3, token, start)
    assert len(stored(store)) == 6
    assert watcher.removed == 3
    keys = {j.key for j in store.jobs()}
    assert keys == {f"thanks:{h}:{i}" for h, i in canonical_transfers(w3, token, start)}
    assert watcher.poll() == 0


def test_refused_wide_ranges_are_halved_and_nothing_is_lost(w3, node_url, store, token, nmr, chain):
    start = w3.eth.block_number + 1
    faucet(nmr, 6)
    chain.mine(40)
    with FaultProxy(node_url, max_log_range=8) as proxy:
        watcher = transfer_watcher(connect(proxy.url), store, token, start_block=start, max_range=64)
        watcher.run_until_caught_up()
    assert proxy.refused_ranges > 0
    assert stored(store) == canonical_transfers(w3, token, start)


def test_fast_decoding_matches_web3s(w3, store, token, nmr):
    watcher = transfer_watcher(w3, store, token)
    faucet(nmr, 2)
    watcher.poll()
    reference = [dict(e["args"]) for e in token.events.Transfer().get_logs(from_block=watcher.start_block)]
    assert [e["args"] for e in store.events("nmr")] == [
        {k: str(v) if isinstance(v, int) and v >= 2**53 else v for k, v in r.items()} for r in reference
    ]
