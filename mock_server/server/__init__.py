"""The HTTP side: the spec-driven pipeline, the CLI and serving.

`create_app(MockConfig(...))` builds a mock as a Flask app; `BackgroundServer` serves one
on a free port (tests and the contract suite use it).
"""

from .app import create_app, server_of
from .config import MockConfig
from .serving import BackgroundServer

__all__ = ["BackgroundServer", "MockConfig", "create_app", "server_of"]
