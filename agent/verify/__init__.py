"""Checks the agent makes before it vouches for anything: canonical prediction hashes, model
ownership codes, and the consistency of what was sold with what was submitted and staked."""
