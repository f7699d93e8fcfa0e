"""Coverage: who is overdue for contact by service level, by owner, the weekly contact heat map, the contact log."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from kam_core import coverage, fmt
from kam_core.charts.coverage import contact_heatmap, overdue_by_owner
from kam_core.i18n import has
from kam_core.ranks import unit_names
from ui import nav, page_setup
from ui.layout import no_data
from ui.widgets import excel_download, money_column

ctx = page_setup("coverage")
t = ctx.t
st.title(t("cov.title"))
st.caption(t("cov.intro"))
if no_data(ctx):
    st.stop()

LEVEL_NAMES = {lv: t(f"cov.level.{lv}") for lv in coverage.LEVELS}


def _kind_label(kind: str | None) -> str:
    code = coverage.contact_kind(kind)
    return t(f"cov.kind.{code}") if code else (kind or "—")


# ---- as of, cadence
top = st.columns([1, 2])
as_of = top[0].date_input(t("cov.as_of"), value=ctx.data_end, min_value=ctx.bounds.first_day,
                          max_value=max(ctx.data_end, dt.date.today()), key="cov_as_of", help=t("cov.as_of_help"))
with top[1].expander(t("cov.cadence"), icon=":material/event_repeat:"):
    current = coverage.cadence(ctx.store)
    with st.form("cov_cadence", border=False):
        st.caption(t("cov.cadence_help"))
        cols = st.columns(3)
        days = {lv: cols[i].number_input(t("cov.cadence_days", level=LEVEL_NAMES[lv]), min_value=1,
                                         max_value=coverage.MAX_CADENCE_DAYS, value=current[lv], step=1,
                                         key=f"cov_cad_{lv}")
                for i, lv in enumerate(coverage.LEVELS)}
        if st.form_submit_button(t("w.save"), icon=":material/save:"):
            coverage.save_cadence(ctx.store, {lv: int(v) for lv, v in days.items()})
            st.toast(t("cov.cadence_saved"))
            st.rerun()

table = coverage.coverage_table(ctx.store, as_of)
kpi = coverage.coverage_kpi(ctx.store, as_of)
st.caption(t("cov.tier_period", period=kpi["tier_period"]) if kpi["tier_period"] else t("cov.no_tier_period"))
if table.empty:
    st.info(t("cov.no_levels"), icon=":material/info:")
    st.stop()

# ---- the team KPI
m = st.columns(5)
m[0].metric(t("cov.k.ab_share"), fmt.pct(kpi["ab_share"]),
            help=t("cov.k.of", within=kpi["ab_within"], clients=kpi["ab_clients"]))
for i, lv in enumerate(("A", "B"), start=1):
    level = kpi["levels"][lv]
    m[i].metric(t("cov.k.level_share", level=LEVEL_NAMES[lv]), fmt.pct(level["share"]),
                help=t("cov.k.of", within=level["within"], clients=level["clients"]))
m[3].metric(t("cov.k.overdue"), t("w.clients_n", n=kpi["overdue"]))
m[4].metric(t("cov.k.at_stake"), fmt.money(kpi["overdue_t12m"], ctx.lang))

# ---- overdue A clients on the churn watchlist
table = coverage.flag_watchlist(table, coverage.watchlist_keys(ctx.store, as_of))
alerts = table[table["alert"]]
if not alerts.empty:
    with st.container(border=True, key="cov_alerts"):
        st.warning(t("cov.alert", n=len(alerts)), icon=":material/notifications_active:")
        st.dataframe(pd.DataFrame({
            t("cov.col.client"): alerts["client"], t("cov.col.owner"): alerts["owner"].fillna(t("cov.no_owner")),
            t("cov.col.last"): [x.isoformat() if x else t("cov.never") for x in alerts["last_contact"]],
            t("cov.col.days"): alerts["days_since"], t("cov.col.t12m"): alerts["t12m"].round(2)}),
            hide_index=True, width="stretch", placeholder="—",
            column_config={t("cov.col.t12m"): money_column()})
        if any(p[1] == "nav.churn" for p in nav.available()):
            st.page_link(nav.script_of("churn"), label=t("cov.goto_churn"), icon=":material/notifications_active:")

# ---- who is overdue
st.subheader(t("cov.list"))
f = st.columns([2, 2, 1])
owners = sorted(table["owner"].fillna("").unique())
picked_owners = f[0].multiselect(t("cov.filter.owner"), owners, key="cov_owners", placeholder=t("cov.filter.all"),
                                 format_func=lambda o: o or t("cov.no_owner"))
picked_levels = f[1].multiselect(t("cov.filter.level"), list(coverage.LEVELS), key="cov_levels",
                                 placeholder=t("cov.filter.all"), format_func=LEVEL_NAMES.get)
overdue_only = f[2].toggle(t("cov.filter.overdue_only"), value=True, key="cov_overdue_only")
shown = table
if picked_owners:
    shown = shown[shown["owner"].fillna("").isin(picked_owners)]
if picked_levels:
    shown = shown[shown["service_level"].isin(picked_levels)]
if overdue_only:
    shown = shown[shown["overdue"]]


def _display(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        t("cov.col.client"): frame["client"],
        t("cov.col.owner"): frame["owner"].fillna(t("cov.no_owner")),
        t("cov.col.level"): frame["service_level"].map(LEVEL_NAMES),
        t("cov.col.tier"): [t(f"tier.{x}") if x else "—" for x in frame["tier"]],
        t("cov.col.source"): [t(f"cov.source.{s}") for s in frame["level_source"]],
        t("cov.col.last"): [d.isoformat() if d else t("cov.never") for d in frame["last_contact"]],
        t("cov.col.days"): frame["days_since"],
        t("cov.col.cadence"): frame["cadence_days"],
        t("cov.col.overdue"): [t("w.yes") if o else "" for o in frame["overdue"]],
        t("cov.col.watchlist"): [t("cov.flag.alert") if a else t("w.yes") if w else ""
                                 for w, a in zip(frame["watchlist"], frame["alert"])],
        t("cov.col.t12m"): frame["t12m"].round(2),
        t("cov.col.contacts"): frame["contacts"],
    })


if shown.empty:
    st.info(t("cov.none_overdue") if overdue_only and not picked_owners and not picked_levels else t("cov.nothing"),
            icon=":material/task_alt:")
else:
    st.caption(t("w.clients_n", n=len(shown)))
    st.dataframe(_display(shown), hide_index=True, width="stretch", height=min(420, 38 + 35 * len(shown)),
                 column_config={t("cov.col.t12m"): money_column()}, placeholder="—")

by_owner = coverage.coverage_by_owner(ctx.store, as_of)
owner_table = pd.DataFrame({
    t("cov.col.owner"): by_owner["owner"].replace("", t("cov.no_owner")),
    t("cov.col.clients"): by_owner["clients"],
    t("cov.col.overdue_n"): by_owner["overdue"],
    t("cov.col.ab_share"): by_owner["ab_share"],
    t("cov.col.at_stake"): by_owner["overdue_t12m"].round(2),
})
excel_download(t("cov.export"), {t("cov.sheet.clients"): _display(table), t("cov.sheet.owners"): owner_table},
               f"coverage_{as_of.isoformat()}.xlsx", key="cov_export")

# ---- by owner
st.subheader(t("cov.by_owner"))
left, right = st.columns(2)
left.plotly_chart(overdue_by_owner(by_owner, {"title": t("cov.chart.by_owner"), "clients": t("cov.chart.clients"),
                                              "no_owner": t("cov.no_owner"), **LEVEL_NAMES}),
                  width="stretch", key="cov_owner_chart")
right.dataframe(owner_table.assign(**{
    t("cov.col.ab_share"): [fmt.pct(x) for x in by_owner["ab_share"]],
    t("cov.col.at_stake"): [fmt.money(x, ctx.lang) for x in by_owner["overdue_t12m"]]}),
    hide_index=True, width="stretch")

grid = coverage.weekly_contacts(ctx.store, as_of)
if grid.to_numpy().sum() == 0:
    st.info(t("cov.heatmap_empty"), icon=":material/event_busy:")
else:
    st.plotly_chart(contact_heatmap(grid, {"title": t("cov.heatmap"), "owner": t("cov.chart.owner"),
                                           "week": t("cov.chart.week"), "contacts": t("cov.chart.contacts"),
                                           "no_owner": t("cov.no_owner")}),
                    width="stretch", key="cov_heatmap")

# ---- the contact log
st.subheader(t("cov.log"))
st.caption(t("cov.log_intro"))
names = unit_names(ctx.store, "client")
keys = sorted(names, key=lambda k: names[k])
overdue_first = [k for k in table.loc[table["overdue"], "client_key"] if k in names]
default_key = overdue_first[0] if overdue_first else keys[0]
log_left, log_right = st.columns([2, 3])
with log_left:
    chosen = st.selectbox(t("cov.log.client"), keys, index=keys.index(default_key), key="cov_log_client",
                          format_func=lambda k: names.get(k, k))
    with st.form("cov_add_contact", clear_on_submit=True):
        c1, c2 = st.columns(2)
        when = c1.date_input(t("cov.log.date"), value=min(as_of, dt.date.today()), max_value=dt.date.today(),
                             key="cov_log_date")
        kind = c2.selectbox(t("cov.log.kind"), coverage.KINDS, format_func=lambda k: t(f"cov.kind.{k}"),
                            key="cov_log_kind")
        who = st.text_input(t("cov.log.who"), key="cov_log_who")
        note = st.text_area(t("cov.log.note"), key="cov_log_note", height=80)
        if st.form_submit_button(t("cov.log.add"), icon=":material/add_comment:", type="primary"):
            try:
                coverage.add_contact(ctx.store, chosen, when, kind, who, note)
            except ValueError as exc:
                st.error(t("cov.log.error", error=exc), icon=":material/error:")
            else:
                st.toast(t("cov.log.added", client=names.get(chosen, chosen)))
                st.rerun()
with log_right:
    history = coverage.contacts_of(ctx.store, chosen)
    st.markdown(f"**{t('cov.log.history', client=names.get(chosen, chosen))}**")
    if history.empty:
        st.info(t("cov.log.empty"), icon=":material/event_busy:")
    else:
        st.dataframe(pd.DataFrame({
            t("cov.log.date"): history["contact_date"],
            t("cov.log.kind"): [_kind_label(k) for k in history["kind"]],
            t("cov.log.who"): history["who"].fillna(""),
            t("cov.log.note"): history["note"].fillna(""),
            t("cov.log.source"): [t(f"cov.src.{s}") if has(f"cov.src.{s}") else s for s in history["source"]],
        }), hide_index=True, width="stretch", height=min(360, 38 + 35 * len(history)))
