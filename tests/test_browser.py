"""Real-browser journeys in headless Chromium: upload -> mapping -> report -> every page ->
language switch -> every export downloaded and opened; hostile names stay text.
Screenshots of failures are kept in tests/artifacts/."""
from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile

import openpyxl
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests import workbooks
from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, exceptions_on, require_browser, running_app, wait_idle
from ui import nav

pytestmark = pytest.mark.browser

PAGES = [(p[0], p[1].split(".", 1)[1]) for p in nav.available()]


def slug(script: str) -> str:
    """Streamlit's URL path for a page file: pages/2_pareto.py -> pareto; app.py -> ''."""
    if script == "app.py":
        return ""
    return re.sub(r"^\d+_", "", script.rsplit("/", 1)[-1][:-3])


@pytest.fixture(scope="module")
def app(demo_db_master, tmp_path_factory):
    require_browser()
    folder = tmp_path_factory.mktemp("browser")
    db = folder / "kam.duckdb"
    shutil.copyfile(demo_db_master, db)
    with running_app(db, folder / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page_en(browser, request):
    yield from _page(browser, request, "en-US")


@pytest.fixture
def page_zh(browser, request):
    yield from _page(browser, request, "zh-CN")


def _page(browser, request, locale):
    context = browser.new_context(locale=locale, viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is None or failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::")[-1])
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception:
            pass
    context.close()


def goto(page, url: str) -> None:
    page.goto(url)
    wait_idle(page)


def test_a_refused_file_gets_one_clear_sentence(app, page_zh, tmp_path):
    page = page_zh
    goto(page, f"{app}/import")
    path = tmp_path / "假装是表格.xlsx"
    path.write_bytes(b"%PDF-1.7\n" + b"0" * 2000)
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(path))
    alert = page.locator('[data-testid="stAlertContentError"]')
    alert.wait_for(timeout=60_000)
    assert "这不是表格文件（看起来是 PDF 文件）" in alert.inner_text()
    assert not exceptions_on(page)


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_every_page_renders(app, browser, locale, request):
    context = browser.new_context(locale=locale, viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    try:
        for script, key in PAGES:
            goto(page, f"{app}/{slug(script)}")
            assert not exceptions_on(page), f"{script}: {exceptions_on(page)}"
            assert page.query_selector("h1"), f"{script} has no title"
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"page_{key}_{locale}.png"), full_page=True)
        text = page.inner_text('[data-testid="stSidebar"]')
        assert ("数据集" in text) if locale == "zh-CN" else ("Datasets" in text)
    finally:
        context.close()


def test_language_switch(app, page_zh):
    page = page_zh
    goto(page, f"{app}/pareto")
    assert "二八分析" in page.inner_text("h1")
    page.get_by_role("tab", name="排名与导出").click()
    wait_idle(page)
    page.locator('[data-testid="stSidebar"]').get_by_role("radio", name="English").click()
    wait_idle(page)
    assert "Pareto" in page.inner_text("h1")
    # the tab chosen stays chosen, in the new language
    assert page.get_by_role("tab", name="Ranking & export").get_attribute("aria-selected") == "true"
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Datasets").click()
    wait_idle(page)                         # the choice follows the user across pages
    assert "Datasets" in page.inner_text("h1")
    goto(page, f"{app}/tiers?lang=en")      # and a link can carry it
    assert "tiers" in page.inner_text("h1").lower()


def test_choices_show_in_the_new_language_after_a_switch(app, page_zh):
    """A box or radio chosen in 中文 shows the same choice in English, not the Chinese label."""
    page = page_zh
    goto(page, f"{app}/meeting")
    page.locator('[data-testid="stMain"]').get_by_text("按等级", exact=True).click()
    wait_idle(page)
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    wait_idle(page)
    assert page.get_by_role("radio", name="One tier").is_checked()
    tier_box = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.inner_text()
    assert not re.search(r"[\u4e00-\u9fff]", tier_box), tier_box


def _open_download(path):
    data = path.read_bytes()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            assert "xl/workbook.xml" in z.namelist()
        book = openpyxl.load_workbook(path)
        assert book.sheetnames
    elif path.suffix == ".csv":
        assert list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    else:
        assert len(data) > 100


def _download(page, button):
    """Click a download button; a click that lands while the page reruns is tried once more."""
    for attempt in (1, 2):
        wait_idle(page)
        try:
            with page.expect_download(timeout=30_000) as info:
                button.click()
            return info
        except PlaywrightTimeout:
            if attempt == 2:
                raise


def _download_all_visible(page, tmp_path, prefix: str) -> int:
    buttons = page.locator('[data-testid="stDownloadButton"] button:visible')
    for i in range(buttons.count()):
        info = _download(page, buttons.nth(i))
        target = tmp_path / f"{prefix}_{i}_{info.value.suggested_filename}"
        info.value.save_as(target)
        _open_download(target)
    return buttons.count()


