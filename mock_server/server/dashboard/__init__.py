"""The dashboard and the spec, served by the mock on its own port.

The dashboard is a static page and a small script (`static/`) that reads everything it
shows from the harness endpoints under `/_mock/`, the ones a test can call too; it holds no
key and no data of its own, so serving it needs no admin token (its harness calls do).
Every file it loads ships in the package, Swagger UI included (`static/vendor/`), and its
Content-Security-Policy lets it reach no host but the mock's.

- `/` and `/dashboard` lead to `/dashboard/`; `/docs` to the API reference page
- `/dashboard/<page>`: the page (one HTML shell; the script draws the page the path names)
- `/dashboard/static/<file>`: its scripts, styles and Swagger UI
- `/openapi.yaml`, `/openapi.json`: the spec the mock is built from
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask, Response, redirect, send_from_directory

from spec import SPEC_FILE

from ..openapi import CompiledSpec

STATIC = Path(__file__).parent / "static"
POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",  # Swagger UI sets inline styles
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
))
HEADERS = {"Content-Security-Policy": POLICY, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def register_site(app: Flask, spec: CompiledSpec) -> None:
    """Add the dashboard's and the spec's routes to a mock's app."""
    spec_json = json.dumps(spec.spec, indent=1)
    spec_yaml = SPEC_FILE.read_text(encoding="utf-8")

    def shell(page: str = "") -> Response:
        response = send_from_directory(STATIC, "index.html", max_age=0)
        response.headers.update(HEADERS)
        return response

    def static(name: str) -> Response:
        response = send_from_directory(STATIC, name, max_age=0)
        response.headers.update(HEADERS)
        return response

    routes = {
        "/": ("site_root", lambda: redirect("/dashboard/")),
        "/dashboard": ("site_dashboard", lambda: redirect("/dashboard/")),
        "/docs": ("site_docs", lambda: redirect("/dashboard/reference")),
        "/favicon.ico": ("site_icon", lambda: redirect("/dashboard/static/icon.svg")),
        "/dashboard/": ("site_shell", shell),
        "/dashboard/<path:page>": ("site_page", shell),
        "/dashboard/static/<path:name>": ("site_static", static),
        "/openapi.json": ("site_spec_json", lambda: Response(spec_json, content_type="application/json")),
        "/openapi.yaml": ("site_spec_yaml", lambda: Response(spec_yaml, content_type="application/yaml")),
    }
    for rule, (endpoint, view) in routes.items():
        app.add_url_rule(rule, endpoint=endpoint, view_func=view, methods=["GET"])
