"""`python -m mock_server`: the same as `mem0-mock`."""

import sys

from .server.cli import main

sys.exit(main())
