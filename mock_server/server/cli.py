"""`mem0-mock`: serve the mock with granian (where its wheel installed) or waitress.

The port is checked before anything says "serving", so a bad or busy port is one clear
error and a non-zero exit, never a banner followed by a failure. Under granian the state
lives in its worker process, which builds the app from the same arguments (the parent
never opens a `--data` file, which one process at a time may hold) and prints the banner
once the app is ready.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import sys
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..engine.clock import parse_instant
from ..engine.errors import InvalidInput, Unavailable
from ..engine.models import isoformat
from ..engine.storage import StorageError
from .app import create_app, server_of
from .config import DEFAULT_SEED, MockConfig
from .faults import load_rules
from .intercept import ADMIN_HEADER, REQUEST_LOG
from .openapi import CompiledSpec, is_unicode
from .serving import (
    DEFAULT_THREADS,
    GRANIAN_THREADS,
    SERVERS,
    StartFailed,
    bind,
    check_port,
    default_server,
    granian_available,
    serve_granian,
    settle_heap,
)

if TYPE_CHECKING:
    from flask import Flask

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


class _TextDates(yaml.SafeLoader):
    """YAML without its implicit timestamps: a date stays the text it is, as in JSON."""


_TextDates.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_document(path: str) -> Any:
    """A JSON or YAML document from a file; ValueError saying why it cannot be read."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        document = json.loads(text)
    except ValueError:
        try:
            document = yaml.load(text, Loader=_TextDates)  # noqa: S506 - a SafeLoader
        except yaml.YAMLError as exc:
            raise ValueError(f"{path} is neither JSON nor YAML: {exc}") from None
    if not is_unicode(document):
        raise ValueError(f"{path} holds a string that is not valid Unicode (a lone surrogate such as \\ud800)")
    return document


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
        "--load",
        metavar="FILE",
        help="start from this state (a snapshot from GET /_mock/snapshot, or a fixtures file: per key, its"
        " memories; YAML or JSON); POST /_mock/reset comes back to it",
    )
    parser.add_argument(
        "--data",
        metavar="PATH",
        help="keep the state in this SQLite file: every change is committed before it is answered, and a"
        " restart with the same file serves the same state (made if missing)",
    )
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
    parser.add_argument(
        "--server",
        choices=SERVERS,
        default=None,
        help="the HTTP server: granian (Rust, fastest; the default where its wheel installed) or waitress"
        " (pure Python, everywhere)",
    )
    parser.add_argument(
        "--threads",
        type=positive_int,
        default=None,
        help=f"requests served at once ({GRANIAN_THREADS} under granian, {DEFAULT_THREADS} under waitress); raise it"
        " when several requests held by delay faults at once must not hold up others",
    )
    parser.add_argument(
        "--any-core",
        action="store_true",
        help="under granian, let the request threads run on any core (by default they share one: Python runs one"
        " request at a time, and on one core the mock answers a third more requests)",
    )
    parser.add_argument(
        "--embedder",
        type=embedder_spec,
        metavar="URL|sentence-transformers:PATH",
        help="fuse search with embeddings from an OpenAI-compatible /v1/embeddings server "
        f"(API key from {EMBEDDER_KEY_ENV}) or a local sentence-transformers model directory",
    )
    parser.add_argument(
        "--embedder-model", metavar="NAME", help="model name sent to an HTTP embedder (default: text-embedding-3-small)"
    )
    return parser


