"""Path segments that hold an encoded `/` (`%2F`), as the SDKs send entity names.

WSGI servers decode PATH_INFO before the app sees it, so `/v2/entities/user/team%2Fa/`
arrives as `/v2/entities/user/team/a/` and routes nowhere: an entity named `team/a` could
be added but never deleted or profiled (and `reset()`, which deletes every listed entity,
failed). When the raw URI has an encoded slash, `EncodedSlashes` rebuilds PATH_INFO from it
with `%` and `/` still escaped inside each segment, and `path_arguments` unescapes what the
router extracted. Every other request passes untouched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import unquote, unquote_to_bytes

ESCAPED = "mem0_mock.escaped_segments"
_ENCODED_SLASH = re.compile("%2f", re.IGNORECASE)


def _segment(raw: str) -> bytes:
    """A raw segment decoded, with `%` and `/` escaped again so it stays one segment."""
    return unquote_to_bytes(raw).replace(b"%", b"%25").replace(b"/", b"%2F")


class EncodedSlashes:
    """WSGI middleware: route on the raw path when it holds an encoded `/`."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        raw = (environ.get("REQUEST_URI") or environ.get("RAW_URI") or "").split("?", 1)[0]
        if _ENCODED_SLASH.search(raw) and not raw.startswith(("http://", "https://")):
            environ["PATH_INFO"] = b"/".join(map(_segment, raw.split("/"))).decode("latin-1")  # WSGI's encoding
            environ[ESCAPED] = True
        return self.app(environ, start_response)


def path_arguments(environ: Mapping[str, Any], arguments: dict[str, str]) -> dict[str, str]:
    """The router's path arguments as the client meant them."""
    if not environ.get(ESCAPED):
        return arguments
    return {name: unquote(value) for name, value in arguments.items()}
