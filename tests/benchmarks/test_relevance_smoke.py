"""Smoke test of the relevance benchmark: the tiny slice runs in seconds and renders every
section; the frozen data is refused when it does not match its hashes.

No recall number is asserted (they live in benchmarks/RELEVANCE.md).
"""

from __future__ import annotations

import shutil

import pytest

from benchmarks.relevance import data
from benchmarks.relevance.report import render
from benchmarks.relevance.run import RelevanceConfig, main, run_relevance
from tests.benchmarks.test_benchmarks_smoke import STATUSES, markdown_tables


def test_tiny_run_renders_targets_and_results():
    results = run_relevance(RelevanceConfig(tiny=True, embeddings=False))
    text = render(results, machine="test")
    assert text.startswith("# Relevance benchmark results")
    tables = markdown_tables(text)
    targets = tables[0]
    assert targets[0] == ["target", "goal", "measured", "status"]
    assert {row[3] for row in targets[1:]} <= STATUSES
    assert [run.name for run in results.runs] == ["mock v2", "mock v3", "BM25"]
    asked = sum(len(c.questions) for c in results.collections)
    assert all(len(run.judged) == asked for run in results.runs)
    assert [row.name.split(",")[0] for row in results.infer] == ["verbatim (infer: false)", "infer: true",
                                                                  "infer: true"]
    verbatim = results.infer[0]
    assert verbatim.memories == verbatim.turns == verbatim.turns_with_memory  # one memory per turn


def test_data_matches_its_frozen_hashes():
    collections = data.load()
    assert sum(len(c.questions) for c in collections) == 477
    assert sum(len(c.docs) for c in collections if c.kind == "conversations") == 1225


def test_an_altered_data_file_is_refused(tmp_path, capsys, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(data.DATA_DIR, copy)
    target = copy / "facts" / "facts-01.json"
    target.write_text(target.read_text(encoding="utf-8").replace("nurse", "nurze", 1), encoding="utf-8")
    with pytest.raises(data.DataMismatch, match="facts-01.json: SHA-256 differs"):
        data.load(copy)
    monkeypatch.setattr(data, "DATA_DIR", copy)
    assert main(["--tiny", "--output", str(tmp_path / "out.md")]) == 2
    assert "does not match its hashes" in capsys.readouterr().err
    assert not (tmp_path / "out.md").exists()
