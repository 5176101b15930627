"""Liveness plus the facts a user checks first: which chain, how far, which contracts."""

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel
from web3.exceptions import Web3Exception
from requests import RequestException

from agent.api.deps import ServiceDep

router = APIRouter()


class CoreHealth(BaseModel):
    """What the agent core is behind on."""

    cursor_lag: dict[str, int | None]
    jobs_pending: int
    jobs: dict[str, int]
    last_error: str | None
    leader: bool
    stopped: str | None = None


class Health(BaseModel):
    status: str
    chain_id: int
    latest_block: int
    agent_address: str
    contracts: dict[str, str]
    core: CoreHealth | None = None


@router.get("/health", response_model=Health)
def health(service: ServiceDep) -> Health:
    """Chain id, latest block, the agent's address, the contracts, and what the core is behind on."""
    try:
        latest = service.w3.eth.block_number
    except (Web3Exception, RequestException, OSError) as exc:
        raise HTTPException(503, f"the chain at {service.settings.chain_url} does not answer: {exc}")
    return Health(
        status="ok",
        chain_id=service.deployments.chain_id,
        latest_block=latest,
        agent_address=service.agent_address,
        contracts=service.deployments.addresses,
        core=CoreHealth(**service.core_health()) if service.core_health else None,
    )
