"""Shared fixtures: a store with the demo portfolio (built once per run, copied per test)."""
from __future__ import annotations

import shutil

import pytest

from kam_core import demo
from kam_core.store import Store


@pytest.fixture(scope="session")
def demo_db_master(tmp_path_factory):
    """The demo portfolio imported once; tests get copies."""
    path = tmp_path_factory.mktemp("demo") / "kam.duckdb"
    store = Store(path)
    demo.load_demo(store)
    store.save_setting("demo_seeded", True)
    store.close()
    return path


@pytest.fixture
def demo_db(demo_db_master, tmp_path, monkeypatch):
    """A private copy of the demo store; KAM_DB points the app at it."""
    path = tmp_path / "kam.duckdb"
    shutil.copyfile(demo_db_master, path)
    monkeypatch.setenv("KAM_DB", str(path))
    return path


@pytest.fixture
def demo_store(demo_db):
    store = Store(demo_db)
    yield store
    store.close()


@pytest.fixture
def empty_db(tmp_path, monkeypatch):
    """An empty store (demo already offered once, so it stays empty); KAM_DB points at it."""
    path = tmp_path / "kam.duckdb"
    store = Store(path)
    store.save_setting("demo_seeded", True)
    store.close()
    monkeypatch.setenv("KAM_DB", str(path))
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each test's outcome on the item (the browser fixtures screenshot failures)."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report
