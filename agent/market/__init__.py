"""Marketplace delivery and settlement building blocks (FILE-mode sealing so far)."""
