"""The market building blocks are pure Python: no chain to rewind between tests."""

import pytest


@pytest.fixture(autouse=True)
def isolation():
    """Overrides the suite-wide chain rewind (tests/conftest.py), which these tests don't need."""
