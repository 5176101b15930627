"""A market agent process for the crash test: the core's service loop with `MarketSettlement`
installed (watcher, ticks, sender), stopped once every one of EXPECT orders is settled on chain
(as its stored events show) and no job is pending.

Configured by environment: STORE_URL, RPC_URL, AGENT_KEY (a throwaway test key), MARKET,
STAKING, START_BLOCK, BUILD_DIR, BATCH (orders per settleBatch), SEND_BATCH (jobs sent per
round), EXPECT.
"""

import json
import logging
import os
import sys
from pathlib import Path

from eth_account import Account

from agent.config import Settings
from agent.market.settlement import MarketSettlement, SettlementConfig
from agent.sender import RevertDecoder, Sender, connect
from agent.service import AgentCore
from agent.store import PENDING, Store


def main() -> int:
    env = os.environ
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format=f"%(asctime)s {os.getpid()} %(levelname)s %(name)s: %(message)s")
    build = Path(env["BUILD_DIR"])
    abi = {n: json.loads((build / f"{n}.json").read_text())["abi"]
           for n in ("Marketplace", "MockTournamentStaking")}
    store = Store(env["STORE_URL"]).migrate()
    w3 = connect(env["RPC_URL"], timeout=10)
    market = w3.eth.contract(address=env["MARKET"], abi=abi["Marketplace"])
    staking = w3.eth.contract(address=env["STAKING"], abi=abi["MockTournamentStaking"])
    batch = int(env.get("BATCH", "10"))
    agent = MarketSettlement(w3, store, market, staking,
                             config=SettlementConfig(batch_size=batch))
    settings = Settings(poll_interval=0.05, job_batch_size=int(env.get("SEND_BATCH", batch)),
                        stuck_after=30.0,
                        max_failures=50, confirmation_depth=0)
    sender = Sender(w3, Account.from_key(env["AGENT_KEY"]), store,
                    decoder=RevertDecoder.from_build_dir(build))
    core = AgentCore(settings, w3, store, sender)
    watcher = agent.watcher(confirmations=0, start_block=int(env["START_BLOCK"]))
    agent.install(core, every=0.3, watcher=watcher)
    core.watchers.append(watcher)
    core.life.every(settings.poll_interval, watcher.poll, name="watch:market")
    expect = int(env["EXPECT"])

    def stop_when_done():
        counts = store.job_counts()
        if any(counts.get(s) for s in PENDING):
            return
        orders = agent.book()
        if len(orders) >= expect and not any(o.open for o in orders.values()):
            core.life.stop("every order settled")

    core.life.every(0.3, stop_when_done)
    core.life.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
