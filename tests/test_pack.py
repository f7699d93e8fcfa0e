"""The meeting: lists, agenda, decisions saved to the follow-up log, and the pack (HTML + Excel, CLI).

The real-browser test opens the HTML pack offline in headless Chromium and checks the charts draw and that
hostile client names stay text.
"""
from __future__ import annotations

import datetime as dt
import html
import io
import json
import os
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kam_core import churn, followup, pack, periods, stakeholders, profile
from kam_core.__main__ import main
from kam_core.pack_html import render_html
from kam_core.pack_xlsx import render_xlsx
from tests.helpers import d, store_with_orders

Q1 = periods.period_of(dt.date(2025, 1, 1), "quarter")

# 2025Q1: 甲 500, 乙 300, 丙 150, 丁 50 (total 1000). cum_before 0, 500, 800, 950 against cuts
# 0.50 / 0.80 / 0.95: 甲 关键, 乙 重点, 丙 一般, 丁 维持. 甲 also bought 250 in 2024Q4 (the previous window).
ROWS = [
    {"client": "甲超市", "date": "2024-12-15", "amount": 250, "city": "上海", "owner": "王磊", "group": "联华集团"},
    {"client": "甲超市", "date": "2025-01-15", "amount": 500, "city": "上海", "owner": "王磊", "group": "联华集团"},
    {"client": "乙便利店", "date": "2025-02-15", "amount": 300, "city": "上海", "owner": "陈静", "group": "联华集团"},
    {"client": "丙餐饮", "date": "2025-03-15", "amount": 150, "city": "北京", "owner": "张强"},
    {"client": "丁药房", "date": "2025-03-20", "amount": 50, "city": "北京", "owner": "张强"},
]
DATA_END = d("2025-03-31")

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)",
           "<script>alert(1)</script>", "<img src=x onerror=alert(2)>"]


@pytest.fixture
def store(tmp_path):
    s = store_with_orders(tmp_path, ROWS, data_through=DATA_END)
    yield s
    s.close()


@pytest.fixture
def hostile(tmp_path):
    """Clients whose names (and categories, notes, stakeholders) look like formulas or HTML."""
    rows = [{"client": name, "date": f"2025-0{1 + i % 3}-1{i}", "amount": 600 - 100 * i, "profit": 10,
             "category": HOSTILE[(i + 1) % len(HOSTILE)], "city": "上海"} for i, name in enumerate(HOSTILE)]
    s = store_with_orders(tmp_path, rows, data_through=DATA_END)
    keys = s.query("unit_names", level="client").set_index("unit_name")["unit_key"].to_dict()
    stakeholders.add_stakeholder(s, keys[HOSTILE[0]], HOSTILE[4], HOSTILE[1], "decision_maker", -3, HOSTILE[5])
    profile.save_notes(s, keys[HOSTILE[0]], HOSTILE[0], HOSTILE[4], HOSTILE[3])
    followup.set_status(s, keys[HOSTILE[0]], "open", HOSTILE[1], HOSTILE[5])
    from kam_core import coverage

    coverage.add_contact(s, keys[HOSTILE[0]], d("2025-03-01"), HOSTILE[2], HOSTILE[5], HOSTILE[4])
    yield s, [keys[n] for n in HOSTILE]
    s.close()


def _content(store, keys, lang="zh", which="custom"):
    return pack.prepare(store, keys, "client", Q1, DATA_END, lang, which, None, True)


# ------------------------------------------------------------------ lists and agenda

def test_meeting_lists(store):
    assert pack.meeting_keys(store, "ka", Q1.end, data_end=DATA_END) == ["甲超市", "乙便利店"]
    assert pack.meeting_keys(store, "tier", Q1.end, tier="general", data_end=DATA_END) == ["丙餐饮"]
    assert pack.meeting_keys(store, "tier", Q1.end, tier="maintenance", data_end=DATA_END) == ["丁药房"]
    # Custom keeps the order given, drops repeats and unknown keys.
    assert pack.meeting_keys(store, "custom", Q1.end, keys=["丙餐饮", "nobody", "甲超市", "丙餐饮"]) == ["丙餐饮", "甲超市"]
    assert pack.meeting_keys(store, "ka", Q1.end, level="group", data_end=DATA_END) == ["g:联华集团"]
    with pytest.raises(ValueError):
        pack.meeting_keys(store, "everyone", Q1.end)
    with pytest.raises(ValueError):
        pack.meeting_keys(store, "tier", Q1.end, tier="gold")


