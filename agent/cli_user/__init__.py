"""The user side of `nmrx`: pool, marketplace and ownership actions signed with the user's own
keystore, reads from the agent's API, human or `--json` output (see `commands.register`)."""
