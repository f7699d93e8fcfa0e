"""The prepayment page in headless Chromium: a link with a client opens the sizing
prefilled from its history, a typed advance gets its recoup probability, and an
expanding chain opens from the candidates list. Screenshots of failures are kept
in tests/artifacts/."""
from __future__ import annotations

import re
import shutil
from urllib.parse import quote

import pytest

from kam_core import fmt, prepay_data
from kam_core.prepay import SEED_CASE, evaluate
from kam_core.store import Store
from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, exceptions_on, require_browser, running_app, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app(demo_db_master, tmp_path_factory):
    require_browser()
    folder = tmp_path_factory.mktemp("prepay_browser")
    db = folder / "kam.duckdb"
    shutil.copyfile(demo_db_master, db)
    store = Store(db)
    try:
        frame = prepay_data.candidates(store)
        keys = frame["client_key"].tolist()[:2]
        expected = {k: prepay_data.prefill(store, k) for k in keys}
    finally:
        store.close()
    with running_app(db, folder / "streamlit.log") as url:
        yield url, keys, expected


@pytest.fixture
def page(request):
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = chromium.new_context(locale="en-US", viewport={"width": 1440, "height": 1000})
        page = context.new_page()
        yield page
        failed = getattr(request.node, "rep_call", None)
        if failed is None or failed.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            try:
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
            except Exception:
                pass
        context.close()
        chromium.close()


def _number_input(page, label: str):
    return page.locator('[data-testid="stNumberInput"]').filter(
        has=page.get_by_text(label, exact=True)).locator("input")


def _has_value(page, label: str, value) -> None:
    """The number input shows value (retried until the script has drawn it)."""
    from playwright.sync_api import expect

    expect(_number_input(page, label)).to_have_value(str(value), timeout=30_000)


def _metric(page, label: str) -> str:
    for m in page.query_selector_all('[data-testid="stMetric"]'):
        lines = [x.strip() for x in m.inner_text().split("\n") if x.strip()]
        if lines and lines[0] == label:
            return lines[1]
    raise AssertionError(f"no metric {label!r}")


def test_link_advance_and_candidates(app, page):
    url, keys, expected = app
    first = expected[keys[0]]
    inputs = first.inputs(SEED_CASE)

    # A link carrying the client opens the sizing prefilled from its history.
    page.goto(f"{url}/prepay?lang=en&client={quote(keys[0])}")
    wait_idle(page)
    assert not exceptions_on(page)
    assert "Prepayment" in page.inner_text("h1")
    _has_value(page, "Stores now", inputs.stores_now)
    _has_value(page, "Stores at term end", inputs.stores_target)
    page.get_by_text(f"History of {first.client_name}").first.wait_for(timeout=30_000)
    p50 = fmt.money(evaluate(inputs)["forecast"]["p50"], "en", digits=0)
    page.get_by_text(p50, exact=True).first.wait_for(timeout=30_000)
    assert _metric(page, "Channel sales P50") == p50

    # Typing an advance (a competitor's offer) shows its chance of coming back.
    box = _number_input(page, "Evaluate an advance")
    box.fill("50000000")
    box.press("Enter")
    wait_idle(page)
    s = evaluate(inputs, 50_000_000.0)
    page.get_by_text(fmt.pct(s["recoup_probability"]), exact=True).first.wait_for(timeout=30_000)
    assert _metric(page, "Recouped within the term") == fmt.pct(s["recoup_probability"])
    assert not exceptions_on(page)

    # The expanding chains: the second one opens the sizing with its history.
    page.get_by_role("radio", name="Expanding chains").or_(
        page.get_by_role("button", name="Expanding chains")).first.click()
    wait_idle(page)
    page.get_by_role("button", name=re.compile("Size an advance from its history")).wait_for(timeout=30_000)
    second = expected[keys[1]]
    pick = page.locator('[data-testid="stSelectbox"]').filter(has_text="Pick a chain").locator("input")
    pick.click()
    page.keyboard.type(second.client_name)
    page.get_by_role("option", name=second.client_name, exact=True).wait_for(timeout=30_000)
    page.keyboard.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name=re.compile("Size an advance from its history")).click()
    wait_idle(page)
    page.get_by_text(f"History of {second.client_name}").first.wait_for(timeout=30_000)
    assert not exceptions_on(page)
    _has_value(page, "Stores now", second.inputs(SEED_CASE).stores_now)
