"""The market building blocks are pure Python: no chain to rewind between tests.

Property tests here use hypothesis's own `given`; brownie's replacement (and the one
BrownieTestWarning it prints at collection) is about rewinding chain state between examples,
which these tests do not touch.
"""

import pytest


@pytest.fixture(autouse=True)
def isolation():
    """Overrides the suite-wide chain rewind (tests/conftest.py), which these tests don't need."""