def test_watchlist_list_is_the_churn_watchlist(demo_store):
    end = demo_store.data_end()
    expected = churn.watchlist(demo_store, end, "client").frame["unit_key"].tolist()
    assert pack.meeting_keys(demo_store, "watchlist", end, data_end=end) == expected


def test_agenda_by_hand(store):
    frame = pack.agenda(store, ("甲超市", "丙餐饮"), "client", Q1, DATA_END, "en")
    assert frame["order"].tolist() == [1, 2]
    assert frame["unit_name"].tolist() == ["甲超市", "丙餐饮"]
    assert frame["tier"].tolist() == ["key", "general"]
    assert frame["owner"].tolist() == ["王磊", "张强"]
    # 甲: 500 in Q1 against 250 in 2024Q4 -> +100%; 丙 had nothing before -> no change figure.
    assert frame["revenue"].tolist() == [500.0, 150.0]
    assert frame["prev_revenue"].tolist() == [250.0, 0.0]
    assert frame["change"].iloc[0] == pytest.approx(1.0) and pd.isna(frame["change"].iloc[1])
    assert pack.agenda(store, (), "client", Q1, DATA_END).empty


def test_window_of():
    assert pack.window_of(d("2025-01-01"), d("2025-12-31")).label == "2025"
    assert pack.window_of(d("2025-04-01"), d("2025-06-30")).label == "2025Q2"
    assert pack.window_of(d("2025-02-01"), d("2025-02-28")).label == "2025-02"
    assert pack.window_of(d("2025-02-03"), d("2025-02-28")).kind == "custom"


# ------------------------------------------------------------------ decisions

def test_decision_goes_to_followup_log_and_contacts(store):
    ids = pack.save_decision(store, "丙餐饮", "client", "  下周拜访采购总监  ", "王磊", d("2025-04-02"))
    assert len(ids) == 1
    log = followup.followup_log(store, "丙餐饮")
    assert log[["note_date", "kind", "author", "text"]].values.tolist() == [
        [d("2025-04-02"), "meeting", "王磊", "下周拜访采购总监"]]
    contacts = profile.contacts(store, "丙餐饮")
    assert contacts["kind"].tolist() == ["meeting"] and contacts["contact_date"].tolist() == [d("2025-04-02")]


def test_group_decision_reaches_every_member(store):
    ids = pack.save_decision(store, "g:联华集团", "group", "统一返利方案", None, d("2025-04-02"))
    assert len(ids) == 2
    for key in ("甲超市", "乙便利店"):
        assert followup.followup_log(store, key)["text"].tolist() == ["统一返利方案"]


def test_empty_decision_is_refused(store):
    with pytest.raises(ValueError):
        pack.save_decision(store, "丙餐饮", "client", "   ", None, d("2025-04-02"))
    assert followup.followup_log(store, "丙餐饮").empty


# ------------------------------------------------------------------ the workbook

def test_workbook_sheets_charts_and_text(hostile):
    store, keys = hostile
    data = render_xlsx(_content(store, keys, "en"))
    book = openpyxl.load_workbook(io.BytesIO(data))
    names = book.sheetnames
    assert names[:3] == ["Summary", "Owners", "Agenda"]
    assert len(names) == 3 + len(keys)
    assert names[3].startswith("1. =HYPERLINK") and names[5] == "3. -2+3"
    # Native charts: tier counts and trend on the summary, revenue vs target per owner, revenue on the
    # agenda, month + category per client.
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        formulas_in_cells = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")
                             and b"<f>" in z.read(n)]
    assert len(charts) == 2 + 1 + 1 + 2 * len(keys)
    assert formulas_in_cells == []
    agenda = book["Agenda"]
    assert [agenda.cell(row=1, column=c).value for c in (1, 2, 5)] == ["#", "Client", "Revenue"]
    for row, name in enumerate(HOSTILE, start=2):
        cell = agenda.cell(row=row, column=2)
        assert cell.value == name and cell.data_type == "s"
    assert agenda.cell(row=2, column=5).value == 600 and agenda.cell(row=2, column=5).data_type == "n"
    first = book[names[3]]
    assert first["A1"].value == HOSTILE[0] and first["A1"].data_type == "s"
    texts = {c.value for row in first.iter_rows() for c in row if c.data_type == "s"}
    # The stakeholder, notes and category texts are all there, all as text.
    assert {HOSTILE[4], HOSTILE[1], HOSTILE[5], HOSTILE[3]} <= texts
    # Every string cell in the book that starts like a formula stayed a string.
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value[:1] in "=+-@":
                    assert c.data_type == "s"


