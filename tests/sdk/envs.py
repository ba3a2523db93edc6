"""One environment per official SDK version, built once from a lock file and cached.

Two versions of one package cannot share a virtual environment, so every SDK version the
tests drive in another process gets its own: a venv for a Python SDK, an npm directory for
an npm SDK. Each is built from a lock file in `tests/sdk/locks/` under the cache directory
(`$MEM0_SDK_CACHE`, else `$XDG_CACHE_HOME/mem0-contract/sdks`, else
`~/.cache/mem0-contract/sdks`) and reused while its marker (SDK version, the lock's digest,
the runtime's version) matches; otherwise it is deleted and built again. A build that
cannot finish (no network, no node) raises `SdkEnvError` with what to fix: the tests fail
on it, they never skip.

`python -m tests.sdk.envs` builds every environment (CI can run it before the tests);
`python -m tests.sdk.envs --relock` rewrites the lock files from the registries.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

LOCKS = Path(__file__).parent / "locks"
CACHE_VARIABLE = "MEM0_SDK_CACHE"
MARKER = ".mem0-contract-env.json"
NPM_FLAGS = ("--legacy-peer-deps", "--ignore-scripts", "--no-audit", "--no-fund")  # the client needs no peers
BUILD_TIMEOUT = 900


class SdkEnvError(RuntimeError):
    """An SDK environment could not be built; the message says what was run and why it failed."""


@dataclass(frozen=True)
class SdkEnv:
    kind: str  # "python" or "npm"
    package: str
    version: str

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.package}-{self.version}"

    @property
    def lock_files(self) -> tuple[Path, ...]:
        if self.kind == "python":
            return (LOCKS / f"{self.name}.txt",)
        return (LOCKS / self.name / "package.json", LOCKS / self.name / "package-lock.json")

    @property
    def directory(self) -> Path:
        return cache_root() / self.name

    @property
    def python(self) -> Path:
        """The interpreter of a Python SDK's venv."""
        return self.directory / "bin" / "python"


PYTHON_V3 = SdkEnv("python", "mem0ai", "2.2.1")
NPM_V3 = SdkEnv("npm", "mem0ai", "3.3.1")
NPM_LEGACY = SdkEnv("npm", "mem0ai", "2.1.12")
ALL = (PYTHON_V3, NPM_V3, NPM_LEGACY)


def cache_root() -> Path:
    if os.environ.get(CACHE_VARIABLE):
        return Path(os.environ[CACHE_VARIABLE]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mem0-contract" / "sdks"


def _lock_digest(env: SdkEnv) -> str:
    digest = hashlib.sha256()
    for path in env.lock_files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _run(command: Sequence[str | Path], cwd: Path | None = None, what: str = "") -> str:
    """Run a build step; a failure raises SdkEnvError with the command and its output's tail."""
    try:
        done = subprocess.run(
            [str(part) for part in command],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
            check=False,
        )
    except FileNotFoundError as missing:
        raise SdkEnvError(f"{what}: {missing.filename} is not installed or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise SdkEnvError(f"{what}: `{' '.join(map(str, command))}` took over {BUILD_TIMEOUT} s") from None
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-25:])
        raise SdkEnvError(f"{what}: `{' '.join(map(str, command))}` exited {done.returncode}:\n{tail}")
    return done.stdout.strip()


def _runtime(env: SdkEnv) -> str:
    """What the environment was built for: a change of interpreter or node means a rebuild."""
    if env.kind == "python":
        return f"python {platform.python_version()} {sys.base_prefix}"
    return "node " + _run(["node", "--version"], what=f"{env.name} needs node (18 or newer) on PATH")


def _marker(env: SdkEnv) -> dict[str, str]:
    return {"name": env.name, "version": env.version, "lock_sha256": _lock_digest(env), "runtime": _runtime(env)}


def _current(env: SdkEnv, wanted: dict[str, str]) -> bool:
    try:
        return json.loads((env.directory / MARKER).read_text()) == wanted
    except (OSError, ValueError):
        return False


@contextmanager
def _locked(env: SdkEnv) -> Iterator[None]:
    """One builder at a time per environment, across processes (parallel test runs share the cache)."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f"{env.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build_python(env: SdkEnv) -> None:
    what = f"building the venv of Python {env.package}=={env.version} (needs PyPI)"
    _run([sys.executable, "-m", "venv", env.directory], what=what)
    _run([env.python, "-m", "pip", "install", "--quiet", "-r", env.lock_files[0]], what=what)
    script = f"import importlib.metadata as m; print(m.version({env.package!r}))"
    installed = _run([env.python, "-c", script], what=what)
    if installed != env.version:
        raise SdkEnvError(f"{what}: the lock installed {env.package} {installed}, not {env.version}")


def _build_npm(env: SdkEnv) -> None:
    what = f"building the npm directory of {env.package}@{env.version} (needs node, npm and the npm registry)"
    env.directory.mkdir(parents=True)
    for path in env.lock_files:
        shutil.copy(path, env.directory / path.name)
    _run(["npm", "ci", *NPM_FLAGS], cwd=env.directory, what=what)
    installed = json.loads((env.directory / "node_modules" / env.package / "package.json").read_text())["version"]
    if installed != env.version:
        raise SdkEnvError(f"{what}: the lock installed {env.package} {installed}, not {env.version}")


def ensure(env: SdkEnv) -> Path:
    """The environment's directory, built now unless a matching one is cached."""
    wanted = _marker(env)
    if _current(env, wanted):
        return env.directory
    with _locked(env):
        if not _current(env, wanted):  # another process may have built it meanwhile
            shutil.rmtree(env.directory, ignore_errors=True)
            (_build_python if env.kind == "python" else _build_npm)(env)
            (env.directory / MARKER).write_text(json.dumps(wanted, indent=2) + "\n")  # last: a half build has none
    return env.directory


def relock(env: SdkEnv) -> None:
    """Resolve the SDK's dependencies afresh from the registry and rewrite its lock file(s)."""
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        if env.kind == "python":
            _run([sys.executable, "-m", "venv", work / "venv"], what="relock")
            pip = [work / "venv/bin/python", "-m", "pip"]
            _run([*pip, "install", "--quiet", f"{env.package}=={env.version}"], what="relock")
            frozen = _run([*pip, "freeze"], what="relock")
            env.lock_files[0].write_text(frozen + "\n")
            return
        manifest = {
            "name": f"mem0-contract-sdk-{env.name}",
            "private": True,
            "dependencies": {env.package: env.version},
        }
        (work / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
        _run(["npm", "install", "--package-lock-only", *NPM_FLAGS], cwd=work, what="relock")
        (LOCKS / env.name).mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(work / name, LOCKS / env.name / name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--relock", action="store_true", help="rewrite the lock files instead of building")
    args = parser.parse_args(argv)
    for env in ALL:
        if args.relock:
            relock(env)
            print(f"relocked {env.name}")
        else:
            print(f"{env.name}: {ensure(env)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
