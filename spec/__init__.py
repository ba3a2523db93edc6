"""The OpenAPI document of the Mem0 Platform Memory API, shipped as package data."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

SPEC_FILE = files(__name__) / "openapi.yaml"


@lru_cache(maxsize=1)
def load_spec() -> dict[str, Any]:
    """Parse the spec once; callers must treat the result as read-only."""
    return yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))
