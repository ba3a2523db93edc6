"""Headless Chromium for the dashboard's tests and screenshots: Debian's `chromium`, driven by
Playwright (whose own browser download cannot work offline), with no traffic of its own."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

CHROMIUM_ENV = "MEM0_CHROMIUM"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MISSING = (
    "The dashboard's browser tests need Chromium and Playwright: `apt-get install chromium` (Debian's package; "
    f".ci/run installs it) and `pip install '.[test]'`, or set {CHROMIUM_ENV} to a Chromium executable."
)


def chromium_path() -> str | None:
    """Where Chromium is: $MEM0_CHROMIUM when set (and only there), else `chromium` on the
    PATH, else Debian's place; None when it is not there."""
    named = os.environ.get(CHROMIUM_ENV)
    candidates = [named] if named else [shutil.which("chromium"), "/usr/bin/chromium"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def launch(playwright: Any) -> Any:
    """A headless Chromium; RuntimeError (saying how to get one) when there is none."""
    path = chromium_path()
    if path is None:
        raise RuntimeError(MISSING)
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