def test_chart_titles_point_at_cells(hostile):
    store, keys = hostile
    data = render_xlsx(_content(store, keys, "en"))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/charts/chart")).decode("utf-8")
    # Titles and series names are cell references (a literal name starting with '=' would become a formula).
    assert "<c:tx><c:rich>" not in xml
    refs = re.findall(r"<c:f>(.*?)</c:f>", xml)
    assert refs
    cell_ref = re.compile(r"^('([^']|'')+'|[A-Za-z0-9_]+)!\$[A-Z]+\$\d+(:\$[A-Z]+\$\d+)?$")
    assert all(cell_ref.match(html.unescape(ref)) for ref in refs), [r for r in refs if not cell_ref.match(html.unescape(r))]


def _followed_up(store):
    """甲 with a follow-up status, a visit, a saved scenario and a signed advance; 乙 never contacted.

    Tiers at 2025-03-31: 甲 关键 (level A, every 30 days), 乙 重点 (level B, every 60 days). The scenario
    is deterministic: 2 stores x 100 a month x 3 months x share 1 = 600 of channel sales, advance 600.
    The advance: 400 from 2025-01-01 for 3 months, all of 甲's sales count: 500 by 2025-03-31 -> recouped."""
    from kam_core import advances, coverage, scenarios
    from kam_core.prepay import PrepayInputs, simulate, summarize

    followup.set_status(store, "甲超市", "contacted", "王磊", "=HYPERLINK(\"http://evil.example\")")
    coverage.add_contact(store, "甲超市", d("2025-03-11"), "拜访", "王磊", "<b>年度框架</b>")
    inputs = PrepayInputs(stores_now=2, stores_target=2, term_months=3, store_monthly_sales=100, channel_share=1,
                          ramp_months=0, sales_cv=0, share_cv=0, delay_prob=0, paths=50)
    scenarios.save(store, "+扩店 2 家", inputs, summarize(simulate(inputs), inputs), client_key="甲超市")
    advances.add_advance(store, "甲超市", 400, d("2025-01-01"), 3, "refund")


def test_workbook_carries_followups_cadence_tiers_scenarios_and_advances(store):
    _followed_up(store)
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(_content(store, ["甲超市", "乙便利店"], "en"))))
    first = book["1. 甲超市"]
    cells = [[c for c in row if c is not None] for row in first.iter_rows(values_only=True)]
    rows = [r for r in cells if r]
    assert ["Follow-up status: Contacted · owner 王磊 · next step: =HYPERLINK(\"http://evil.example\")"] in rows
    assert ["Level A service: a contact at least every 30 days; last contact 2025-03-11 (20 days before "
            "2025-03-31)."] in rows
    assert ["2025Q1", "Key", 500] in rows                                       # the tier path
    scenario = next(r for r in rows if r[0] == "+扩店 2 家")                   # name, saved, stores, term, advance, P50
    assert isinstance(scenario[1], dt.datetime) and scenario[2:] == [2, 2, 3, 600, 600]
    assert [1, "甲超市", 400, dt.datetime(2025, 1, 1), dt.datetime(2025, 3, 31), "Refund the difference", 400, 0, 1,
            "Recouped"] in rows
    for row in first.iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value[:1] in "=+-@":
                assert c.data_type == "s"
    second = [[c for c in row if c is not None] for row in book["2. 乙便利店"].iter_rows(values_only=True)]
    assert ["Level B service: a contact at least every 60 days; never contacted. Overdue."] in second


def test_html_carries_followups_cadence_and_advances(store):
    _followed_up(store)
    page = render_html(_content(store, ["甲超市", "乙便利店"], "zh"))
    assert "跟进状态: 已联系 · 负责人 王磊 · 下一步：=HYPERLINK(&#34;http://evil.example&#34;)" in page
    assert "服务等级：A 级，每 30 天至少联系一次；最近联系 2025-03-11（至 2025-03-31 已 20 天）。" in page
    assert "服务等级：B 级，每 60 天至少联系一次；从未联系。 已逾期。" in page
    assert "&lt;b&gt;年度框架&lt;/b&gt;" in page and "<b>年度框架</b>" not in page
    assert "+扩店 2 家" in page and "2 → 2" in page
    # The advance: 400, 2025-01-01 → 2025-03-31, recouped in full.
    assert "2025-01-01 → 2025-03-31" in page and "到期退差额" in page and "已回收" in page
    assert "回收情况截至 2025-03-31。" in page


