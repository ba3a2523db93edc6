"""Performance benchmarks of the mock and the contract suite: `python -m benchmarks.run`.

Kept out of the unit tests on purpose: timings belong in `benchmarks/RESULTS.md`, not in
assertions that flake on a busy machine. `tests/test_benchmarks_smoke.py` only checks that
the harness still runs.
"""
