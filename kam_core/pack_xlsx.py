"""The meeting pack as an Excel workbook: the tables, and native Excel charts over them.

Every text is written as a text cell (write_string, strings_to_formulas off), so a
client called '=HYPERLINK(...)' or '+cmd|...' stays the text it is. Chart titles
and series names point at cells rather than carrying text, because xlsxwriter
reads a name starting with '=' as a formula.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import re

import pandas as pd

from kam_core.i18n import scope_label
from kam_core.pack import PackContent
from kam_core.profile import cadence_lines, kind_label, status_lines
from kam_core.ranks import TIERS

MAX_SHEET = 31


class _Book:
    """A workbook with the formats the pack uses and sheet names made safe and unique."""

    def __init__(self, buffer):
        import xlsxwriter

        self.wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                               "strings_to_urls": False, "strings_to_numbers": False})
        self.formats = {
            "title": self.wb.add_format({"bold": True, "font_size": 16}),
            "head": self.wb.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1}),
            "section": self.wb.add_format({"bold": True, "font_size": 12, "font_color": "#1F5FAD"}),
            "money": self.wb.add_format({"num_format": "#,##0.00"}),
            "int": self.wb.add_format({"num_format": "#,##0"}),
            "pct": self.wb.add_format({"num_format": "0.0%"}),
            "date": self.wb.add_format({"num_format": "yyyy-mm-dd"}),
            "text": self.wb.add_format({"text_wrap": False}),
            "label": self.wb.add_format({"font_color": "#5D6B7C"}),
        }
        self.used: set[str] = set()

    def sheet(self, name: str):
        clean = re.sub(r"[\[\]:*?/\\]", "_", str(name)).strip().strip("'")[:MAX_SHEET] or "Sheet"
        candidate, n = clean, 1
        while candidate.lower() in self.used:
            n += 1
            candidate = f"{clean[:MAX_SHEET - 4]}~{n}"
        self.used.add(candidate.lower())
        return self.wb.add_worksheet(candidate)

    def close(self) -> None:
        self.wb.close()


def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _write(book: _Book, ws, row: int, col: int, value, kind: str = "auto") -> None:
    """One cell: numbers as numbers, dates as dates, everything else as a text cell."""
    if _missing(value):
        return
    f = book.formats
    if kind in ("money", "int", "pct") and not isinstance(value, str):
        ws.write_number(row, col, float(value), f[kind])
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        ws.write_number(row, col, float(value)) if math.isfinite(value) else ws.write_string(row, col, str(value))
    elif isinstance(value, (dt.date, pd.Timestamp)):
        ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), f["date"])
    elif hasattr(value, "is_finite"):   # Decimal
        ws.write_number(row, col, float(value), f.get(kind, None) if kind != "auto" else None)
    else:
        ws.write_string(row, col, str(value))


def _table(book: _Book, ws, row: int, headers: list[str], rows: list[list], kinds: list[str] | None = None,
           col: int = 0) -> tuple[int, int]:
    """A header row and the rows below it; returns (first data row, last data row) (last < first if empty)."""
    for c, header in enumerate(headers):
        ws.write_string(row, col + c, header, book.formats["head"])
    kinds = kinds or ["auto"] * len(headers)
    for r, values in enumerate(rows, start=row + 1):
        for c, value in enumerate(values):
            _write(book, ws, r, col + c, value, kinds[c])
    return row + 1, row + len(rows)


def _widths(ws, widths: list[float]) -> None:
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)


def _summary(book: _Book, content: PackContent) -> None:
    t = content.t
    ws = book.sheet(t("pack.sheet.summary"))
    name = ws.get_name()
    ws.write_string(0, 0, t("pack.title"), book.formats["title"])
    ws.write_string(1, 0, f"{t('pack.window')}: {content.window_label} · {t('pack.list')}: {content.list_label} · "
                          f"{t('pack.data_end')}: {content.data_end or '—'} · {t('pack.generated')}: "
                          f"{content.generated_at:%Y-%m-%d %H:%M}", book.formats["label"])
    rows, kinds = [], []
    for metric in content.kpis.index:
        if metric == "profit" and not content.has_profit:
            continue
        kind = content.kpis.at[metric, "kind"]
        cell = {"money": "money", "ratio": "pct", "count": "int"}[kind]
        change = content.kpis.at[metric, "change"]
        rows.append([t(f"pack.metric.{metric}"), content.kpis.at[metric, "current"],
                     content.kpis.at[metric, "previous"], change])
        kinds.append(cell)
    ws.write_string(3, 0, t("pack.summary"), book.formats["section"])
    for c, header in enumerate([t("pack.metric"), t("pack.current"), t("pack.previous"), t("w.change")]):
        ws.write_string(4, c, header, book.formats["head"])
    for r, (values, kind) in enumerate(zip(rows, kinds), start=5):
        ws.write_string(r, 0, values[0])
        _write(book, ws, r, 1, values[1], kind)
        _write(book, ws, r, 2, values[2], kind)
        _write(book, ws, r, 3, values[3], "pct" if kind in ("money", "pct") else "int")
    row = 5 + len(rows) + 1
    ws.write_string(row, 0, t("pack.pareto_line", k=content.pareto_k, n=content.pareto_active,
                              share=f"{content.pareto_k / content.pareto_active:.1%}" if content.pareto_active else "—"))
    row += 2
    ws.write_string(row, 0, t("pack.tiers_now"), book.formats["section"])
    first, last = _table(book, ws, row + 1, [t("w.tier"), t("pack.units")],
                         [[t(f"tier.{tier}"), content.tier_counts.get(tier, 0)] for tier in TIERS], ["auto", "int"])
    chart = book.wb.add_chart({"type": "column"})
    chart.add_series({"name": [name, row, 0], "categories": [name, first, 0, last, 0],
                      "values": [name, first, 1, last, 1], "fill": {"color": "#1F5FAD"},
                      "data_labels": {"value": True}})
    chart.set_title({"name": [name, row, 0]})
    chart.set_legend({"none": True})
    ws.insert_chart(3, 6, chart, {"x_scale": 1.1, "y_scale": 1.0})
    row = last + 2
    trend = content.trend
    ws.write_string(row, 0, t("pack.trend"), book.formats["section"])
    headers = [t("w.period"), t("w.revenue")] + ([t("w.profit")] if content.has_profit else [])
    first, last = _table(book, ws, row + 1, headers,
                         [[r.label, r.revenue] + ([r.profit] if content.has_profit else []) for r in trend.itertuples()],
                         ["auto", "money", "money"])
    if last >= first:
        _revenue_chart(book, ws, name, row + 1, first, last, content.has_profit, title=[name, row, 0],
                       at=(20, 6), scale=(1.4, 1.1))
    _widths(ws, [26, 18, 18, 14])


def _agenda(book: _Book, content: PackContent) -> None:
    t = content.t
    ws = book.sheet(t("mtg.agenda"))
    name = ws.get_name()
    headers = ["#", t("w.client"), t("w.owner"), t("w.tier"), t("w.revenue"), t("pack.previous"), t("w.change"),
               t("pack.risk"), t("pack.at_risk"), t("pack.reasons")]
    rows = [[int(r.order), r.unit_name, r.owner, t(f"tier.{r.tier}") if isinstance(r.tier, str) else
             t("state.inactive"), r.revenue, r.prev_revenue, r.change, r.risk, r.revenue_at_risk, r.reasons]
            for r in content.agenda.itertuples()]
    first, last = _table(book, ws, 0, headers, rows,
                         ["int", "auto", "auto", "auto", "money", "money", "pct", "pct", "money", "auto"])
    ws.freeze_panes(1, 2)
    _widths(ws, [5, 28, 14, 10, 16, 16, 10, 8, 16, 60])
    if last >= first:
        chart = book.wb.add_chart({"type": "bar"})
        chart.add_series({"name": [name, 0, 4], "categories": [name, first, 1, last, 1],
                          "values": [name, first, 4, last, 4], "fill": {"color": "#1F5FAD"}})
        chart.set_title({"name": [name, 0, 4]})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})
        ws.insert_chart(last + 2, 1, chart, {"x_scale": 1.5, "y_scale": max(1.0, len(rows) / 15)})


def _owners(book: _Book, content: PackContent) -> None:
    t = content.t
    ws = book.sheet(t("pack.sheet.owners"))
    name = ws.get_name()
    c = content.coverage
    ws.write_string(0, 0, t("pack.team"), book.formats["title"])
    ws.write_string(1, 0, t("pack.coverage_line", within=c["ab_within"], n=c["ab_clients"],
                            share="—" if c["ab_share"] is None else f"{c['ab_share']:.0%}", overdue=c["overdue"],
                            at_risk=f"{c['overdue_t12m']:,.0f}"), book.formats["label"])
    headers = [t("w.owner"), t("pack.col.clients"), t("w.revenue"), t("pack.col.yoy"), t("pack.col.target"),
               t("pack.col.attainment"), t("pack.col.ka"), t("pack.col.watchlist"), t("pack.col.overdue")]
    rows = [[r.owner if isinstance(r.owner, str) else t("pack.no_owner"), r.clients, r.revenue, r.change, r.target,
             r.attainment, r.ka_clients, r.watchlist, r.overdue] for r in content.owners.itertuples()]
    first, last = _table(book, ws, 3, headers, rows,
                         ["auto", "int", "money", "pct", "money", "pct", "int", "int", "int"])
    _widths(ws, [18, 8, 18, 10, 18, 10, 8, 8, 8])
    if last >= first:
        chart = book.wb.add_chart({"type": "column"})
        chart.add_series({"name": [name, 3, 2], "categories": [name, first, 0, last, 0],
                          "values": [name, first, 2, last, 2], "fill": {"color": "#1F5FAD"}})
        chart.add_series({"name": [name, 3, 4], "categories": [name, first, 0, last, 0],
                          "values": [name, first, 4, last, 4], "fill": {"color": "#E07A1F"}})
        chart.set_title({"name": [name, 0, 0]})
        chart.set_legend({"position": "bottom"})
        ws.insert_chart(last + 2, 0, chart, {"x_scale": 1.6, "y_scale": 1.1})


def _client(book: _Book, content: PackContent, order: int, p) -> None:
    t = content.t
    ws = book.sheet(f"{order}. {p.name}")
    name = ws.get_name()
    ws.write_string(0, 0, p.name, book.formats["title"])     # chart titles point here
    f, s = p.facts, p.standing
    facts = [(t("w.owner"), f["owner"]), (t("w.region"), f["region"]), (t("w.city"), f["city"]),
             (t("w.chain_scope"), scope_label(f["chain_scope"], content.lang)), (t("prof.stores"), f["store_count"]),
             (t("prof.current_tier"), t(f"tier.{p.current_tier}") if p.current_tier else t("state.inactive")),
             (t("prof.first_order"), f["first_order"]), (t("prof.last_order"), f["last_order"]),
             (t("w.revenue"), s["value"]), (t("prof.rank_portfolio"), s["rank"]),
             (t("prof.share_portfolio"), s["share"])]
    kinds = ["auto"] * 4 + ["int", "auto", "auto", "auto", "money", "int", "pct"]
    if s["city_rank"]:
        facts += [(t("prof.rank_city", city=s["city"]), s["city_rank"]),
                  (t("prof.share_city", city=s["city"]), s["city_share"])]
        kinds += ["int", "pct"]
    if p.signals:
        facts += [(t("pack.risk"), p.signals["risk"]), (t("pack.at_risk"), p.signals["revenue_at_risk"])]
        kinds += ["pct", "money"]
    for r, ((label, value), kind) in enumerate(zip(facts, kinds), start=2):
        ws.write_string(r, 0, label, book.formats["label"])
        _write(book, ws, r, 1, value, kind)
    row = 2 + len(facts) + 1
    if p.signals and p.signals["reasons"]:
        ws.write_string(row, 0, t("pack.reasons"), book.formats["section"])
        for i, reason in enumerate(p.signals["reasons"], start=1):
            ws.write_string(row + i, 0, reason["text"])
        row += len(p.signals["reasons"]) + 2
    lines = [f"{t('prof.fu_status')}: {line}" for line in status_lines(p, content.lang)] + \
        [line for line, _ in cadence_lines(p, content.lang)]
    for i, line in enumerate(lines):
        ws.write_string(row + i, 0, line)
    row += len(lines) + (1 if lines else 0)
    monthly = p.monthly
    ws.write_string(row, 0, t("prof.monthly"), book.formats["section"])
    headers = [t("w.period"), t("w.revenue")] + ([t("w.profit")] if content.has_profit else [])
    first, last = _table(book, ws, row + 1, headers,
                         [[r.month, r.revenue] + ([r.profit] if content.has_profit else []) for r in monthly.itertuples()],
                         ["auto", "money", "money"])
    if last >= first:
        _revenue_chart(book, ws, name, row + 1, first, last, content.has_profit, title=[name, 0, 0],
                       at=(2, 5), scale=(1.3, 1.0))
    row = max(last, row + 1) + 2
    cats = p.categories
    if not cats.empty:
        ws.write_string(row, 0, t("prof.mix_category"), book.formats["section"])
        first, last = _table(book, ws, row + 1, [t("w.category"), t("w.revenue"), t("w.share")],
                             [[r.item if r.item is not None else t("prof.blank"), r.revenue, r.share]
                              for r in cats.itertuples()], ["auto", "money", "pct"])
        chart = book.wb.add_chart({"type": "bar"})
        chart.add_series({"name": [name, row + 1, 1], "categories": [name, first, 0, last, 0],
                          "values": [name, first, 1, last, 1], "fill": {"color": "#2CA58D"}})
        chart.set_title({"name": [name, row, 0]})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})
        ws.insert_chart(18, 5, chart, {"x_scale": 1.3, "y_scale": 0.9})
        row = last + 2
    path = p.tier_path
    if not path.empty and path["tier"].notna().any():
        from kam_core.tiers import tier_label

        ws.write_string(row, 0, t("prof.tier_path"), book.formats["section"])
        _, last = _table(book, ws, row + 1, [t("w.period"), t("w.tier"), t("w.revenue")],
                         [[r.period + ("" if r.complete else t("period.partial")),
                           tier_label(r.tier, bool(r.pinned), content.lang) if r.tier else t("state.inactive"),
                           r.value] for r in path.itertuples()], ["auto", "auto", "money"])
        row = last + 2
    if not p.stakeholders.empty:
        ws.write_string(row, 0, t("stk.title"), book.formats["section"])
        people = [[r.name, r.title, t(f"stk.role.{r.decision_role}") if isinstance(r.decision_role, str) else None,
                   None if _missing(r.attitude) else int(r.attitude),
                   t(f"stk.att.{int(r.attitude)}") if not _missing(r.attitude) else None, r.note]
                  for r in p.stakeholders.itertuples()]
        _, last = _table(book, ws, row + 1, [t("stk.name"), t("stk.job_title"), t("stk.role"), t("stk.attitude"),
                                             t("stk.attitude_label"), t("stk.note")], people)
        row = last + 2
    notes = [(t(f"prof.note.{k}"), p.notes[k]) for k in ("needs", "pain_points", "competitors") if p.notes[k]]
    if notes:
        ws.write_string(row, 0, t("prof.notes"), book.formats["section"])
        for i, (label, text) in enumerate(notes, start=1):
            ws.write_string(row + i, 0, label, book.formats["label"])
            ws.write_string(row + i, 1, text)
        row += len(notes) + 2
    if not p.followups.empty:
        ws.write_string(row, 0, t("prof.followups"), book.formats["section"])
        _, last = _table(book, ws, row + 1, [t("w.date"), t("prof.contact_kind"), t("prof.author"), t("prof.note_text")],
                         [[r.note_date, kind_label(r.kind, content.lang), r.author, r.text]
                          for r in p.followups.itertuples()])
        row = last + 2
    if not p.contacts.empty:
        ws.write_string(row, 0, t("prof.contacts"), book.formats["section"])
        _, last = _table(book, ws, row + 1, [t("w.date"), t("prof.contact_kind"), t("prof.contact_who"),
                                             t("prof.note_text")],
                         [[r.contact_date, kind_label(r.kind_code if isinstance(r.kind_code, str) else r.kind,
                                                      content.lang), r.who, r.note] for r in p.contacts.itertuples()])
        row = last + 2
    if not p.scenarios.empty:
        ws.write_string(row, 0, t("prof.scenarios"), book.formats["section"])
        _, last = _table(book, ws, row + 1, [t("prof.scenario"), t("prof.saved_at"), t("prof.stores_now"),
                                             t("prof.stores_target"), t("prof.term"), t("prof.advance"),
                                             t("prof.p50")],
                         [[r.name, pd.Timestamp(r.created_at).date(), r.stores_now, r.stores_target, r.term_months,
                           r.recommended_advance, r.p50] for r in p.scenarios.itertuples()],
                         ["auto", "auto", "int", "int", "int", "money", "money"])
        row = last + 2
    if not p.advances.empty:
        ws.write_string(row, 0, t("prof.advances"), book.formats["section"])
        _, last = _table(book, ws, row + 1, [t("adv.col.id"), t("adv.col.client"), t("adv.col.amount"),
                                             t("adv.col.start"), t("adv.col.end"), t("adv.col.rule"),
                                             t("adv.col.recouped"), t("adv.col.remaining"), t("adv.col.progress"),
                                             t("adv.col.status")],
                         [[r.advance_id, r.client, r.amount, r.start, r.end, t(f"adv.rule.{r.rule}"), r.recouped,
                           r.remaining, r.progress, t(f"adv.status.{r.status}")] for r in p.advances.itertuples()],
                         ["int", "auto", "money", "auto", "auto", "auto", "money", "money", "pct", "auto"])
        ws.write_string(last + 1, 0, t("prof.advances_asof", date=p.as_of), book.formats["label"])
        row = last + 3
    _widths(ws, [22, 18, 16, 10, 14])


def render_xlsx(content: PackContent) -> bytes:
    """The workbook: summary, owners, agenda, then one sheet per client on the list."""
    buffer = io.BytesIO()
    book = _Book(buffer)
    _summary(book, content)
    _owners(book, content)
    _agenda(book, content)
    for order, p in enumerate(content.profiles, start=1):
        _client(book, content, order, p)
    book.close()
    return buffer.getvalue()


def _revenue_chart(book, ws, name: str, header_row: int, first: int, last: int, has_profit: bool, title: list,
                   at: tuple[int, int], scale: tuple[float, float]) -> None:
    """Native columns of revenue by period (rows first..last), with profit as a line where mapped."""
    chart = book.wb.add_chart({"type": "column"})
    chart.add_series({"name": [name, header_row, 1], "categories": [name, first, 0, last, 0],
                      "values": [name, first, 1, last, 1], "fill": {"color": "#1F5FAD"}})
    if has_profit:
        line = book.wb.add_chart({"type": "line"})
        line.add_series({"name": [name, header_row, 2], "categories": [name, first, 0, last, 0],
                         "values": [name, first, 2, last, 2], "line": {"color": "#E07A1F"}})
        chart.combine(line)
    chart.set_title({"name": title})
    chart.set_legend({"position": "bottom"})
    ws.insert_chart(at[0], at[1], chart, {"x_scale": scale[0], "y_scale": scale[1]})
