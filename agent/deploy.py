"""Run scripts/deploy.py (a brownie script) against any JSON-RPC URL.

brownie selects chains by network id; this registers a transient network for the URL in this
process only (nothing is written to ~/.brownie), connects and runs the script's `main()`.
Used by `nmrx run` in a child process, so brownie's state never enters the service.

    python -m agent.deploy http://127.0.0.1:8646
"""

import json
import os
import re
import subprocess
import sys

from agent.config import PROJECT_ROOT
from agent.errors import NmrxError

NETWORK_ID = "nmrx-rpc"
# scripts/deploy.py's own progress lines, among brownie's transaction chatter.
OUR_LINES = re.compile(r"^(deploy: |  \w+: )")


class DeployError(NmrxError, RuntimeError):
    """The deploy script failed."""


def deploy(rpc_url: str, env: dict[str, str]) -> dict:
    """Deploy what is missing on `rpc_url` and return the deployments book."""
    proc = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "agent.deploy", rpc_url],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    for line in proc.stdout.splitlines():
        if OUR_LINES.match(line):
            print(line, flush=True)
    if proc.returncode != 0:
        detail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        raise DeployError(f"deploying the contracts failed: {detail[-1] if detail else 'no output'}")
    return json.loads(proc.stdout.splitlines()[-1])


def _main(rpc_url: str) -> None:
    import requests
    from brownie import _config, network, project

    payload = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
    chain_id = int(requests.post(rpc_url, json=payload, timeout=10).json()["result"], 16)
    # Registered as a development network: brownie attaches to the node already listening there
    # (checked above) and skips its live-network deployment artifacts, whose writer crashes in
    # brownie 1.22.2 ("dict object expected; got Sources").
    _config.CONFIG.networks[NETWORK_ID] = {
        "id": NETWORK_ID,
        "name": f"nmrx chain {chain_id}",
        "cmd": "ganache-cli",
        "host": rpc_url,
        "cmd_settings": {},
    }
    loaded = project.load(PROJECT_ROOT, name="NmrxDeploy")
    loaded.load_config()
    loaded._add_to_main_namespace()
    network.connect(NETWORK_ID)
    try:
        from scripts import deploy as deploy_script

        book = deploy_script.main()
    finally:
        network.disconnect(kill_rpc=False)
    print(json.dumps(book))


if __name__ == "__main__":
    _main(sys.argv[1])