def test_every_export_downloads_and_opens(app, page_en, tmp_path):
    page = page_en
    opened = 0
    for script, _ in PAGES:
        if slug(script) == "import":
            continue
        goto(page, f"{app}/{slug(script)}")
        prefix = slug(script) or "overview"
        opened += _download_all_visible(page, tmp_path, prefix)
        tabs = page.locator('[data-testid="stTab"]:visible')
        k = 0
        while k < tabs.count():                   # tab panels are drawn when opened
            tabs.nth(k).click()
            page.wait_for_timeout(500)
            wait_idle(page)
            opened += _download_all_visible(page, tmp_path, f"{prefix}_tab{k}")
            k += 1
    assert opened >= 8, f"only {opened} exports found"


def test_sign_a_saved_scenario_and_see_it_in_the_ledger(app, page_en):
    page = page_en
    goto(page, f"{app}/prepay")
    page.get_by_role("button", name="Save scenario").click()
    page.get_by_text(re.compile(r"Scenario #\d+ saved")).wait_for(timeout=60_000)
    goto(page, f"{app}/advances")
    page.get_by_role("tab", name="From a saved scenario").click()
    wait_idle(page)
    # the scenario names no client: the form asks for one rather than picking it
    page.locator('input[placeholder="Choose the client…"] >> visible=true').first.click()
    page.get_by_role("option").first.click()
    page.get_by_role("button", name="Sign", exact=True).click()
    page.get_by_text(re.compile(r"Advance #\d+ signed")).wait_for(timeout=60_000)
    wait_idle(page)
    body = page.inner_text("body")
    assert "Ledger" in body and "No advance signed yet" not in body
    assert not exceptions_on(page)


def test_the_overlap_choice_survives_a_language_switch(app, page_en, tmp_path):
    """Replace chosen, then 中文: the choice stays replace (it once fell back to keep both silently)."""
    page = page_en
    goto(page, f"{app}/import")
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]',
                         str(workbooks.messy_orders(tmp_path / "销售明细_2024.xlsx")))
    page.get_by_text("Column mapping").wait_for(timeout=60_000)
    wait_idle(page)
    page.get_by_text("Remove the demo data after this import").click()     # the demo now counts as an overlap
    wait_idle(page)
    page.get_by_text("Replace the overlapping period with the new file").click()
    wait_idle(page)
    page.locator('[data-testid="stSidebar"]').get_by_text("中文", exact=True).click()
    wait_idle(page)
    assert page.get_by_role("radio", name="用新文件替换重叠期间").is_checked()
    assert not page.get_by_role("checkbox", name="导入后移除演示数据").is_checked()


def test_meeting_pages_with_the_arrow_keys(app, page_en):
    page = page_en
    goto(page, f"{app}/meeting")
    page.get_by_role("button", name="Start the meeting").click()
    wait_idle(page)
    main = page.locator('[data-testid="stMain"]')
    assert re.search(r"\b1 / \d+", main.inner_text())
    page.keyboard.press("ArrowRight")
    wait_idle(page)
    assert re.search(r"\b2 / \d+", main.inner_text())
    page.keyboard.press("ArrowLeft")
    wait_idle(page)
    assert re.search(r"\b1 / \d+", main.inner_text())


# The journeys below import files (and the first removes the demo data): they run last.

def test_upload_mapping_report_and_rejects_download(app, page_en, tmp_path):
    page = page_en
    goto(page, f"{app}/import")
    path = workbooks.messy_orders(tmp_path / "销售明细_2024.xlsx")
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(path))
    page.get_by_text("Column mapping").wait_for(timeout=60_000)
    wait_idle(page)
    body = page.inner_text("body")
    assert "Header found in row 4" in body
    assert "Rows read: 20. To load: 10; rejected: 6; skipped: 4." in body
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("Import report").wait_for(timeout=60_000)
    wait_idle(page)
    metrics = [m.inner_text() for m in page.query_selector_all('[data-testid="stMetric"]')]
    assert [m.split("\n")[-1] for m in metrics] == ["20", "10", "6", "4"]
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile("Download the rejected rows")).click()
    target = tmp_path / "rejects.xlsx"
    info.value.save_as(target)
    sheet = openpyxl.load_workbook(target).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [14, 15, 16, 17, 18, 19]
    assert not exceptions_on(page)


def test_hostile_client_names_stay_text(app, page_en, tmp_path):
    page = page_en
    hostile = ["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "@SUM(1)", "<script>alert(1)</script>",
               "<img src=x onerror=alert(2)>"]
    path = tmp_path / "hostile.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["客户名称", "日期", "金额"])
        for i, name in enumerate(hostile):
            writer.writerow([name, f"2026-0{1 + i}-15", 90_000_000 - i])
    goto(page, f"{app}/import")
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(path))
    page.get_by_text("Column mapping").wait_for(timeout=60_000)
    wait_idle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("Import report").wait_for(timeout=60_000)
    for script, _ in PAGES:
        goto(page, f"{app}/{slug(script)}")
        assert not exceptions_on(page), script
    goto(page, f"{app}/pareto")
    assert page.dialogs == [], page.dialogs
    assert page.evaluate("() => document.querySelectorAll('img[src=\"x\"]').length") == 0

