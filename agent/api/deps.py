"""What route handlers receive: the service's state, set once at startup."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from web3 import Web3

from agent.chain import Deployments
from agent.config import Settings


@dataclass(frozen=True)
class Service:
    """The collaborators every route may use."""

    settings: Settings
    w3: Web3
    deployments: Deployments
    agent_address: str
    # The agent core's health (agent.service.AgentCore.health), when a core runs in this process.
    core_health: Callable[[], dict] | None = None


def get_service(request: Request) -> Service:
    return request.app.state.service


ServiceDep = Annotated[Service, Depends(get_service)]
