"""`nmrx`: the command line of the agent service (run, deploy, simulator, simulate) and of its
users (pool and marketplace actions signed with their own keystore: agent/cli_user).
"""

# PYTHON_ARGCOMPLETE_OK
import argparse
import logging
import sys
from pathlib import Path

from agent.config import Settings
from agent.errors import NmrxError


def cmd_run(settings: Settings, args: argparse.Namespace) -> None:
    from agent import stack

    stack.run(settings)


def cmd_deploy(settings: Settings, args: argparse.Namespace) -> None:
    from agent import deploy

    deploy.deploy(args.rpc_url or settings.chain_url, {"NMRX_DEPLOYMENTS_DIR": str(settings.deployments_dir)})


def cmd_simulator(settings: Settings, args: argparse.Namespace) -> None:
    import time

    from agent.chain import connect
    from agent.keys import load_account
    from agent.tournament.simulator import run as simulator

    try:
        accounts = [simulator.account_from_flag(a) for a in args.account]
    except ValueError as exc:
        raise SimulatorUsageError(str(exc)) from None
    config = simulator.load_config(
        args.config or settings.simulator_config,
        {
            "seed": args.seed,
            "overlap": args.overlap,
            "round_seconds": args.round_seconds,
            "accounts": accounts,
        },
    )
    chain = None
    if not args.no_chain:
        try:
            w3 = connect(args.rpc_url or settings.chain_url)
            numerai = load_account(settings.agent_keystore, settings.agent_password_file)
            chain = simulator.on_chain(w3, settings, numerai)
        except NmrxError as exc:
            raise SimulatorUsageError(
                f"{exc}. Start the chain first (NMRX_SIMULATOR_PORT=0 make run) or pass --no-chain"
            ) from None
    port = settings.simulator_port if args.port is None else args.port
    state = args.state or simulator.state_file(settings, chain)
    server = simulator.start(config, chain, args.host or settings.simulator_host, port, args.tick_seconds, state)
    for line in simulator.describe(server):
        print(f"nmrx: {line}", flush=True)
    print("nmrx: Ctrl-C stops", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        server.stop()


def cmd_simulate(settings: Settings, args: argparse.Namespace) -> None:
    from agent import simulate

    for name in ("", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
    if not simulate.main(
        args.days, args.users, args.models, args.seed, market=args.market, store_url=args.store_url
    ):
        raise SimulateError(
            "the closing balances do not add up to the contracts' NMR holdings, or a scripted "
            "market outcome is not the chain's (see the lines marked ✗ above)"
        )


class SimulateError(NmrxError, RuntimeError):
    """`nmrx simulate` found balances that do not add up."""


class SimulatorUsageError(NmrxError, ValueError):
    """A malformed `nmrx simulator` flag."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nmrx", description=__doc__,
        epilog="User commands sign with your keystore (NMRX_USER_KEYSTORE); see docs/cli.md. "
        "`nmrx COMMAND --help` for each; `eval \"$(nmrx completion bash)\"` for tab completion.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="local chain (unless NMRX_RPC_URL) + deploy + agent API")
    run.set_defaults(handler=cmd_run)
    dep = sub.add_parser("deploy", help="deploy what is missing to a chain")
    dep.add_argument("--rpc-url", help="JSON-RPC URL (default: NMRX_RPC_URL or the local chain)")
    dep.set_defaults(handler=cmd_deploy)
    sim = sub.add_parser(
        "simulator",
        help="an offline Numerai for numerapi (against the local chain of `nmrx run` by default)",
        description="Serve the tournament simulator. Accounts, models and tokens come from --config "
        "(TOML, see agent/tournament/simulator/config.py) and --account flags; without either, one "
        "demo account. Staking v3 plays Numerai on the chain's TournamentStaking with the agent key.",
    )
    sim.add_argument("--config", type=Path, help="simulator TOML file (default: NMRX_SIMULATOR_CONFIG)")
    sim.add_argument("--account", action="append", default=[], metavar="USER:MODEL[,MODEL][:PUBLIC_ID:SECRET]")
    sim.add_argument("--host", help="listen address (default: NMRX_SIMULATOR_HOST, 127.0.0.1)")
    sim.add_argument("--port", type=int, help="listen port (default: NMRX_SIMULATOR_PORT, 8010; 0: any)")
    sim.add_argument("--rpc-url", help="chain (default: NMRX_RPC_URL or the local chain of `nmrx run`)")
    sim.add_argument("--no-chain", action="store_true", help="no staking v3 (no chain needed)")
    sim.add_argument("--seed", type=int)
    sim.add_argument("--overlap", type=int, help="rounds live at once (Classic: 64)")
    sim.add_argument("--round-seconds", type=int, help="length of a round's day (default 86400)")
    sim.add_argument("--tick-seconds", type=float, default=5.0, help="how often rounds are resolved")
    sim.add_argument(
        "--state", type=Path, help="state file kept across restarts (default with a chain: .nmrx/simulator/)"
    )
    sim.set_defaults(handler=cmd_simulator)
    simulate = sub.add_parser(
        "simulate",
        help="users, models, rounds and withdrawals through the pool and the staking agent, then "
        "the marketplace's trades through the market agent (on a fresh chain)",
    )
    simulate.add_argument("--days", type=int, default=5, help="simulated days (default 5)")
    simulate.add_argument("--users", type=int, default=3, help="users (default 3)")
    simulate.add_argument("--models", type=int, default=2, help="models per user (default 2)")
    simulate.add_argument("--seed", type=int, default=1)
    simulate.add_argument(
        "--market",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="then the Marketplace story: verified sellers, asks and bids in file and stake "
        "modes, deliveries, fraud, over-stake, resubmission, no delivery (default: on)",
    )
    simulate.add_argument(
        "--store-url",
        help="the agent's store, an empty database (default: a SQLite file in the run's folder)",
    )
    simulate.set_defaults(handler=cmd_simulate)
    from agent.cli_user import commands as user_commands

    user_commands.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    # Tab completion: when the shell asks (argcomplete's environment), answer and exit here.
    import argcomplete

    argcomplete.autocomplete(parser)
    args = parser.parse_args(argv)
    # User commands print their own lines; libraries' INFO chatter would bury them.
    level = getattr(args, "log_level", logging.INFO)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        args.handler(Settings.load(), args)
    except NmrxError as exc:
        print(f"nmrx: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
