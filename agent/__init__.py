"""nmrx agent: verification, settlement, payouts and the API over the nmrx contracts."""
