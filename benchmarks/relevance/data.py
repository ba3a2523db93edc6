"""The frozen labelled set under `data/`: verified against its SHA256SUMS, then loaded.

Two kinds of collection, each searched on its own (one user, one project):
- a conversation: every turn is one memory; questions name their evidence turns;
- a fact set: one user's memories; questions name the memories that answer them, and
  negative queries that nothing answers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
# Written after the scorer was tuned, by a writer who saw neither the scorer nor `data/`:
# measured, never tuned on.
HELDOUT_DIR = Path(__file__).resolve().parent / "heldout"
FOLDERS = ("conversations", "facts")


class DataMismatch(RuntimeError):
    """A data file differs from its frozen hash (or a listed file is missing)."""


@dataclass(frozen=True)
class Doc:
    id: str
    text: str
    speaker: str | None = None  # conversations: who said it
    date: str | None = None  # conversations: the session date (YYYY-MM-DD)


@dataclass(frozen=True)
class Question:
    id: str
    query: str
    relevant: tuple[str, ...]
    type: str


@dataclass(frozen=True)
class Collection:
    id: str
    kind: str  # "conversations" or "facts"
    docs: tuple[Doc, ...]
    questions: tuple[Question, ...]
    negatives: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()


def verify(folder: Path) -> list[Path]:
    """The JSON files listed in `folder/SHA256SUMS`, after checking every hash.

    Raises DataMismatch naming each file that is missing, altered, or present but unlisted.
    """
    listed: dict[str, str] = {}
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            listed[name.lstrip("*")] = digest
    problems = []
    for name, digest in sorted(listed.items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            problems.append(f"{name}: SHA-256 differs from SHA256SUMS")
    unlisted = sorted(p.name for p in folder.glob("*.json") if p.name not in listed)
    problems += [f"{name}: not listed in SHA256SUMS" for name in unlisted]
    if problems:
        raise DataMismatch(f"{folder}: the frozen data does not match its hashes: " + "; ".join(problems))
    return [folder / name for name in sorted(listed)]


def _conversation(raw: dict) -> Collection:
    docs = tuple(
        Doc(turn["id"], turn["text"], turn["speaker"], session["date"])
        for session in raw["sessions"]
        for turn in session["turns"]
    )
    questions = tuple(
        Question(q["id"], q["question"], tuple(q["evidence"]), q["type"]) for q in raw["questions"]
    )
    return Collection(raw["id"], "conversations", docs, questions, speakers=tuple(raw["speakers"]))


def _facts(raw: dict) -> Collection:
    docs = tuple(Doc(m["id"], m["text"]) for m in raw["memories"])
    questions = tuple(Question(q["id"], q["query"], tuple(q["relevant"]), q["type"]) for q in raw["questions"])
    negatives = tuple(n["query"] for n in raw.get("negatives", ()))
    return Collection(raw["id"], "facts", docs, questions, negatives)


def load(data_dir: Path | None = None) -> list[Collection]:
    """Every collection, conversations first, in file order (verified before reading)."""
    root = data_dir or DATA_DIR
    collections = []
    for folder in FOLDERS:
        for path in verify(root / folder):
            raw = json.loads(path.read_text(encoding="utf-8"))
            collections.append(_conversation(raw) if folder == "conversations" else _facts(raw))
    return collections
