"""HTTP API of the agent service (FastAPI)."""
