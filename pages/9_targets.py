"""Targets: attainment against time progress per owner and per client, who is behind pace,
the cumulative actual against the target pace, and the owner scorecard (客户经理考核)."""
from __future__ import annotations

import streamlit as st

from kam_core import fmt, periods, plan
from kam_core.charts.plan import attainment_figure, pace_figure
from ui import page_setup
from ui.layout import no_data
from ui.nav import script_of
from ui.widgets import excel_download, percent_column, percent_view

ctx = page_setup("targets")
t = ctx.t
st.title(t("nav.targets"))
st.caption(t("plan.intro"))
if no_data(ctx):
    st.stop()

divisor, unit = plan.money_unit(ctx.lang)

# ---- period and as-of date
named = plan.target_periods(ctx.store)
c1, c2 = st.columns([1, 1])
as_of = c2.date_input(t("plan.as_of"), value=st.session_state.get("plan_as_of", ctx.data_end), key="plan_as_of_input",
                      help=t("plan.as_of_help"))
st.session_state["plan_as_of"] = as_of
window = ctx.window.label if ctx.window and ctx.window.kind in periods.KINDS else None
options = plan.period_options(ctx.store, as_of, window)
default = plan.default_period(ctx.store, as_of, window)
period_label = c1.selectbox(t("w.period"), options, index=options.index(default), key="plan_period",
                            format_func=lambda p: plan.period_caption(ctx.store, p, ctx.lang))
span = periods.parse_label(period_label)
progress = plan.time_progress(span, as_of)
frame = plan.attainment(ctx.store, span, as_of)

if frame.empty:
    st.info(t("plan.no_targets", period=period_label), icon=":material/flag:")
    st.page_link(script_of("import"), label=t("plan.goto_import"), icon=":material/upload_file:")
else:
    team = plan.team_level(frame)
    total = plan.totals(frame[frame["level"] == team], span, as_of)
    cols = st.columns(5)
    cols[0].metric(t("plan.kpi.progress"), fmt.pct(progress),
                   help=t("plan.kpi.progress_help", elapsed=plan.elapsed_days(span, as_of), days=span.days))
    cols[1].metric(t("plan.kpi.target", level=t(f"plan.level.{team}s")), fmt.money(total["target"], ctx.lang))
    cols[2].metric(t("plan.kpi.actual"), fmt.money(total["actual"], ctx.lang))
    cols[3].metric(t("plan.kpi.attainment"), fmt.pct(total["attainment"]),
                   delta=None if total["attainment"] is None else t("w.pp", v=(total["attainment"] - progress) * 100),
                   help=t("plan.kpi.attainment_help"))
    cols[4].metric(t("plan.kpi.gap"), fmt.money(total["gap_to_pace"], ctx.lang), help=t("plan.kpi.gap_help"),
                   delta=t("plan.kpi.behind_n", n=total["behind"]), delta_color="off", delta_arrow="off")

TABS = ["owners", "clients", "scorecard"]
# a period with client targets only opens on them
only_clients = not frame.empty and not (frame["level"] == "owner").any()
tabs = st.tabs([t(f"plan.tab.{name}") for name in TABS], key="plan_tab", on_change="rerun",
               default=t("plan.tab.clients") if only_clients else None)
open_tab = next((name for name, tab in zip(TABS, tabs) if tab.open), TABS[0])
tab = dict(zip(TABS, tabs))[open_tab]

COLUMNS = {
    "name": None, "owner": t("w.owner"),
    "target": st.column_config.NumberColumn(f"{t('plan.col.target')} ({unit})", format="%,.1f"),
    "actual": st.column_config.NumberColumn(f"{t('plan.col.actual')} ({unit})", format="%,.1f"),
    "attainment": percent_column(t("plan.col.attainment"), progress=True),
    "expected": st.column_config.NumberColumn(f"{t('plan.col.expected')} ({unit})", format="%,.1f"),
    "gap_to_pace": st.column_config.NumberColumn(f"{t('plan.col.gap')} ({unit})", format="%,.1f",
                                                 help=t("plan.kpi.gap_help")),
    "clients": st.column_config.NumberColumn(t("plan.col.clients"), format="%d"),
}


def target_table(rows, level: str):
    out = rows[["name", "owner", "target", "actual", "attainment", "expected", "gap_to_pace", "clients"]].copy()
    for name in ("target", "actual", "expected", "gap_to_pace"):
        out[name] = out[name] / divisor
    out = percent_view(out, ["attainment"])
    config = COLUMNS | {"name": st.column_config.TextColumn(t(f"plan.level.{level}"), pinned=True)}
    if level == "owner":
        out = out.drop(columns="owner")
    st.dataframe(out, hide_index=True, width="stretch", column_config=config, placeholder="—")


