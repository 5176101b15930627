"""An agent process for the crash and replica tests: plans N token transfers as jobs (keys
derived from what they do) and runs the service loop until none is pending.

Configured by environment: STORE_URL, RPC_URL, AGENT_KEY (a throwaway test key), TOKEN, COUNT,
BATCH, LEASE (seconds; empty: no lease), BUILD_DIR.
"""

import logging
import os
import sys

from eth_account import Account

from agent.config import Settings
from agent.lease import Lease
from agent.sender import RevertDecoder, Sender, call_payload, connect
from agent.service import AgentCore
from agent.store import PENDING, Store
from tests.agent.core.helpers import recipient

UNIT = 10**16  # 0.01 NMR: 200 transfers stay within the agent's 10,000 NMR
ERC20_ABI = [{"type": "function", "name": "transfer", "stateMutability": "nonpayable",
              "inputs": [{"name": "to", "type": "address"}, {"name": "value", "type": "uint256"}],
              "outputs": [{"name": "", "type": "bool"}]}]


def main() -> int:
    env = os.environ
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format=f"%(asctime)s {os.getpid()} %(levelname)s %(name)s: %(message)s")
    store = Store(env["STORE_URL"]).migrate()
    w3 = connect(env["RPC_URL"], timeout=5)
    account = Account.from_key(env["AGENT_KEY"])
    token = w3.eth.contract(address=env["TOKEN"], abi=ERC20_ABI)
    chain_id = w3.eth.chain_id
    store.plan_many(
        (f"transfer:{chain_id}:{token.address}:{i}", "transfer",
         call_payload(token.functions.transfer(recipient(i), (i + 1) * UNIT), gas=80_000))
        for i in range(int(env["COUNT"]))
    )
    settings = Settings(poll_interval=0.02, job_batch_size=int(env.get("BATCH", "20")),
                        lease_period=float(env.get("LEASE") or 15), stuck_after=30.0, max_failures=50)
    lease = Lease(store, period=settings.lease_period, holder=f"pid-{os.getpid()}") if env.get("LEASE") else None
    sender = Sender(w3, account, store, decoder=RevertDecoder.from_build_dir(env["BUILD_DIR"]), lease=lease)
    core = AgentCore(settings, w3, store, sender, lease=lease)

    def stop_when_done():
        counts = store.job_counts()
        if not any(counts.get(s) for s in PENDING):
            core.life.stop("all jobs done")

    core.life.every(0.1, stop_when_done)
    core.life.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
