"""An offline Numerai that the real numerapi client talks to unmodified: a GraphQL server on
loopback (schema in `schema.graphql`), a deterministic synthetic tournament, and Numerai's side of
the staking-v3 contract. See README.md, "Tournament simulator"."""

from agent.tournament.simulator.app import SimulatorServer, create_app
from agent.tournament.simulator.config import AccountSpec, SimulatorConfig, TokenSpec
from agent.tournament.simulator.simulator import Simulator
from agent.tournament.simulator.tournament import ManualClock, SystemClock

__all__ = [
    "AccountSpec",
    "ManualClock",
    "Simulator",
    "SimulatorConfig",
    "SimulatorServer",
    "SystemClock",
    "TokenSpec",
    "create_app",
]
