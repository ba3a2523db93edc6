"""Fixtures for the SDKs that live in their own environments (see `envs.py`, `rpc.py`).

An environment that cannot be built fails the tests that need it, loudly, with the reason:
CI has the registries and node, so a missing one is a broken machine, not a skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from . import envs
from .rpc import Driver, node_driver, python_driver


def _built(env: envs.SdkEnv) -> Path:
    try:
        return envs.ensure(env)
    except envs.SdkEnvError as error:
        pytest.fail(f"cannot build the environment of {env.name}: {error}", pytrace=False)


@pytest.fixture(scope="session")
def python_v3_driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Driver]:
    """`mem0ai==2.2.1` in its own venv, one driver process for the whole run."""
    _built(envs.PYTHON_V3)
    driver = python_driver(envs.PYTHON_V3.python, tmp_path_factory.mktemp("home"))
    assert driver.hello["mem0ai"] == envs.PYTHON_V3.version
    yield driver
    driver.close()


@pytest.fixture(scope="session")
def npm_v3_driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Driver]:
    """npm `mem0ai@3.3.1` under node, one process for the whole run."""
    driver = node_driver(_built(envs.NPM_V3), tmp_path_factory.mktemp("home"))
    assert driver.hello["mem0ai"] == envs.NPM_V3.version
    yield driver
    driver.close()


@pytest.fixture(scope="session")
def npm_legacy_driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Driver]:
    """npm `mem0ai@2.1.12` (the seed-era client) under node, one process for the whole run."""
    driver = node_driver(_built(envs.NPM_LEGACY), tmp_path_factory.mktemp("home"))
    assert driver.hello["mem0ai"] == envs.NPM_LEGACY.version
    yield driver
    driver.close()