# ------------------------------------------------------------------ the HTML

def test_html_escapes_everything(hostile):
    store, keys = hostile
    page = render_html(_content(store, keys, "en"))
    for name in ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>"):
        assert name not in page
        assert html.escape(name, quote=False) in page or html.escape(name) in page
    assert page.count("<script") == page.count("</script>")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<script src" not in page and "<link" not in page     # nothing loaded from elsewhere


def test_html_is_complete_in_both_languages(store):
    for lang, words in (("zh", ["经营分析会资料包", "全盘概览", "议程"]), ("en", ["meeting pack", "Portfolio summary",
                                                                            "Agenda"])):
        page = render_html(_content(store, ["甲超市", "丙餐饮"], lang))
        for word in words:
            assert word in page
        after_library = page.split("</script>", 1)[1]         # plotly.js itself is left out of the check
        assert not re.findall(r"\b(?:pack|prof|stk|mtg|ov|par|tier|state|w)\.[a-z_]+\.?[a-z_]*\b(?![.(])",
                              after_library.replace("plotly.js", "")), "no untranslated key"


BROWSER = "/usr/bin/chromium"


@pytest.mark.browser
def test_html_pack_opens_offline_in_chromium(hostile, tmp_path):
    if not os.path.exists(BROWSER):
        if os.environ.get("KAM_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{BROWSER} is missing and KAM_REQUIRE_BROWSER=1")
        pytest.skip(f"{BROWSER} is missing")
    from playwright.sync_api import sync_playwright

    store, keys = hostile
    content = _content(store, keys, "en")
    html_path, xlsx_path = pack.write_pack(content, tmp_path / "out")
    expected_figures = int(html_path.read_text(encoding="utf-8").split("Offline file with ")[1].split(" ")[0])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=BROWSER, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            context = browser.new_context(offline=True)
            page = context.new_page()
            outside, dialogs, errors = [], [], []
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith("file:") else None)
            page.on("dialog", lambda dlg: (dialogs.append(dlg.message), dlg.dismiss()))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(html_path.as_uri())
            page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {expected_figures}",
                                   timeout=30_000)
            assert page.locator(".js-plotly-plot").count() == expected_figures
            # Every chart drew its data: bars or markers inside each plot.
            drawn = page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(
                p => p.querySelectorAll('.point, .trace path, .scatterlayer .js-line').length)""")
            assert all(n > 0 for n in drawn), drawn
            # Interactive: hovering a bar of the first client's monthly chart shows a hover label.
            bar = page.locator("#client-1 .js-plotly-plot .point").first
            bar.scroll_into_view_if_needed()
            box = bar.bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.wait_for_selector(".hoverlayer .hovertext", timeout=5_000)
            # Hostile names are text: shown literally, no element injected, no script ran.
            agenda = page.locator("#agenda").inner_text()
            assert "<script>alert(1)</script>" in agenda and "<img src=x onerror=alert(2)>" in agenda
            assert page.evaluate("document.querySelectorAll('main img').length") == 0
            assert dialogs == [] and outside == [] and errors == []
        finally:
            browser.close()


# ------------------------------------------------------------------ the command line

def test_cli_pack(store, tmp_path, capsys):
    db = str(store.path)
    store.close()
    out = tmp_path / "packs"
    code = main(["pack", "--db", db, "--out", str(out), "--start", "2025-01-01", "--end", "2025-03-31", "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result) == ["files"]
    html_file, xlsx_file = map(Path, result["files"])
    assert html_file.suffix == ".html" and xlsx_file.suffix == ".xlsx"
    assert html_file.parent == out and html_file.exists() and xlsx_file.exists()
    book = openpyxl.load_workbook(xlsx_file)
    # --list ka (the default): 甲 and 乙 by the current tier at 2025-03-31.
    assert book.sheetnames == ["Summary", "Owners", "Agenda", "1. 甲超市", "2. 乙便利店"]
    owners = book["Owners"]
    # Owners by revenue in 2025Q1: 王磊 holds 甲 (500), 陈静 乙 (300), 张强 丙 + 丁 (200).
    rows = {owners.cell(row=r, column=1).value: (owners.cell(row=r, column=2).value, owners.cell(row=r, column=3).value)
            for r in range(5, 8)}
    assert rows == {"王磊": (1, 500), "陈静": (1, 300), "张强": (2, 200)}
    assert "2025Q1" in html_file.read_text(encoding="utf-8")


def test_cli_pack_watchlist_and_language(store, tmp_path, capsys):
    db = str(store.path)
    store.close()
    assert main(["pack", "--db", db, "--out", str(tmp_path), "--list", "watchlist", "--lang", "zh"]) == 0
    files = capsys.readouterr().out.strip().splitlines()
    assert len(files) == 2 and all(Path(f).exists() for f in files)
    assert "经营分析会资料包" in Path(files[0]).read_text(encoding="utf-8")


@pytest.mark.parametrize("args, message", [
    (["--start", "2025-03-01", "--end", "2025-01-01"], "before the start"),
    (["--start", "2025-13-01"], "ISO date"),
])
def test_cli_pack_bad_input(store, tmp_path, capsys, args, message):
    db = str(store.path)
    store.close()
    assert main(["pack", "--db", db, "--out", str(tmp_path / "x"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_cli_pack_missing_database(tmp_path, capsys):
    assert main(["pack", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path)]) == 2
    assert "import a file first" in capsys.readouterr().err


def test_pack_names_the_metrics_as_the_app_does():
    """The pack's metric names are the overview's (毛收入留存 GRR, KA 销售额占比): one set of words."""
    from kam_core.i18n import t

    assert t("pack.metric.grr", "zh") == t("ov.m.grr", "zh") == "毛收入留存 GRR"
    assert t("pack.metric.ka_share", "zh") == t("ov.m.ka_share", "zh") == "KA 销售额占比"


def test_chain_scope_reads_in_the_pack_language(tmp_path):
    """A group whose members are national and regional chains: each scope in the reader's language."""
    rows = [{"client": "甲超市", "date": "2025-01-15", "amount": 500, "group": "联华集团", "chain_scope": "全国连锁"},
            {"client": "乙便利店", "date": "2025-02-15", "amount": 300, "group": "联华集团", "chain_scope": "区域"}]
    s = store_with_orders(tmp_path, rows, data_through=DATA_END)
    try:
        keys = s.query("unit_names", level="group").set_index("unit_name")["unit_key"].to_list()
        content = pack.prepare(s, keys, "group", Q1, DATA_END, "en", "custom", None, True)
        page = render_html(content)
        assert "National chain / Regional chain" in page and "全国连锁" not in page
        book = openpyxl.load_workbook(io.BytesIO(render_xlsx(content)))
        cells = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert "National chain / Regional chain" in cells
    finally:
        s.close()


