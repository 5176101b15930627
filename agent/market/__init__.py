"""Marketplace delivery building blocks: FILE-mode sealing to the buyer's key (`sealing`) and
STAKE-mode upload naming and hashing (`submission`)."""