def embedder_spec(text: str) -> str:
    """An embedder as `--embedder` names it, checked for its form at once (reached later)."""
    if not text.startswith(("http://", "https://", "sentence-transformers:")):
        raise argparse.ArgumentTypeError(
            f"unknown embedder {text!r}: give an http(s):// URL or sentence-transformers:PATH"
        )
    return text


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
    initial_state = read_document(args.load) if args.load else None
    if args.load and initial_state is None:
        raise ValueError(f"{args.load} is empty")
    return MockConfig(
        api_keys=None if args.any_key or not keys else frozenset(keys),
        strict=args.strict,
        demo=args.demo,
        seed=args.seed,
        clock=args.clock,
        faults=faults,
        journal_size=args.journal_size,
        admin_token=args.admin_token or os.environ.get("MEM0_MOCK_ADMIN_TOKEN") or None,
        initial_state=initial_state,
        data_path=args.data,
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


def _field_errors(errors: dict[str, list[str]], limit: int = 20) -> str:
    lines = [f"  {name}: {' '.join(messages)}" for name, messages in list(errors.items())[:limit]]
    if len(errors) > limit:
        lines.append(f"  ... and {len(errors) - limit} more")
    return "\n".join(lines)


def banner(
    url: str, config: MockConfig, state: dict[str, int] | None = None, resumed: bool = False, server: str = ""
) -> list[str]:
    if config.api_keys is None:
        keys = "any non-empty API key is accepted, each key is its own tenant"
    else:
        keys = f"accepting {len(config.api_keys)} configured API key(s)"
    served = f" by {server}" if server else ""
    lines = [f"mem0-mock serving on {url}{served} ({keys})", f"dashboard: {url}/dashboard/"]
    if config.demo:
        lines.append(f"demo data (seed {config.demo_seed}) preloaded in every key's default project")
    if config.seed is not None:
        lines.append(f"ids seeded ({config.seed}): the same requests get the same ids")
    if config.clock is not None:
        lines.append(f"clock frozen at {isoformat(config.clock)}")
    if config.faults:
        lines.append(f"{len(config.faults)} fault rule(s) loaded")
    stored = f"{state['tenants']} key(s), {state['memories']} memories" if state else ""
    if config.data_path:
        how = f"resumed ({stored})" if resumed else f"new ({stored})"
        lines.append(f"state kept in {config.data_path}, {how}: every change is saved before it is answered")
    if config.initial_state is not None:
        source = "reset brings back the loaded state" if resumed else f"loaded {stored}; reset brings it back"
        lines.append(f"start state from --load: {source}")
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
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    server = args.server or default_server()
    if server == "granian" and not granian_available():
        parser.error("--server granian: granian is not installed here (pip install granian), use --server waitress")
    spec = CompiledSpec()
    try:
        config = config_from(args, spec)  # a bad faults or --load file stops here, before any server starts
    except ValueError as exc:
        parser.error(str(exc))
    url = f"http://{args.host}:{args.port}"
    if server == "granian":
        try:
            check_port(args.host, args.port)
        except OSError as exc:
            return _cannot_listen(url, exc)
        threads = serving_threads(args, server)
        return serve_granian(
            functools.partial(build_served_app, argv), args.host, args.port, threads, one_core=not args.any_core
        )
    try:
        app = build_served_app(argv, spec, config, announce=False)
    except StartFailed as failure:
        return failure.status
    try:
        waitress = bind(app, args.host, args.port, serving_threads(args, server))
    except OSError as exc:
        return _cannot_listen(url, exc)
    _announce(app, args, server)
    waitress.run()  # until Ctrl-C, which waitress handles
    return 0


def serving_threads(args: argparse.Namespace, server: str) -> int:
    return args.threads or (GRANIAN_THREADS if server == "granian" else DEFAULT_THREADS)


def build_served_app(
    argv: list[str], spec: CompiledSpec | None = None, config: MockConfig | None = None, announce: bool = True
) -> Flask:
    """The app the arguments describe, in the process that serves it (granian's worker, or
    mem0-mock itself under waitress); `StartFailed` once the reason is printed."""
    args = build_parser().parse_args(argv)
    spec = spec or CompiledSpec()
    config = config or config_from(args, spec)
    if args.embedder:
        try:
            config.embedder = build_embedder(args.embedder, args.embedder_model)
        except (Unavailable, ValueError) as exc:
            print(f"mem0-mock: embedder {args.embedder} cannot be used: {exc}", file=sys.stderr)
            raise StartFailed(2) from None
    _configure_logging(args.quiet)
    try:
        app = create_app(config, spec)
    except InvalidInput as exc:
        print(f"mem0-mock: --load {args.load} is not a valid state:\n{_field_errors(exc.errors)}", file=sys.stderr)
        raise StartFailed(2) from None
    except StorageError as exc:
        print(f"mem0-mock: --data: {exc}", file=sys.stderr)
        raise StartFailed(2) from None
    except Unavailable as exc:
        print(f"mem0-mock: cannot load the state: {exc}", file=sys.stderr)
        raise StartFailed(2) from None
    settle_heap()
    if announce:
        _announce(app, args, "granian")
    return app


def _announce(app: Flask, args: argparse.Namespace, server: str) -> None:
    mock = server_of(app)
    url = f"http://{args.host}:{args.port}"
    serving = f"{server}, {serving_threads(args, server)} threads"
    for line in banner(url, mock.config, mock.service.counts(), mock.resumed, serving):
        print(line, flush=True)


def _cannot_listen(url: str, error: OSError) -> int:
    print(f"mem0-mock: cannot listen on {url}: {error.strerror or error}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
