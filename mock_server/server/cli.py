"""`mem0-mock`: serve the mock with waitress.

The socket is bound before anything says "serving", so a bad or busy port is one clear
error and a non-zero exit, never a banner followed by a failure.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from ..engine.clock import parse_instant
from ..engine.errors import Unavailable
from ..engine.models import isoformat
from .app import create_app
from .config import DEFAULT_SEED, MockConfig
from .faults import load_rules
from .intercept import ADMIN_HEADER, REQUEST_LOG
from .openapi import CompiledSpec
from .serving import DEFAULT_THREADS, bind

if TYPE_CHECKING:
    from ..engine.embedders import Embedder

DISTRIBUTION = "mem0-contract"
EMBEDDER_KEY_ENV = "MEM0_EMBEDDER_API_KEY"


def package_version() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (1-65535)")
    return port


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def instant(text: str) -> datetime:
    try:
        return parse_instant(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mem0-mock",
        description="A stateful mock of the Mem0 Platform Memory API, driven by its OpenAPI spec."
        " Its test harness lives under /_mock/ (see the README).",
    )
    parser.add_argument("--version", action="version", version=f"mem0-mock {package_version()}")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=port_number, default=8000, help="port to bind, 1-65535 (default: 8000)")
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help="accept only this key (repeatable; also MEM0_API_KEY). Default: any non-empty token",
    )
    parser.add_argument("--any-key", action="store_true", help="accept any non-empty token, even if keys are set")
    parser.add_argument("--demo", action="store_true", help="preload every key's default project with demo data")
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help=f"make memory, event and export ids repeatable, and seed the demo data and fault draws"
        f" (default: random ids; demo data and fault draws seeded {DEFAULT_SEED})",
    )
    parser.add_argument(
        "--clock",
        type=instant,
        metavar="DATETIME",
        help="freeze the mock's clock at this instant, e.g. 2025-01-01T00:00:00Z (move it with POST /_mock/clock)",
    )
    parser.add_argument("--faults", metavar="FILE", help="load fault rules from a YAML or JSON file at start")
    parser.add_argument(
        "--journal-size", type=positive_int, default=1000, metavar="N", help="requests the journal keeps (1000)"
    )
    parser.add_argument(
        "--admin-token",
        metavar="TOKEN",
        help=f"the harness (/_mock/) answers only requests with this token in the {ADMIN_HEADER} header"
        " (also MEM0_MOCK_ADMIN_TOKEN). Default: the harness is open",
    )
    parser.add_argument("--quiet", action="store_true", help="no console line per request")
    parser.add_argument("--strict", action="store_true", help="validate every response against the spec")
    parser.add_argument("--threads", type=positive_int, default=DEFAULT_THREADS, help="waitress worker threads")
    parser.add_argument(
        "--embedder",
        metavar="URL|sentence-transformers:PATH",
        help="fuse search with embeddings from an OpenAI-compatible /v1/embeddings server "
        f"(API key from {EMBEDDER_KEY_ENV}) or a local sentence-transformers model directory",
    )
    parser.add_argument(
        "--embedder-model", metavar="NAME", help="model name sent to an HTTP embedder (default: text-embedding-3-small)"
    )
    return parser


def build_embedder(spec: str, model: str | None) -> Embedder:
    """The configured embedder, checked once: raises `Unavailable` (or ValueError) if it cannot answer."""
    from ..engine.embedders import embedder_from_spec  # numpy and requests load only when asked for

    embedder = embedder_from_spec(spec, model=model, api_key=os.environ.get(EMBEDDER_KEY_ENV) or None)
    embedder.embed(["mem0-mock start-up check"])
    return embedder


def config_from(args: argparse.Namespace, spec: CompiledSpec) -> MockConfig:
    """The config the arguments describe; ValueError for a faults file that does not load."""
    keys = list(args.api_keys or [])
    if not keys and os.environ.get("MEM0_API_KEY"):
        keys = [os.environ["MEM0_API_KEY"]]
    faults = tuple(load_rules(args.faults, spec)) if args.faults else ()
    return MockConfig(
        api_keys=None if args.any_key or not keys else frozenset(keys),
        strict=args.strict,
        demo=args.demo,
        seed=args.seed,
        clock=args.clock,
        faults=faults,
        journal_size=args.journal_size,
        admin_token=args.admin_token or os.environ.get("MEM0_MOCK_ADMIN_TOKEN") or None,
    )


def _configure_logging(quiet: bool) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # waitress calls a connection a fault dropped "Client disconnected": the request line says it better.
    logging.getLogger("waitress").setLevel(logging.WARNING)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    REQUEST_LOG.addHandler(handler)
    REQUEST_LOG.propagate = False
    REQUEST_LOG.setLevel(logging.WARNING if quiet else logging.INFO)


def banner(url: str, config: MockConfig) -> list[str]:
    if config.api_keys is None:
        keys = "any non-empty API key is accepted, each key is its own tenant"
    else:
        keys = f"accepting {len(config.api_keys)} configured API key(s)"
    lines = [f"mem0-mock serving on {url} ({keys})", f"dashboard: {url}/dashboard/"]
    if config.demo:
        lines.append(f"demo data (seed {config.demo_seed}) preloaded in every key's default project")
    if config.seed is not None:
        lines.append(f"ids seeded ({config.seed}): the same requests get the same ids")
    if config.clock is not None:
        lines.append(f"clock frozen at {isoformat(config.clock)}")
    if config.faults:
        lines.append(f"{len(config.faults)} fault rule(s) loaded")
    if config.embedder is not None:
        lines.append(f"search fuses lexical scores with embeddings from {config.embedder.name}")
    if config.admin_token:
        lines.append(f"harness {url}/_mock/ needs the admin token in the {ADMIN_HEADER} header")
    else:
        lines.append(f"harness {url}/_mock/ is open (no admin token)")
    lines.append(f'point the SDK at it: MemoryClient(api_key="<key>", host="{url}")')
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    spec = CompiledSpec()
    try:
        config = config_from(args, spec)
    except ValueError as exc:
        parser.error(str(exc))
    if args.embedder:
        try:
            config.embedder = build_embedder(args.embedder, args.embedder_model)
        except (Unavailable, ValueError) as exc:
            print(f"mem0-mock: embedder {args.embedder} cannot be used: {exc}", file=sys.stderr)
            return 2
    _configure_logging(args.quiet)
    app = create_app(config, spec)
    url = f"http://{args.host}:{args.port}"
    try:
        server = bind(app, args.host, args.port, args.threads)
    except OSError as exc:
        print(f"mem0-mock: cannot listen on {url}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    for line in banner(url, config):
        print(line, flush=True)
    server.run()  # until Ctrl-C, which waitress handles
    return 0


if __name__ == "__main__":
    sys.exit(main())
