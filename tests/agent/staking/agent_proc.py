"""A staking agent process for the crash test: the core's service loop with the staking flows
installed, stopped when its phase is done.

Configured by environment: STORE_URL, RPC_URL, AGENT_KEY (a throwaway test key), POOL, STAKING,
NUMERAI_URL, DELEGATIONS (the encrypted key file), NMRX_VAULT_KEY, BUILD_DIR, PHASE (stake:
every one of COUNT models staked into ROUND; claim: ROUND's claims planned and sent), BATCH.
"""

import json
import logging
import os
import sys
from pathlib import Path

from eth_account import Account

from agent.config import Settings
from agent.sender import RevertDecoder, Sender, connect
from agent.service import AgentCore
from agent.staking import Delegations, StakingAgent, StakingConfig
from agent.store import CONFIRMED, PENDING, Store
from agent.vault import Vault


def main() -> int:
    env = os.environ
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format=f"%(asctime)s {os.getpid()} %(levelname)s %(name)s: %(message)s",
    )
    build = Path(env["BUILD_DIR"])
    abi = {
        n: json.loads((build / f"{n}.json").read_text())["abi"]
        for n in ("PayoutPool", "MockTournamentStaking")
    }
    store = Store(env["STORE_URL"]).migrate()
    w3 = connect(env["RPC_URL"], timeout=10)
    pool = w3.eth.contract(address=env["POOL"], abi=abi["PayoutPool"])
    staking = w3.eth.contract(address=env["STAKING"], abi=abi["MockTournamentStaking"])
    delegations = Delegations(Vault.from_env(), Path(env["DELEGATIONS"]))
    batch = int(env.get("BATCH", "20"))
    agent = StakingAgent(
        w3,
        store,
        pool,
        staking,
        delegations,
        env["NUMERAI_URL"],
        StakingConfig(claim_batch_size=batch),
    )
    settings = Settings(
        poll_interval=0.05,
        job_batch_size=batch,
        stuck_after=30.0,
        max_failures=50,
        confirmation_depth=0,
    )
    sender = Sender(
        w3, Account.from_key(env["AGENT_KEY"]), store, decoder=RevertDecoder.from_build_dir(build)
    )
    core = AgentCore(settings, w3, store, sender)
    agent.install(core, stake_every=0.2, claim_every=0.2, withdraw_every=5.0)
    phase, round_, count = env["PHASE"], int(env["ROUND"]), int(env.get("COUNT", "0"))

    def stop_when_done():
        counts = store.job_counts()
        if any(counts.get(s) for s in PENDING):
            return
        if phase == "stake":
            done = [
                j
                for j in store.jobs(CONFIRMED)
                if j.kind == "stake" and j.payload["round"] == round_
            ]
            finished = len(done) >= count
        else:
            finished = any(
                name.endswith(f":{round_}") and name.startswith("claims:")
                for name in store.cursors()
            )
        if finished:
            core.life.stop(f"{phase} done")

    core.life.every(0.1, stop_when_done)
    core.life.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