def level_view(level: str) -> None:
    rows = frame[frame["level"] == level]
    if rows.empty:
        st.info(t(f"plan.none.{level}", period=period_label), icon=":material/flag:")
        return
    st.plotly_chart(attainment_figure(rows.nlargest(60, "target") if level == "client" else rows, progress, ctx.lang,
                                      t("plan.chart.attainment", level=t(f"plan.level.{level}s"))), width="stretch")
    if level == "client" and len(rows) > 60:
        st.caption(t("plan.chart.first_n", n=60, total=len(rows)))
    behind = plan.behind_pace(frame, level)
    st.markdown(f"**{t('plan.behind_title', n=len(behind))}**")
    if behind.empty:
        st.success(t("plan.behind_none"), icon=":material/task_alt:")
    else:
        target_table(behind, level)
    with st.expander(t("plan.all_targets", n=len(rows))):
        target_table(rows, level)
    unknown = rows[~rows["known"]]
    if not unknown.empty:
        st.warning(t(f"plan.unknown.{level}", names="、".join(unknown["name"].head(10))), icon=":material/help:")
    names = {None: t(f"plan.all.{level}")} | dict(zip(rows["name_key"], rows["name"]))
    picked = st.selectbox(t("plan.curve_for"), list(names), format_func=names.get, key=f"plan_curve_{level}")
    curve = plan.pace_curve(ctx.store, span, as_of, level, picked)
    st.plotly_chart(pace_figure(curve, ctx.lang, t("plan.chart.curve", name=names[picked])), width="stretch")


if open_tab in ("owners", "clients"):
    with tab:
        if frame.empty:
            st.caption(t("plan.no_targets_tab"))
        else:
            level_view("owner" if open_tab == "owners" else "client")

if open_tab == "scorecard":
    with tab:
        st.caption(t("plan.sc.help"))
        card = plan.owner_scorecard(ctx.store, as_of, span)
        if card.empty:
            st.info(t("plan.sc.empty"), icon=":material/badge:")
        else:
            shown = card.drop(columns=["owner_key"]).copy()
            shown["owner"] = shown["owner"].fillna(t("plan.unassigned"))
            for name in ("revenue", "revenue_prev", "target", "gap_to_pace"):
                shown[name] = shown[name] / divisor
            shown["behind"] = [t("w.yes") if b is True else "" for b in shown["behind"]]
            shown = percent_view(shown, ["change", "attainment", "ab_share"])
            config = {
                "owner": st.column_config.TextColumn(t("w.owner"), pinned=True),
                "clients": st.column_config.NumberColumn(t("plan.sc.clients"), format="%d"),
                "revenue": st.column_config.NumberColumn(f"{t('plan.sc.revenue')} ({unit})", format="%,.1f"),
                "revenue_prev": st.column_config.NumberColumn(f"{t('plan.sc.revenue_prev')} ({unit})", format="%,.1f"),
                "change": percent_column(t("plan.sc.change")),
                "target": st.column_config.NumberColumn(f"{t('plan.sc.target')} ({unit})", format="%,.1f"),
                "attainment": percent_column(t("plan.sc.attainment")),
                "gap_to_pace": st.column_config.NumberColumn(f"{t('plan.sc.gap_to_pace')} ({unit})", format="%,.1f"),
                "behind": t("plan.sc.behind"),
                "ka_clients": st.column_config.NumberColumn(t("plan.sc.ka_clients"), format="%d"),
                "ka_won": st.column_config.NumberColumn(t("plan.sc.ka_won"), format="%d"),
                "ka_lost": st.column_config.NumberColumn(t("plan.sc.ka_lost"), format="%d"),
                "watchlist": st.column_config.NumberColumn(t("plan.sc.watchlist"), format="%d"),
                "overdue": st.column_config.NumberColumn(t("plan.sc.overdue"), format="%d"),
                "ab_share": percent_column(t("plan.sc.ab_share")),
            }
            st.dataframe(shown, hide_index=True, width="stretch", column_config=config, placeholder="—")
            missing = [t(f"plan.sc.{c}") for c in ("watchlist", "overdue") if card[c].isna().all()]
            if missing:
                st.caption(t("plan.sc.not_available", columns="、".join(missing)))



def export_sheets() -> dict:
    sheets = {}
    if not frame.empty:
        sheets[t("plan.sheet.owners")] = plan.targets_export(frame[frame["level"] == "owner"], ctx.lang)
        sheets[t("plan.sheet.clients")] = plan.targets_export(frame[frame["level"] == "client"], ctx.lang)
        sheets[t("plan.sheet.behind")] = plan.targets_export(frame[frame["behind"]], ctx.lang)
    sheets[t("plan.sheet.scorecard")] = plan.scorecard_export(plan.owner_scorecard(ctx.store, as_of, span), ctx.lang)
    return sheets


# The owner scorecard in the export computes the watchlist at the as-of date: built when asked for.
excel_download(t("w.export_xlsx"), export_sheets, f"targets_{period_label}_{as_of}.xlsx", key="plan_download",
               on_request=True)
