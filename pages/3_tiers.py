"""Tiers: who is which tier per period, the cut calibration, who moved (migration), the tier mix
over time and strategic pins."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd
import streamlit as st

from kam_core import fmt, migration, periods, tiers
from kam_core.charts.tiers import cuts_figure, distribution_figure, matrix_styles, sankey_figure, state_label
from kam_core.ranks import MEASURES, TIERS, TierRule
from ui import page_setup
from ui.layout import no_data
from ui.widgets import excel_download, money_column

ctx = page_setup("tiers")
t = ctx.t
st.title(t("tiers.title"))
st.caption(t("tiers.intro"))
if no_data(ctx):
    st.stop()

store, lang, level = ctx.store, ctx.lang, ctx.level
first_day, data_end = ctx.bounds.first_day, ctx.data_end
until = ctx.window.end if ctx.window else data_end


def tier_name(tier) -> str:
    return t(f"tier.{tier}") if isinstance(tier, str) else "—"


def period_text(period: periods.Period) -> str:
    return ctx.period_label(period)


def pct_column(label: str):
    return st.column_config.NumberColumn(label, format="%.1f%%")


# ---------------------------------------------------------------- the rule: period kind, measure, cuts
saved_rule, saved_measure = tiers.saved_rule(store)
top = st.columns([1, 1, 2])
kind = top[0].segmented_control(t("tiers.kind"), list(periods.KINDS), default="quarter", key="tiers_kind",
                                format_func=lambda k: t(f"period.{k}")) or "quarter"
measures = list(MEASURES) if ctx.bounds.has_profit else ["revenue"]
measure = top[1].segmented_control(t("w.measure"), measures, key="tiers_measure",
                                   default=saved_measure if saved_measure in measures else "revenue",
                                   format_func=lambda m: t(f"w.{m}")) or "revenue"
if not ctx.bounds.has_profit:
    top[1].caption(t("tiers.no_profit"))

with top[2].expander(t("tiers.rule"), icon=":material/tune:"):
    mode = st.radio(t("tiers.mode"), ("share", "fixed"), horizontal=True, key="tiers_mode",
                    index=0 if saved_rule.mode == "share" else 1, format_func=lambda m: t(f"tiers.mode.{m}"))
    cols = st.columns(3)
    if mode == "share":
        cuts = [cols[i].number_input(t(f"tiers.cut.{i + 1}"), min_value=1.0, max_value=100.0, step=1.0,
                                     value=float(saved_rule.cuts[i]) * 100, format="%.1f", key=f"tiers_cut_{i}")
                for i in range(3)]
        thresholds = saved_rule.thresholds
    else:
        cuts = [float(c) * 100 for c in saved_rule.cuts]
        thresholds = [cols[i].number_input(t(f"tiers.threshold.{i + 1}"), min_value=0.0, step=10000.0,
                                           value=float(saved_rule.thresholds[i]), format="%.0f", key=f"tiers_thr_{i}")
                      for i in range(3)]
    try:
        rule = TierRule(mode=mode, cuts=tuple(Decimal(str(round(c, 4))) / 100 for c in cuts),
                        thresholds=tuple(Decimal(str(v)) for v in thresholds))
        rule_error = None
    except ValueError:
        rule, rule_error = saved_rule, t("tiers.rule_invalid" if mode == "share" else "tiers.threshold_invalid")
    if rule_error:
        st.error(rule_error, icon=":material/error:")
    is_saved = rule == saved_rule and measure == saved_measure
    st.caption(t("tiers.rule_saved") if is_saved else t("tiers.rule_draft"))
    if st.button(t("tiers.save_rule"), icon=":material/save:", disabled=is_saved or bool(rule_error),
                 key="tiers_save_rule"):
        tiers.save_rule(store, rule, measure)
        st.toast(t("tiers.rule_saved_toast"))
        st.rerun()

span = periods.span(kind, first_day, data_end)
by_label = {p.label: p for p in span}
labels = [p.label for p in reversed(span)]


def period_picker(label: str, default: periods.Period, key: str, options: list[str] | None = None) -> periods.Period:
    options = options or labels
    if st.session_state.get(key) not in options:
        st.session_state[key] = default.label if default.label in options else options[0]
    return by_label[st.selectbox(label, options, key=key, format_func=lambda lab: period_text(by_label[lab]))]



# ---------------------------------------------------------------- the tier list of one period
def show_tier_list() -> None:
    period = period_picker(t("w.period"), tiers.default_period(kind, first_day, data_end, until), f"tiers_period_{kind}")
    table = tiers.tiers_in(store, period, measure, level, rule, data_end)
    if not period.complete(data_end):
        st.caption(t("tiers.partial_note", period=period.label))
    if table.empty:
        st.info(t("tiers.empty_period"), icon=":material/info:")
    else:
        m = st.columns(4)
        total = table["value"].clip(lower=0).sum()
        for i, tier in enumerate(TIERS):
            part = table.loc[table["tier"] == tier]
            m[i].metric(tier_name(tier), t("w.clients_n", n=len(part)),
                        f"{fmt.money(part['value'].sum(), lang)} · {fmt.pct(part['value'].sum() / total if total else 0)}",
                        delta_color="off", delta_arrow="off")
        picked = st.multiselect(t("tiers.filter_tiers"), list(TIERS), key="tiers_filter", format_func=tier_name,
                                placeholder=t("tiers.all_tiers"))
        shown = table if not picked else table.loc[table["tier"].isin(picked)]
        headers = tiers.tier_list_headers(lang, measure, level)
        st.dataframe(tiers.tier_list_frame(shown, lang), hide_index=True, width="stretch", height=420, column_config={
            **headers, "rank": st.column_config.NumberColumn(headers["rank"]),
            "value": money_column(headers["value"]), "share": pct_column(t("w.share")),
            "cum_share": pct_column(t("w.cum_share"))})
        st.caption(t("tiers.pin_legend"))
        excel_download(t("w.export_xlsx"), lambda: tiers.tier_list_sheets(shown, period, lang, measure, level),
                       f"tiers_{period.label}.xlsx", key="tiers_dl_list")

# ---------------------------------------------------------------- calibration: what a cut shift moves
def show_calibration() -> None:
    st.caption(t("tiers.cal.intro"))
    period_c = period_picker(t("w.period"), tiers.default_period(kind, first_day, data_end, until),
                             f"tiers_cal_period_{kind}")
    cal = tiers.calibration(store, period_c, saved_rule, rule, measure, level, data_end)
    if cal.empty:
        st.info(t("tiers.empty_period"), icon=":material/info:")
    else:
        summary = tiers.calibration_summary(cal)
        m = st.columns(3)
        m[0].metric(t("tiers.cal.moved"), t("w.clients_n", n=summary["moved_clients"]))
        m[1].metric(t("tiers.cal.moved_value"), fmt.money(summary["moved_value"], lang),
                    fmt.pct(summary["moved_value_share"]), delta_color="off", delta_arrow="off")
        m[2].metric(t("tiers.cal.ka"), f"{summary['ka_from']} → {summary['ka_to']}")
        if rule == saved_rule:
            st.info(t("tiers.cal.same"), icon=":material/tune:")
        else:
            grid = tiers.calibration_matrix(cal)
            counts = grid.pivot(index="tier_from", columns="tier_to", values="clients").reindex(
                index=list(TIERS), columns=list(TIERS))
            counts.index = [tier_name(x) for x in counts.index]
            counts.columns = [tier_name(x) for x in counts.columns]
            st.markdown(f"**{t('tiers.cal.matrix')}**")
            st.dataframe(counts, width="stretch")
            movers = cal.loc[cal["moved"]]
            st.dataframe(pd.DataFrame({"name": movers["unit_name"], "value": movers["value"],
                                       "from": [tier_name(x) for x in movers["tier_from"]],
                                       "to": [tier_name(x) for x in movers["tier_to"]]}),
                         hide_index=True, width="stretch", column_config={
                             "name": t("w.client"), "value": money_column(t(f"w.{measure}")),
                             "from": t("tiers.cal.saved_tier"), "to": t("tiers.cal.draft_tier")})
        if rule.mode == "share":
            curve_table = tiers.tiers_in(store, period_c, measure, level, rule, data_end)
            st.plotly_chart(cuts_figure(curve_table, rule.cuts, lang), width="stretch", key="tiers_curve")
        st.markdown(f"**{t('tiers.cap.title')}**")
        c = st.columns(2)
        managers = c[0].number_input(t("tiers.cap.managers"), min_value=0, max_value=500, value=5, step=1,
                                     key="tiers_cap_n")
        per = c[1].number_input(t("tiers.cap.per_manager"), min_value=1, max_value=1000, value=10, step=1,
                                key="tiers_cap_m")
        cap = tiers.team_capacity(tiers.tiers_in(store, period_c, measure, level, rule, data_end), int(managers), int(per))
        m = st.columns(3)
        m[0].metric(t("tiers.cap.capacity"), t("w.clients_n", n=cap["capacity"]))
        m[1].metric(t("tiers.cap.ka"), t("w.clients_n", n=cap["ka_count"]))
        m[2].metric(t("tiers.cap.covered"), fmt.pct(cap["covered_share"]))
        st.caption(t("tiers.cap.short", n=cap["gap"], managers=cap["managers_needed"]) if cap["gap"] > 0
                   else t("tiers.cap.fits", n=-cap["gap"]))

# ---------------------------------------------------------------- migration P -> Q
def show_migration() -> None:
    p_default, q_default = migration.default_pair(kind, data_end, until)
    c = st.columns(3)
    with c[0]:
        p = period_picker(t("tiers.mig.from"), p_default, f"tiers_mig_p_{kind}")
    with c[1]:
        q = period_picker(t("tiers.mig.to"), q_default, f"tiers_mig_q_{kind}")
    field = c[2].segmented_control(t("tiers.mig.show"), ["clients", "value_from", "value_to"], default="clients",
                                   key="tiers_mig_field", format_func=lambda f: t(f"tiers.mig.{f}")) or "clients"
    if not p.start < q.start:
        st.warning(t("tiers.mig.order"), icon=":material/swap_horiz:")
    else:
        st.caption(t("tiers.mig.intro", p=period_text(p), q=period_text(q)))
        moves = migration.migration(store, p, q, measure, level, rule)
        grid = migration.matrix(moves)
        table = migration.matrix_table(grid, field)
        table.index = [state_label(s, lang) for s in table.index]
        table.columns = [state_label(s, lang) for s in table.columns]
        st.caption(t("tiers.mig.pick_cell"))
        event = st.dataframe(table.style.apply(lambda _: matrix_styles(table), axis=None), width="stretch",
                             on_select="rerun", selection_mode="single-cell",
                             key="tiers_mig_cells", column_config={
                                 c: (st.column_config.NumberColumn(c) if field == "clients" else money_column(c))
                                 for c in table.columns})
        cells = event.selection.cells if event is not None else []
        row_of = dict(enumerate(migration.FROM_STATES))
        col_of = {state_label(s, lang): s for s in migration.TO_STATES}
        if cells:
            r, col = cells[0]
            from_state, to_state = row_of[int(r)], col_of[col]
        else:
            off = grid.loc[grid["from_state"] != grid["to_state"]].sort_values("clients", ascending=False)
            from_state, to_state = off.iloc[0]["from_state"], off.iloc[0]["to_state"]
        members = migration.cell(moves, from_state, to_state)
        st.markdown(f"**{t('tiers.mig.cell', a=state_label(from_state, lang), b=state_label(to_state, lang), n=len(members))}**")
        headers = migration.moves_headers(p, q, lang, level)
        columns = {**headers, "value_from": money_column(headers["value_from"]),
                   "value_to": money_column(headers["value_to"])}
        if members.empty:
            st.caption(t("tiers.mig.cell_empty"))
        else:
            st.dataframe(migration.moves_frame(members, lang).drop(columns=["from", "to"]), hide_index=True,
                         width="stretch", column_config=columns)

        lists = migration.movement_lists(moves)
        st.subheader(t("tiers.mig.lists"))
        sub = st.tabs([f"{t('tiers.list.' + name)} ({len(lists[name])})" for name in migration.LIST_NAMES])
        for box, name in zip(sub, migration.LIST_NAMES):
            with box:
                st.caption(t(f"tiers.list.{name}.help"))
                frame = lists[name]
                if frame.empty:
                    st.caption(t("tiers.list.none"))
                    continue
                view = migration.moves_frame(frame, lang).drop(columns=["reason"])
                if name == "downgrades":
                    exits = frame["ka_exit"].to_numpy()
                    view = view.style.apply(lambda row: ["background-color: #FBE3E6" if exits[row.name] else ""
                                                         for _ in row], axis=1)
                    st.caption(t("tiers.list.ka_exit_note", n=int(exits.sum())))
                st.dataframe(view, hide_index=True, width="stretch", column_config=columns)
        excel_download(t("tiers.mig.export"), lambda: migration.export_sheets(moves, p, q, lang, level),
                       f"migration_{p.label}_{q.label}.xlsx", key="tiers_dl_mig")

        st.subheader(t("tiers.mig.sankey"))
        before_q = [lab for lab in labels if by_label[lab].start <= q.start]
        n = len(before_q)
        if n > 2:
            n = st.slider(t("tiers.mig.sankey_periods"), min_value=2, max_value=min(8, n), value=min(4, n),
                          key="tiers_sankey_n")
        chain = [by_label[lab] for lab in reversed(before_q[:n])]
        if len(chain) >= 2:
            flows = migration.sankey_flows(migration.matrices(store, tuple(migration.consecutive_pairs(chain)),
                                                              measure, level, rule))
            st.plotly_chart(sankey_figure(flows, lang), width="stretch", key="tiers_sankey")
            st.caption(t("tiers.mig.sankey_note"))

# ---------------------------------------------------------------- the tier mix over time
def show_over_time() -> None:
    dist = tiers.tier_distribution(store, kind, first_day, data_end, measure, level, rule, data_end)
    left, right = st.columns(2)
    left.plotly_chart(distribution_figure(dist, lang, "clients"), width="stretch", key="tiers_dist_clients")
    right.plotly_chart(distribution_figure(dist, lang, "value"), width="stretch", key="tiers_dist_value")
    st.caption(t("tiers.time.partial_note"))
    wide = dist.pivot(index="period", columns="tier", values="clients").reindex(columns=list(TIERS))
    wide.columns = [tier_name(x) for x in wide.columns]
    wide.index = [period_text(by_label[x]) for x in wide.index]
    st.dataframe(wide, width="stretch")

# ---------------------------------------------------------------- strategic pins
def show_pins() -> None:
    st.caption(t("tiers.pins.intro"))
    if level == "group":
        st.info(t("tiers.pins.group_level"), icon=":material/info:")
    names = tiers.client_names(store)
    with st.form("tiers_pin_form", clear_on_submit=True):
        c = st.columns([2, 1])
        client = c[0].selectbox(t("w.client"), list(names), format_func=lambda k: names.get(k, k), index=None,
                                placeholder=t("tiers.pins.pick_client"), key="tiers_pin_client")
        tier = c[1].selectbox(t("w.tier"), list(TIERS), format_func=tier_name, key="tiers_pin_tier")
        c = st.columns([2, 1])
        reason = c[0].text_input(t("tiers.col.reason"), key="tiers_pin_reason", placeholder=t("tiers.pins.reason_hint"))
        who = c[1].text_input(t("tiers.col.by"), key="tiers_pin_who")
        if st.form_submit_button(t("tiers.pins.pin"), icon=":material/push_pin:"):
            if client is None:
                st.error(t("tiers.pins.need_client"), icon=":material/error:")
            elif not reason.strip():
                st.error(t("tiers.pins.need_reason"), icon=":material/error:")
            else:
                try:
                    tiers.pin(store, client, tier, reason, who)
                except ValueError:
                    st.error(t("tiers.pins.unknown"), icon=":material/error:")
                else:
                    st.toast(t("tiers.pins.pinned", name=names.get(client, client), tier=tier_name(tier)))
                    st.rerun()
    current = tiers.pins(store)
    if current.empty:
        st.caption(t("tiers.pins.none"))
    else:
        st.dataframe(pd.DataFrame({
            "name": current["client_name"], "tier": [tiers.tier_label(x, True, lang) for x in current["tier"]],
            "reason": current["reason"], "by": current["created_by"].fillna(""), "at": current["created_at"]}),
            hide_index=True, width="stretch", column_config={
                "name": t("w.client"), "tier": t("w.tier"), "reason": t("tiers.col.reason"), "by": t("tiers.col.by"),
                "at": st.column_config.DatetimeColumn(t("tiers.col.at"), format="YYYY-MM-DD HH:mm")})
        c = st.columns([2, 1])
        pinned_names = dict(zip(current["client_key"], current["client_name"]))
        gone = c[0].selectbox(t("tiers.pins.unpin_pick"), list(pinned_names), format_func=pinned_names.get,
                              key="tiers_unpin_pick")
        c[1].write("")
        if c[1].button(t("tiers.pins.unpin"), icon=":material/remove_circle:", key="tiers_unpin"):
            tiers.unpin(store, gone)
            st.toast(t("tiers.pins.unpinned", name=pinned_names[gone]))
            st.rerun()


# Only the open tab runs (a switch reruns the page), so a widget change recomputes one view.
SECTIONS = [("tiers.tab.list", show_tier_list), ("tiers.tab.calibration", show_calibration),
            ("tiers.tab.migration", show_migration), ("tiers.tab.time", show_over_time), ("tiers.tab.pins", show_pins)]
containers = st.tabs([t(key) for key, _ in SECTIONS], key="tiers_tab", on_change="rerun")
for container, (_, show) in zip(containers, SECTIONS):
    if container.open:
        with container:
            show()
