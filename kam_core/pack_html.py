"""The meeting pack as one HTML file: works offline, charts stay interactive, every text is escaped.

plotly.js is inlined once at the top; each figure is a div with its JSON (plotly
writes '<' as \\u003c inside it, so no text can close the script). The page's
Content-Security-Policy allows no network at all, so the file never reaches out
even if a chart library tried. Texts go through Jinja's autoescape; chart labels
are escaped again for plotly's HTML-like label syntax (charts.profile.label).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2
import plotly.io as pio
from markupsafe import Markup

from kam_core import fmt
from kam_core.charts.pack import agenda_figure, tier_counts_figure
from kam_core.i18n import scope_label
from kam_core.charts.profile import mix_figure, monthly_figure, stakeholder_figure, tier_path_figure
from kam_core.pack import PackContent
from kam_core.profile import cadence_lines, kind_label, status_lines

TEMPLATE_DIR = Path(__file__).with_name("templates")
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["sendDataToCloud"]}
RECENT = 8   # follow-up notes and contacts shown per client


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


@lru_cache(maxsize=1)
def _plotlyjs() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


class _Figures:
    """Turns figures into divs with unique ids."""

    def __init__(self):
        self.count = 0

    def __call__(self, fig, title: str | None = None) -> Markup:
        self.count += 1
        if title:
            fig.update_layout(title={"text": title, "x": 0, "font": {"size": 14}},
                              margin={"t": 70 if fig.layout.showlegend is not False else 40})
        return Markup(pio.to_html(fig, full_html=False, include_plotlyjs=False, config=PLOTLY_CONFIG,
                                  div_id=f"fig-{self.count}", default_height=f"{fig.layout.height or 360}px"))


def _text(value) -> str:
    if value is None:
        return "—"
    try:
        import pandas as pd

        if pd.isna(value):
            return "—"
    except (TypeError, ValueError):
        pass
    return str(value)


def _metric(content: PackContent, metric: str, value) -> str:
    kind = content.kpis.at[metric, "kind"]
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if kind == "money":
        return fmt.money(value, content.lang)
    if kind == "ratio":
        return fmt.pct(value)
    return fmt.number(value)


def _change(content: PackContent, metric: str) -> str:
    change = content.kpis.at[metric, "change"]
    kind = content.kpis.at[metric, "kind"]
    if change is None or (isinstance(change, float) and change != change):
        return "—"
    if kind == "money":
        return fmt.pct(change, signed=True)
    if kind == "ratio":
        return f"{change * 100:+.1f} pp" if content.lang == "en" else f"{change * 100:+.1f} 个百分点"
    return f"{change:+,.0f}"


def summary_rows(content: PackContent) -> list[dict]:
    rows = []
    for metric in content.kpis.index:
        if metric == "profit" and not content.has_profit:
            continue
        rows.append({"label": content.t(f"pack.metric.{metric}"),
                     "current": _metric(content, metric, content.kpis.at[metric, "current"]),
                     "previous": _metric(content, metric, content.kpis.at[metric, "previous"]),
                     "change": _change(content, metric)})
    return rows


def _ratio(value) -> str:
    return "—" if value is None or value != value else fmt.pct(value)


def owner_rows(content: PackContent) -> list[dict]:
    lang = content.lang
    return [{"owner": r.owner if isinstance(r.owner, str) else content.t("pack.no_owner"),
             "clients": fmt.number(r.clients), "revenue": fmt.money(r.revenue, lang),
             "change": fmt.pct(r.change, signed=True) if r.change == r.change and r.change is not None else "—",
             "target": fmt.money(r.target, lang), "attainment": _ratio(r.attainment),
             "ka": fmt.number(r.ka_clients), "watchlist": fmt.number(r.watchlist), "overdue": fmt.number(r.overdue)}
            for r in content.owners.itertuples()]


def coverage_line(content: PackContent) -> str:
    c = content.coverage
    return content.t("pack.coverage_line", within=c["ab_within"], n=c["ab_clients"], share=_ratio(c["ab_share"]),
                     overdue=c["overdue"], at_risk=fmt.money(c["overdue_t12m"], content.lang))


def _tier(content: PackContent, tier) -> str:
    return content.t(f"tier.{tier}") if isinstance(tier, str) and tier else content.t("state.inactive")


def agenda_rows(content: PackContent) -> list[dict]:
    return [{"order": int(r.order), "anchor": f"client-{int(r.order)}", "name": r.unit_name, "owner": _text(r.owner),
             "tier": _tier(content, r.tier), "revenue": fmt.money(r.revenue, content.lang),
             "change": fmt.pct(r.change, signed=True) if r.change is not None and r.change == r.change else "—",
             "risk": fmt.risk(r.risk),
             "at_risk": fmt.money(r.revenue_at_risk, content.lang) if r.revenue_at_risk is not None else "—",
             "reasons": r.reasons or ""} for r in content.agenda.itertuples()]


def client_view(content: PackContent, order: int, p, figure: _Figures) -> dict:
    t, lang = content.t, content.lang
    f, s = p.facts, p.standing
    facts = [(t("w.owner"), _text(f["owner"])), (t("w.region"), _text(f["region"])), (t("w.city"), _text(f["city"])),
             (t("w.chain_scope"), scope_label(f["chain_scope"], lang)),
             (t("prof.stores"), "—" if f["store_count"] is None else fmt.number(f["store_count"])),
             (t("prof.current_tier"), _tier(content, p.current_tier)),
             (t("prof.first_order"), _text(f["first_order"])), (t("prof.last_order"), _text(f["last_order"]))]
    if p.level == "group":
        facts.append((t("prof.members"), fmt.number(f["members"])))
    elif f["group_name"]:
        facts.append((t("w.group"), f["group_name"]))
    standing = [(t("w.revenue"), fmt.money(s["value"], lang)),
                (t("prof.rank_portfolio"), t("prof.rank_of", rank=s["rank"], n=s["active"]) if s["rank"] else "—"),
                (t("prof.share_portfolio"), fmt.pct(s["share"], 2))]
    if s["city_rank"]:
        standing += [(t("prof.rank_city", city=s["city"]), t("prof.rank_of", rank=s["city_rank"], n=s["city_active"])),
                     (t("prof.share_city", city=s["city"]), fmt.pct(s["city_share"], 1))]
    if p.profit_standing:
        standing.append((t("w.profit"), fmt.money(p.profit_standing["value"], lang)))
    charts = [figure(monthly_figure(p.monthly, lang, content.has_profit, height=340), t("prof.monthly"))]
    if not p.categories.empty and p.categories["item"].notna().any():
        charts.append(figure(mix_figure(p.categories, lang, t("prof.blank"), height=280), t("prof.mix_category")))
    if not p.tier_path.empty:
        charts.append(figure(tier_path_figure(p.tier_path, lang, height=280), t("prof.tier_path")))
    if not p.stakeholders.empty:
        charts.append(figure(stakeholder_figure(p.stakeholders, lang, height=340), t("stk.title")))
    signals = p.signals or {}
    people = [{"name": r.name, "title": _text(r.title),
               "role": t(f"stk.role.{r.decision_role}") if isinstance(r.decision_role, str) else "—",
               "attitude": t(f"stk.att.{int(r.attitude)}") if r.attitude is not None and r.attitude == r.attitude
               else "—", "note": _text(r.note)} for r in p.stakeholders.itertuples()]
    followups = [{"date": _text(r.note_date), "author": _text(r.author), "text": r.text,
                  "kind": _text(kind_label(r.kind, lang))}
                 for r in p.followups.head(RECENT).itertuples()]
    contacts = [{"date": _text(r.contact_date), "kind": _text(kind_label(r.kind_code if isinstance(r.kind_code, str)
                                                                          else r.kind, lang)),
                 "who": _text(r.who), "note": _text(r.note)}
                for r in p.contacts.head(RECENT).itertuples()]
    scenarios = [{"name": r.name, "advance": fmt.money(r.recommended_advance, lang),
                  "stores": f"{int(r.stores_now)} → {int(r.stores_target)}", "term": int(r.term_months)}
                 for r in p.scenarios.itertuples()]
    advances = [{"id": int(r.advance_id), "client": r.client, "amount": fmt.money(r.amount, lang),
                 "term": f"{_text(r.start)} → {_text(r.end)}", "rule": t(f"adv.rule.{r.rule}"),
                 "recouped": fmt.money(r.recouped, lang), "remaining": fmt.money(r.remaining, lang),
                 "progress": _ratio(r.progress), "status": t(f"adv.status.{r.status}"),
                 "late": r.status in ("behind", "overdue")} for r in p.advances.itertuples()]
    return {"order": order, "anchor": f"client-{order}", "name": p.name, "facts": facts, "standing": standing,
            "status": status_lines(p, lang), "cadence": cadence_lines(p, lang), "advances": advances,
            "charts": charts, "risk": fmt.risk(signals["risk"]) if signals else "—",
            "at_risk": fmt.money(signals["revenue_at_risk"], lang) if signals else "—",
            "reasons": [r["text"] for r in signals.get("reasons", [])],
            "notes": [(t(f"prof.note.{k}"), p.notes[k]) for k in ("needs", "pain_points", "competitors") if p.notes[k]],
            "people": people, "followups": followups, "contacts": contacts, "scenarios": scenarios}


def render_html(content: PackContent) -> str:
    """The whole pack as one HTML document."""
    t, lang = content.t, content.lang
    figure = _Figures()
    summary_charts = []
    if content.trend["revenue"].abs().sum() > 0:
        from kam_core.charts.overview import trend_figure

        summary_charts.append(figure(trend_figure(content.trend, lang, content.has_profit), t("pack.trend")))
    summary_charts.append(figure(tier_counts_figure(content.tier_counts, lang), t("pack.tiers_now")))
    if not content.agenda.empty:
        summary_charts.append(figure(agenda_figure(content.agenda, lang), t("mtg.agenda")))
    clients = [client_view(content, i, p, figure) for i, p in enumerate(content.profiles, start=1)]
    page = _environment().get_template("pack.html")
    return page.render(
        lang="zh-CN" if lang == "zh" else "en", t=t, plotlyjs=Markup(_plotlyjs()),
        title=t("pack.title"), window=content.window_label, list_label=content.list_label,
        level=t(f"side.level.{content.level}"), generated=content.generated_at.strftime("%Y-%m-%d %H:%M"),
        data_end=_text(content.data_end), summary=summary_rows(content), summary_charts=summary_charts,
        pareto=t("pack.pareto_line", k=content.pareto_k, n=content.pareto_active,
                 share=fmt.pct(content.pareto_k / content.pareto_active) if content.pareto_active else "—"),
        tiers=[(t(f"tier.{tier}"), n) for tier, n in content.tier_counts.items()],
        agenda=agenda_rows(content), clients=clients, figures=figure.count, owners=owner_rows(content),
        coverage=coverage_line(content), level_is_group=content.level == "group", as_of=content.as_of)
