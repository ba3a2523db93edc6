"""The OpenAPI document of the Mem0 Platform Memory API, shipped as package data."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

SPEC_FILE = files(__name__) / "openapi.yaml"
# libyaml's parser (in PyYAML's wheels) reads the spec ten times faster than the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=1)
def load_spec() -> dict[str, Any]:
    """Parse the spec once; callers must treat the result as read-only."""
    return yaml.load(SPEC_FILE.read_text(encoding="utf-8"), Loader=_LOADER)