def test_agenda_order_within_a_tier_follows_the_revenue_shown(tmp_path):
    """2025Q1: 甲 400, 乙 350, 丙 250: 甲 and 乙 关键 (cum before 0 and 0.40), 丙 重点. Over the
    meeting window 2024-12-01 – 2025-03-31 乙 sold 1,350 against 甲's 400: 乙 comes first."""
    rows = [{"client": "甲超市", "date": "2025-01-15", "amount": 400},
            {"client": "乙便利店", "date": "2025-02-15", "amount": 350},
            {"client": "乙便利店", "date": "2024-12-15", "amount": 1000},
            {"client": "丙餐饮", "date": "2025-03-15", "amount": 250}]
    s = store_with_orders(tmp_path, rows, data_through=DATA_END)
    try:
        window = pack.window_of(d("2024-12-01"), DATA_END)
        assert pack.meeting_keys(s, "ka", Q1.end, data_end=DATA_END) == ["甲超市", "乙便利店", "丙餐饮"]
        assert pack.meeting_keys(s, "ka", Q1.end, data_end=DATA_END, window=window) == ["乙便利店", "甲超市", "丙餐饮"]
        agenda = pack.agenda(s, ("乙便利店", "甲超市", "丙餐饮"), "client", window, DATA_END)
        assert agenda["revenue"].tolist() == [1350.0, 400.0, 250.0]
    finally:
        s.close()


def test_a_risk_that_rounds_to_zero_reads_below_one_percent():
    from kam_core import fmt

    assert [fmt.risk(x) for x in (0.0, 0.00005, 0.0049, 0.0051, 0.4, None)] == ["0%", "<1%", "<1%", "1%", "40%", "—"]
