"""`mem0-mock`: serve the mock with waitress."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import TYPE_CHECKING

from waitress import serve

from ..engine.errors import Unavailable
from .app import create_app
from .config import MockConfig
from .serving import DEFAULT_THREADS

if TYPE_CHECKING:
    from ..engine.embedders import Embedder

EMBEDDER_KEY_ENV = "MEM0_EMBEDDER_API_KEY"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mem0-mock",
        description="A stateful mock of the Mem0 Platform Memory API, driven by its OpenAPI spec.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind (default: 8000)")
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help="accept only this key (repeatable; also MEM0_API_KEY). Default: any non-empty token",
    )
    parser.add_argument("--any-key", action="store_true", help="accept any non-empty token, even if keys are set")
    parser.add_argument("--demo", action="store_true", help="preload every key's default project with demo data")
    parser.add_argument("--seed", type=int, default=42, help="seed of the demo data (default: 42)")
    parser.add_argument("--strict", action="store_true", help="validate every response against the spec")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="waitress worker threads")
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


def config_from(args: argparse.Namespace) -> MockConfig:
    keys = list(args.api_keys or [])
    if not keys and os.environ.get("MEM0_API_KEY"):
        keys = [os.environ["MEM0_API_KEY"]]
    return MockConfig(
        api_keys=None if args.any_key or not keys else frozenset(keys),
        strict=args.strict,
        demo=args.demo,
        demo_seed=args.seed,
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    config = config_from(args)
    if args.embedder:
        try:
            config.embedder = build_embedder(args.embedder, args.embedder_model)
        except (Unavailable, ValueError) as exc:
            print(f"mem0-mock: embedder {args.embedder} cannot be used: {exc}", file=sys.stderr)
            return 2
        print(f"search fuses lexical scores with embeddings from {config.embedder.name}", flush=True)
    app = create_app(config)
    url = f"http://{args.host}:{args.port}"
    if config.api_keys is None:
        keys_note = "any non-empty API key is accepted, each key is its own tenant"
    else:
        keys_note = f"accepting {len(config.api_keys)} configured API key(s)"
    print(f"mem0-mock serving on {url} ({keys_note})", flush=True)
    if config.demo:
        print(f"demo data (seed {config.demo_seed}) preloaded in every key's default project", flush=True)
    print(f'point the SDK at it: MemoryClient(api_key="<key>", host="{url}")', flush=True)
    try:
        serve(app, host=args.host, port=args.port, threads=args.threads, ident="mem0-mock")
    except OSError as exc:
        print(f"mem0-mock: cannot listen on {url}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
