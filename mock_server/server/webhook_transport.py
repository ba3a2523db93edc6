"""The HTTP side of webhook delivery: one POST, its status code (the engine retries)."""

from __future__ import annotations

from collections.abc import Mapping

import requests


def http_post(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
    """POST a delivery; redirects are not followed (a receiver must answer where it is)."""
    response = requests.post(url, data=body, headers=dict(headers), timeout=timeout, allow_redirects=False)
    response.close()
    return response.status_code
