"""Helpers shared by the read routes: parameter parsing with clear 4xx messages, pagination, and
the read model dependency."""
