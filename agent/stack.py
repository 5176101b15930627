"""`nmrx run`: the local stack — chain, contracts, agent key, the tournament simulator and the API —
started in order and stopped in reverse."""

import logging
import signal
from contextlib import ExitStack

import uvicorn
from web3 import Web3

from agent import deploy
from agent.api.deps import Service
from agent.api.main import create_app
from agent.chain import Deployments, connect
from agent.config import Settings
from agent.keys import load_account, load_or_create_account
from agent.localchain import LocalChain, ensure_port_free

log = logging.getLogger(__name__)

AGENT_GAS_FLOOR = Web3.to_wei(10, "ether")
AGENT_GAS_TOPUP = Web3.to_wei(100, "ether")


def say(message: str) -> None:
    print(f"nmrx: {message}", flush=True)


def fund_agent(w3: Web3, address: str) -> None:
    """On a local chain the agent's gas comes from the node's first unlocked account."""
    if w3.eth.get_balance(address) >= AGENT_GAS_FLOOR:
        return
    tx = w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": address, "value": AGENT_GAS_TOPUP})
    w3.eth.wait_for_transaction_receipt(tx)


def start_simulator(settings: Settings, w3: Web3, agent, stack: ExitStack) -> None:
    """The tournament simulator, playing Numerai on the local chain with the agent key (the local
    TournamentStaking's signer and resolver)."""
    from agent.tournament.simulator import run as simulator

    config = simulator.load_config(settings.simulator_config)
    chain = simulator.on_chain(w3, settings, agent)
    server = simulator.start(
        config,
        chain,
        settings.simulator_host,
        settings.simulator_port,
        tick_seconds=5.0,
        state=simulator.state_file(settings, chain),
    )
    stack.callback(lambda: (say("stopping the tournament simulator ..."), server.stop()))
    for line in simulator.describe(server):
        say(line)


def _terminate(signum, _frame) -> None:
    raise SystemExit(128 + signum)


def run(settings: Settings) -> None:
    """Start everything, serve until Ctrl-C/SIGTERM, then stop everything."""
    # Python's default SIGTERM ends the process on the spot, skipping the ExitStack below and
    # leaving the chain and the simulator running; uvicorn re-raises the signal it caught after
    # its own shutdown, so this handler also runs then. SystemExit unwinds everything.
    signal.signal(signal.SIGTERM, _terminate)
    ensure_port_free(settings.api_host, settings.api_port, "agent API", "NMRX_API_PORT")
    with_simulator = settings.local_chain and settings.simulator_port
    if with_simulator:
        ensure_port_free(settings.simulator_host, settings.simulator_port, "tournament simulator", "NMRX_SIMULATOR_PORT")
    with ExitStack() as stack:
        if settings.local_chain:
            chain = LocalChain(settings)
            say(f"starting the local chain at {settings.chain_url} (state in {chain.db_dir}) ...")
            chain.start()
            stack.callback(lambda: (say("stopping the local chain ..."), chain.stop()))
            agent = load_or_create_account(settings.agent_keystore, settings.agent_password_file)
        else:
            agent = load_account(settings.agent_keystore, settings.agent_password_file)
        w3 = connect(settings.chain_url)
        if settings.local_chain:
            fund_agent(w3, agent.address)

        say("deploying what is missing ...")
        deploy.deploy(
            settings.chain_url,
            {"NMRX_AGENT_ADDRESS": agent.address, "NMRX_DEPLOYMENTS_DIR": str(settings.deployments_dir)},
        )
        deployments = Deployments.load(settings.deployments_dir, w3.eth.chain_id)

        if with_simulator:
            start_simulator(settings, w3, agent, stack)
            from agent import staking_service

            core = staking_service.start(settings, w3, deployments, agent, stack)
            say("agent running (stakes, checked claims, reconcile, relays, withdrawals; market "
                "verdicts, settlement and deliveries)")

        app = create_app(Service(settings, w3, deployments, agent.address,
                                 core_health=core.health if with_simulator else None))
        if with_simulator:  # (the pool's relays are sent by the staking agent started above)
            from agent.notify import service as notify_service

            notify_service.start(app, settings, w3, deployments, stack)
            say("signed writes, server-sent events and webhooks served (docs/api-writes.md)")
        config = uvicorn.Config(app, host=settings.api_host, port=settings.api_port, log_level="warning")
        server = uvicorn.Server(config)
        # Bound before the URL is announced, so a request right after it waits instead of failing.
        listening = config.bind_socket()
        listening.listen(config.backlog)
        say(
            f"agent {agent.address} on chain {deployments.chain_id} at block {w3.eth.block_number}"
        )
        say(f"serving {settings.api_url}  (try {settings.api_url}/health; Ctrl-C stops)")
        try:
            server.run(sockets=[listening])  # returns (or re-raises the signal) after finishing open requests
        finally:
            say("API stopped")
