"""The package's layering, checked on its import graph.

`engine/` is the service as plain Python (no Flask, no werkzeug, nothing of the layers
above it), `api/` may use the engine but not the server, and no module of the package is
part of an import cycle. The graph is read from the source with `ast`: every import
statement counts, those under `if TYPE_CHECKING:` and inside functions included.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "mock_server"
WEB_FRAMEWORKS = {"flask", "werkzeug"}


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Dotted name -> file of every module of `package` under `root`."""
    names = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    """The absolute name of a (possibly relative) `from ... import` source."""
    if level == 0:
        return target or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, target] if target else base)


def import_graph(root: Path, package: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(package module -> package modules it imports, package module -> other top-level names it imports)."""
    modules = module_names(root, package)
    internal: dict[str, set[str]] = {name: set() for name in modules}
    external: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                source = _resolve(name, is_package, node.level, node.module)
                # `from pkg import mod` imports the module pkg.mod when there is one.
                targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in modules else source for a in node.names]
            for target in targets:
                if target == package or target.startswith(package + "."):
                    while target not in modules:  # an attribute of a module: the module
                        target = target.rsplit(".", 1)[0]
                    if target != name:
                        internal[name].add(target)
                else:
                    external[name].add(target.split(".")[0])
    return internal, external


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def reachable(graph: dict[str, set[str]], starts: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(starts)
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return seen


def layer(graph: dict[str, set[str]], name: str) -> list[str]:
    return [m for m in graph if m == f"{PACKAGE}.{name}" or m.startswith(f"{PACKAGE}.{name}.")]


INTERNAL, EXTERNAL = import_graph(ROOT, PACKAGE)


def test_the_graph_sees_every_layer():
    for name in ("engine", "api", "server"):
        assert len(layer(INTERNAL, name)) >= 3, name
    assert "mock_server.engine.service" in INTERNAL["mock_server.api.common"] | reachable(
        INTERNAL, INTERNAL["mock_server.api.common"]
    )


def test_no_module_is_part_of_an_import_cycle():
    assert cycles(INTERNAL) == []


def test_the_engine_imports_no_web_framework_and_no_upper_layer():
    closure = reachable(INTERNAL, layer(INTERNAL, "engine"))
    upper = sorted(m for m in closure if m.startswith((f"{PACKAGE}.api", f"{PACKAGE}.server")))
    assert upper == [], f"the engine reaches {upper}"
    frameworks = {m: sorted(EXTERNAL[m] & WEB_FRAMEWORKS) for m in closure if EXTERNAL[m] & WEB_FRAMEWORKS}
    assert frameworks == {}, f"engine modules import a web framework: {frameworks}"


def test_the_api_surfaces_do_not_import_the_server():
    closure = reachable(INTERNAL, layer(INTERNAL, "api"))
    assert sorted(m for m in closure if m.startswith(f"{PACKAGE}.server")) == []


def test_importing_the_whole_engine_loads_no_web_framework():
    """The same rule at run time: a fresh interpreter imports every engine module."""
    engine = " ".join(sorted(layer(INTERNAL, "engine")))
    code = textwrap.dedent(f"""
        import importlib, sys
        for name in "{engine}".split():
            importlib.import_module(name)
        print(sorted(m for m in sys.modules if m.split(".")[0] in {sorted(WEB_FRAMEWORKS)!r}))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"


@pytest.fixture
def toy_package(tmp_path: Path) -> Path:
    """A package with a cycle hidden behind TYPE_CHECKING and an engine that imports flask."""
    files = {
        "toy/__init__.py": "",
        "toy/engine/__init__.py": "",
        "toy/engine/core.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..server import app\n",
        "toy/engine/helper.py": "def f():\n    import flask.json\n",
        "toy/server/__init__.py": "",
        "toy/server/app.py": "from toy.engine import core\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_the_checks_find_what_they_look_for(toy_package: Path):
    """The graph counts TYPE_CHECKING and function-level imports, so the checks above can fail."""
    internal, external = import_graph(toy_package, "toy")
    assert cycles(internal) == [["toy.engine.core", "toy.server.app"]]
    assert external["toy.engine.helper"] == {"flask"}
