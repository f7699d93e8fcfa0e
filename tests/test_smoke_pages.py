"""Every page runs on the demo portfolio without an exception, in both languages, and without data."""
from __future__ import annotations

import pytest

from tests.helpers import open_page
from ui import nav

SCRIPTS = [p[0] for p in nav.available()]


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_runs(demo_db, script, lang):
    at = open_page(script, lang)
    assert not at.exception, at.exception
    assert at.title, "every page has a title"


@pytest.mark.parametrize("script", SCRIPTS)
def test_page_runs_without_data(empty_db, script):
    at = open_page(script, "en")
    assert not at.exception, at.exception
