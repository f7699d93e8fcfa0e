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


def test_demo_data_can_be_loaded_again_once_everything_is_deleted(empty_db):
    from kam_core.store import Store
    from tests.helpers import open_page

    at = open_page("pages/14_datasets.py", "zh")
    assert any(i.value == "还没有导入任何文件。" for i in at.info)
    next(b for b in at.button if b.label == "载入演示数据").click().run(timeout=180)
    assert not at.exception, at.exception
    store = Store(empty_db)
    try:
        kinds = sorted(store.datasets()["kind"])
        assert kinds == ["clients", "contacts", "orders", "targets"] and store.datasets()["is_demo"].all()
    finally:
        store.close()
