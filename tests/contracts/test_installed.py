"""This package installed as a user installs it (a wheel, not editable), beside pytest-base-url.

The plugin loads into every pytest run of an environment, so it must never break one:
pytest-base-url (which pytest-playwright and pytest-selenium bring) owns `--base-url`.
And a clean `mem0-contracts` run prints no warning (pytest warns about modules it cannot
rewrite only for an installed package, never for an editable checkout).

The virtual environment is cached under the temp directory, keyed by pyproject.toml and the
interpreter; the package is reinstalled into it (no dependencies, seconds) when its sources
change.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(tempfile.gettempdir()) / "mem0-contract-test-cache"
SHIPPED = ("pyproject.toml", "README.md", "LICENSE", "spec", "mock_server", "contracts")

pytestmark = pytest.mark.slow


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(paths):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _sources() -> list[Path]:
    files = []
    for name in SHIPPED:
        path = ROOT / name
        if path.is_dir():
            files += [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        else:
            files.append(path)
    return files


def _pip(venv: Path, *args: str) -> None:
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *args], check=True, timeout=600)


def _copy_of_sources(into: Path) -> Path:
    """What a wheel is built from, copied: pip would otherwise build inside the checkout."""
    for name in SHIPPED:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, into / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, into / name)
    return into


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The cached environment, with the current sources installed."""
    CACHE.mkdir(exist_ok=True)
    venv = CACHE / f"beside-base-url-{_digest([ROOT / 'pyproject.toml'])}"
    stamp = _digest(_sources())
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder at a time
        ready = venv / "installed-sources"
        if not ready.exists():
            shutil.rmtree(venv, ignore_errors=True)  # a build that stopped half-way
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
            source = _copy_of_sources(tmp_path_factory.mktemp("src"))
            _pip(venv, "setuptools>=77", "wheel", "pytest-base-url", str(source))
        elif ready.read_text() != stamp:
            source = _copy_of_sources(tmp_path_factory.mktemp("src"))
            _pip(venv, "--no-deps", "--no-build-isolation", "--force-reinstall", str(source))
        ready.write_text(stamp)
    yield venv


def run(venv: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEM0_", "PYTHON", "VIRTUAL_ENV"))}
    env["MEM0_TELEMETRY"] = "False"
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_pytest_runs_beside_pytest_base_url(venv: Path, tmp_path: Path) -> None:
    (tmp_path / "test_site.py").write_text(
        textwrap.dedent(
            """
            def test_both_plugins(base_url, pytestconfig):
                assert base_url == "http://site.test"
                assert pytestconfig.pluginmanager.hasplugin("base_url")
                assert pytestconfig.pluginmanager.hasplugin("mem0_contracts")
            """
        )
    )
    python = str(venv / "bin" / "python")
    result = run(venv, [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--base-url", "http://site.test"],
                 tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout and "warning" not in result.stdout
    usage = run(venv, [python, "-m", "pytest", "--help"], tmp_path).stdout
    assert "--base-url" in usage and "--mem0-base-url" in usage and "--mem0-api-key" in usage


def test_a_clean_mem0_contracts_run_prints_no_warning(venv: Path, tmp_path: Path) -> None:
    result = run(venv, [str(venv / "bin" / "mem0-contracts"), "-q", "-k", "test_shape and ping"], tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "4 passed" in output, output[-3000:]
    assert "warning" not in output.lower(), output[-3000:]
    where = run(venv, [str(venv / "bin" / "python"), "-c", "import contracts; print(contracts.__file__)"], tmp_path)
    assert "site-packages" in where.stdout  # the installed package ran, not this checkout
