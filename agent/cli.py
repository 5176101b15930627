"""`nmrx`: the command line of the agent service."""

import argparse
import logging
import sys

from agent.config import Settings
from agent.errors import NmrxError


def cmd_run(settings: Settings, args: argparse.Namespace) -> None:
    from agent import stack

    stack.run(settings)


def cmd_deploy(settings: Settings, args: argparse.Namespace) -> None:
    from agent import deploy

    deploy.deploy(args.rpc_url or settings.chain_url, {"NMRX_DEPLOYMENTS_DIR": str(settings.deployments_dir)})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nmrx", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="local chain (unless NMRX_RPC_URL) + deploy + agent API")
    run.set_defaults(handler=cmd_run)
    dep = sub.add_parser("deploy", help="deploy what is missing to a chain")
    dep.add_argument("--rpc-url", help="JSON-RPC URL (default: NMRX_RPC_URL or the local chain)")
    dep.set_defaults(handler=cmd_deploy)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
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
