"""Churn watchlist: KA clients quietly leaving, by revenue at risk, with reasons, follow-ups and a backtest."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from kam_core import backtest, churn, fmt, followup
from kam_core.charts import churn as charts
from kam_core.churn_signals import SIGNALS, ChurnSettings
from kam_core.ranks import unit_names
from ui import page_setup
from ui.layout import no_data
from ui.widgets import excel_download, md_plain, percent_column, percent_view

ctx = page_setup("churn")
t = ctx.t
st.title(t("churn.title"))
if no_data(ctx):
    st.stop()
st.caption(t("churn.intro"))

UNIT = t(f"churn.unit.{ctx.level}")
saved_settings = churn.saved_settings(ctx.store)
if st.session_state.get("churn_unsaved") == saved_settings:
    st.session_state.pop("churn_unsaved")
settings: ChurnSettings = st.session_state.get("churn_unsaved", saved_settings)


def _within(key: str, low: dt.date, high: dt.date) -> None:
    """Drop a remembered date that the data no longer spans (after a deletion or a new import)."""
    value = st.session_state.get(key)
    if isinstance(value, dt.date) and not low <= value <= high:
        del st.session_state[key]


def _scope_label(scope: str) -> str:
    if scope in ("ka", "all"):
        return t(f"churn.scope.{scope}")
    return t("churn.scope.tier", tier=t(f"tier.{scope}"))


# ---- what to look at
_within("churn_as_of", ctx.bounds.first_day, ctx.data_end)
c1, c2, c3, c4 = st.columns([1, 1.4, 1, 1])
as_of = c1.date_input(t("churn.as_of"), value=ctx.data_end, min_value=ctx.bounds.first_day, max_value=ctx.data_end,
                      key="churn_as_of", help=t("churn.as_of_help"))
scope = c2.selectbox(t("churn.scope"), churn.SCOPES, format_func=_scope_label, key="churn_scope")
ALL = "*"
owner = c3.selectbox(t("churn.owner"), [ALL, *churn.owners(ctx.store, as_of, ctx.level)], key="churn_owner",
                     format_func=lambda o: t("churn.owner_all") if o == ALL else o)
owner = None if owner == ALL else owner
model = c4.selectbox(t("churn.model"), churn.MODEL_MODES, key="churn_model", help=t("churn.model_help"),
                     format_func=lambda m: t(f"churn.model.{m}"))

with st.spinner():
    listed = churn.watchlist(ctx.store, as_of, ctx.level, settings, model, scope, owner, ctx.lang)

state = listed.model
if state.state == "used":
    f = state.fit
    st.caption(t("churn.model_used", r=f.r, alpha=f.alpha, a=f.a, b=f.b, n=f.n, unit=UNIT))
elif state.state == "off":
    st.caption(t("churn.model_off"))
else:
    st.info(t(f"churn.fallback.{state.reason}", n=churn.MIN_REPEAT_UNITS, unit=UNIT,
              a=state.fit.a if state.fit else 0.0), icon=":material/rule:")
if "churn_unsaved" in st.session_state:
    st.caption(t("churn.set.applied"))

tab_list, tab_follow, tab_test, tab_settings = st.tabs(
    [t("churn.tab.list"), t("churn.tab.followup"), t("churn.tab.backtest"), t("churn.tab.settings")],
    key="churn_tab", on_change="rerun")

# ---- the watchlist
if tab_list.open:
    frame = listed.frame
    k1, k2, k3, k4 = st.columns(4)
    k1.metric(t("churn.kpi.listed"), t("w.clients_n", n=len(frame)) if ctx.level == "client" else f"{len(frame):,}")
    k2.metric(t("churn.kpi.at_risk"), fmt.money(listed.revenue_at_risk, ctx.lang))
    k3.metric(t("churn.kpi.t12m"), fmt.money(listed.t12m_revenue, ctx.lang))
    k4.metric(t("churn.kpi.share"), fmt.pct(listed.share_at_risk))
    late, behind = int(frame["contact_overdue"].sum()), int(frame["advance_behind"].sum())
    parts = [t(f"churn.flags_summary.{k}", n=n) for k, n in (("late", late), ("behind", behind)) if n]
    if parts:
        st.warning(t("churn.flags_summary", parts=t("churn.flags_summary.sep").join(parts)),
                   icon=":material/notification_important:")
    if listed.empty:
        st.success(t("churn.empty", as_of=listed.as_of), icon=":material/verified:")
    else:
        st.plotly_chart(charts.watchlist_bars(frame, ctx.lang, ctx.level), width="stretch")
        table = churn.export_frame(listed, ctx.lang, ctx.store)
        for column in (t("churn.col.at_risk"), t("churn.col.t12m")):
            table[column] = [fmt.money(v, ctx.lang) for v in table[column]]
        st.dataframe(percent_view(table, [t("churn.col.risk"), t("churn.col.p_alive")]), hide_index=True,
                     width="stretch", column_config={
            t("churn.col.risk"): percent_column(progress=True),
            t("churn.col.p_alive"): percent_column(),
            t("churn.col.reasons"): st.column_config.TextColumn(width="large"),
        })

        def watchlist_sheets() -> dict:
            sheets = {t("churn.sheet.list"): churn.export_frame(listed, ctx.lang, ctx.store)}
            if ctx.level == "client":
                sheets[t("churn.sheet.followups")] = followup.export_frame(ctx.store, ctx.lang)
                sheets[t("churn.sheet.notes")] = followup.notes_frame(ctx.store, ctx.lang)
            return sheets

        excel_download(t("churn.export"), watchlist_sheets, f"churn_watchlist_{listed.as_of}.xlsx",
                       key="churn_export")

# ---- the follow-up log
if tab_follow.open:
    if ctx.level != "client":
        st.info(t("churn.fu.group_level"), icon=":material/person:")
    else:
        names = unit_names(ctx.store, "client")
        on_list = list(listed.frame["unit_key"])
        others = sorted((k for k in names if k not in set(on_list)), key=lambda k: names[k])
        client = st.selectbox(t("churn.fu.pick"), on_list + others, key="churn_fu_client", help=t("churn.fu.pick_help"),
                              format_func=lambda k: names.get(k, k))
        if client:
            picture = churn.client_signals(ctx.store, client, as_of, "client", ctx.lang, settings, model)
            if picture:
                st.caption(t("churn.fu.current", risk=fmt.risk(picture["risk"]),
                             at_risk=fmt.money(picture["revenue_at_risk"], ctx.lang)))
                for reason in [*picture["reasons"], *picture["flags"]]:
                    st.markdown(f"- {md_plain(reason['text'])}")
            current = followup.status_of(ctx.store, client) or {
                "status": "open", "owner": picture["owner"] if picture else None, "next_step": None}
            left, right = st.columns(2)
            with left.form("churn_fu_status"):
                status = st.selectbox(t("churn.fu.status"), followup.STATUSES,
                                      index=followup.STATUSES.index(current["status"]),
                                      format_func=lambda s: t(f"churn.status.{s}"), key=f"churn_fu_status_{client}")
                fu_owner = st.text_input(t("churn.fu.owner"), value=current["owner"] or "", key=f"churn_fu_owner_{client}")
                next_step = st.text_input(t("churn.fu.next_step"), value=current["next_step"] or "",
                                          key=f"churn_fu_next_{client}")
                if st.form_submit_button(t("churn.fu.save"), icon=":material/save:"):
                    followup.set_status(ctx.store, client, status, fu_owner, next_step)
                    st.toast(t("churn.fu.saved"))
                    st.rerun()
            with right.form("churn_fu_note", clear_on_submit=True):
                st.markdown(f"**{t('churn.fu.add_note')}**")
                n1, n2 = st.columns(2)
                note_date = n1.date_input(t("churn.fu.note_date"), value=dt.date.today())
                kind = n2.selectbox(t("churn.fu.kind"), [None, *followup.CONTACT_KINDS],
                                    format_func=lambda k: t("churn.fu.kind_none") if k is None else t(f"churn.kind.{k}"))
                author = st.text_input(t("churn.fu.author"), value=current["owner"] or "", key=f"churn_fu_author_{client}")
                text = st.text_area(t("churn.fu.text"), height=90)
                if st.form_submit_button(t("churn.fu.add_note"), icon=":material/add_comment:"):
                    if not text.strip():
                        st.warning(t("churn.fu.note_empty"))
                    else:
                        followup.add_note(ctx.store, client, text, author, note_date, kind)
                        st.toast(t("churn.fu.note_added"))
                        st.rerun()
            st.markdown(f"**{t('churn.fu.log')}**")
            log = followup.followup_log(ctx.store, client)
            if log.empty:
                st.caption(t("churn.fu.no_notes"))
            else:
                st.dataframe(followup.log_frame(log, ctx.lang), hide_index=True, width="stretch")
        st.divider()
        st.markdown(f"**{t('churn.fu.board')}**")
        board = followup.export_frame(ctx.store, ctx.lang)
        if board.empty:
            st.caption(t("churn.fu.no_board"))
        else:
            st.dataframe(board, hide_index=True, width="stretch")
            excel_download(t("churn.fu.export"), lambda: {
                t("churn.sheet.followups"): board, t("churn.sheet.notes"): followup.notes_frame(ctx.store, ctx.lang)},
                "churn_followups.xlsx", key="churn_fu_export")

# ---- the backtest
if tab_test.open:
    st.caption(t("churn.bt.intro"))
    b1, b2, b3 = st.columns([1, 1, 1])
    horizon = b2.segmented_control(t("churn.bt.horizon"), backtest.HORIZONS, default=90, key="churn_bt_horizon",
                                   format_func=lambda h: t("churn.bt.days", n=h)) or 90
    latest = backtest.latest_as_of(ctx.data_end, horizon)
    if latest < ctx.bounds.first_day:
        st.info(t("churn.bt.too_short", n=horizon), icon=":material/hourglass_empty:")
    else:
        _within("churn_bt_as_of", ctx.bounds.first_day, latest)
        bt_as_of = b1.date_input(t("churn.bt.as_of"), value=latest, min_value=ctx.bounds.first_day, max_value=latest,
                                 key="churn_bt_as_of")
        top_k = int(b3.number_input(t("churn.bt.top_k"), min_value=1, max_value=1000, value=20, step=5,
                                    key="churn_bt_k"))
        with st.spinner():
            result = backtest.backtest(ctx.store, bt_as_of, horizon, top_k, ctx.level, settings, model, scope)
        if result.eligible == 0:
            st.info(t("churn.bt.no_eligible"))
        else:
            m1, m2, m3, m4 = st.columns(4)
            k_used = result.k_used or top_k
            m1.metric(t("churn.bt.precision", k=k_used), fmt.pct(result.precision))
            m2.metric(t("churn.bt.recall", k=k_used), fmt.pct(result.recall))
            m3.metric(t("churn.bt.base"), fmt.pct(result.base_rate))
            m4.metric(t("churn.bt.lift"), "—" if result.lift is None else f"{result.lift:.1f}×")
            st.caption(t("churn.bt.summary", eligible=result.eligible, unit=UNIT, churned=result.churned, h=horizon,
                         listed=result.listed, k=k_used, hits=result.hits))
            if result.listed:
                st.plotly_chart(charts.backtest_curve(result.curve, result.base_rate, top_k, ctx.lang), width="stretch")
            sheet = backtest.export_frame(result, ctx.lang, ctx.level)
            with st.expander(t("churn.bt.table")):
                shown = sheet.copy()
                for column in (t("churn.col.at_risk"), t("churn.bt.before"), t("churn.bt.after")):
                    shown[column] = [fmt.money(v, ctx.lang) for v in shown[column]]
                st.dataframe(percent_view(shown, [t("churn.col.risk"), t("w.change")]), hide_index=True,
                             width="stretch", column_config={t("churn.col.risk"): percent_column(progress=True),
                                                             t("w.change"): percent_column()})
            excel_download(t("churn.bt.export"), lambda: {t("churn.tab.backtest"): sheet},
                           f"churn_backtest_{bt_as_of}_{horizon}d.xlsx", key="churn_bt_export")

# ---- signal settings
if tab_settings.open:
    st.caption(t("churn.set.intro"))
    editor_key = f"churn_set_editor_{st.session_state.get('churn_set_round', 0)}"
    grid = pd.DataFrame({
        "signal": [t(f"churn.signal.{s}") for s in SIGNALS],
        "measure": [t(f"churn.set.measure.{s}") for s in SIGNALS],
        "weight": [settings.rule(s).weight for s in SIGNALS],
        "threshold": [settings.rule(s).threshold for s in SIGNALS],
        "span": [settings.rule(s).span for s in SIGNALS],
    })
    with st.form("churn_settings_form"):
        edited = st.data_editor(grid, hide_index=True, width="stretch", key=editor_key, disabled=["signal", "measure"],
                                column_config={
                                    "signal": st.column_config.TextColumn(t("churn.set.signal")),
                                    "measure": st.column_config.TextColumn(t("churn.set.measure"), width="large"),
                                    "weight": st.column_config.NumberColumn(t("churn.set.weight"), min_value=0.0,
                                                                            max_value=1.0, step=0.05, format="%.2f"),
                                    "threshold": st.column_config.NumberColumn(t("churn.set.threshold"), min_value=0.0,
                                                                               step=0.05, format="%.2f"),
                                    "span": st.column_config.NumberColumn(t("churn.set.span"), min_value=0.01,
                                                                          step=0.05, format="%.2f")})
        s1, s2 = st.columns(2)
        apply = s1.form_submit_button(t("churn.set.apply"), icon=":material/tune:")
        save = s2.form_submit_button(t("churn.set.save"), icon=":material/save:", type="primary")
    if apply or save:
        try:
            chosen = churn.settings_from_table(edited)
        except ValueError as exc:
            st.error(t("churn.set.invalid", error=exc))
        else:
            if save:
                churn.save_settings(ctx.store, chosen)
                st.session_state.pop("churn_unsaved", None)
                st.toast(t("churn.set.saved"))
            else:
                st.session_state["churn_unsaved"] = chosen
            st.session_state["churn_set_round"] = st.session_state.get("churn_set_round", 0) + 1
            st.rerun()
    if st.button(t("churn.set.reset"), icon=":material/restart_alt:", key="churn_set_reset"):
        st.session_state["churn_unsaved"] = ChurnSettings()
        st.session_state["churn_set_round"] = st.session_state.get("churn_set_round", 0) + 1
        st.rerun()
