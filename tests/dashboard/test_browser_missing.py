"""Without Chromium the browser tests fail, saying how to get it: a skip would hide that the
dashboard went untested."""

from __future__ import annotations

import pytest


def test_a_missing_chromium_fails_the_browser_tests_with_how_to_install_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("MEM0_CHROMIUM", str(pytester.path / "no-chromium-here"))
    pytester.makeconftest("from tests.dashboard.conftest import browser  # noqa: F401\n")
    pytester.makepyfile("def test_a_page(browser):\n    pass\n")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*apt-get install chromium*"])
