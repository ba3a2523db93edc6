"""Fixtures shared by the semantic suites (filters, lifecycle)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contracts.client import Client
from contracts.plugin import Target


@pytest.fixture(scope="session")
def api(target: Target) -> Iterator[Client]:
    """The target's API with the run's key, one HTTP session for the whole run."""
    client = Client(target.base_url, target.api_key)
    yield client
    client.close()
