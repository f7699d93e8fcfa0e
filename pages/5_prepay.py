"""Prepayment sizing (预付款测算): the inputs (the example case, a chain's history, a
saved scenario; all editable) -> the model -> fans, the advance, its exposure and
the sensitivity; the expanding chains in the data; saved scenarios side by side."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from kam_core import fmt, prepay, prepay_data, scenarios
from kam_core.charts import prepay as charts
from kam_core.prepay import SEED_CASE, PrepayInputs
from ui import page_setup
from ui.widgets import excel_download

ctx = page_setup("prepay")
t = ctx.t
store = ctx.store
st.title(t("pp.title"))
st.caption(t("pp.intro"))

# ---------------------------------------------------------------- input state

# Model field -> widget key. Rates are shown in percent.
KEYS = {name: f"pp_{name}" for name in (
    "stores_now", "stores_target", "term_months", "schedule", "ramp_start", "ramp_months", "delay_prob",
    "delay_months", "store_monthly_sales", "sales_cv", "channel_share", "share_cv", "commission",
    "cost_of_capital", "rule", "probability", "paths", "seed")}
PERCENT = {"ramp_start", "delay_prob", "sales_cv", "channel_share", "share_cv", "commission", "cost_of_capital",
           "probability"}
ADVANCE_KEY = "pp_advance"
# Widget state is dropped while another view or page is shown; this copy brings it back.
MIRROR = "pp_mirror"


def _put(inputs: PrepayInputs, source: dict, advance: float | None = None) -> None:
    """Load a whole set of inputs into the widgets (from a button's callback or before they are drawn)."""
    for name, key in KEYS.items():
        value = getattr(inputs, name)
        st.session_state[key] = round(value * 100, 4) if name in PERCENT else value
    st.session_state[ADVANCE_KEY] = advance
    st.session_state["pp_table_base"] = list(prepay.opening_counts(inputs))
    st.session_state["pp_table_version"] = st.session_state.get("pp_table_version", 0) + 1
    st.session_state["pp_source"] = source
    st.session_state[MIRROR] = {k: st.session_state[k] for k in [*KEYS.values(), ADVANCE_KEY]}


def _read() -> PrepayInputs:
    """The inputs as the widgets hold them (ValueError when they do not make a valid case)."""
    values = {name: st.session_state[key] for name, key in KEYS.items()}
    for name in PERCENT:
        values[name] = float(values[name]) / 100
    if values["schedule"] == "table":
        values["month_table"] = st.session_state.get("pp_table")
    return PrepayInputs(**values)


def _current_or_seed() -> PrepayInputs:
    try:
        return _read()
    except (KeyError, ValueError, TypeError):
        return SEED_CASE


def _load_seed() -> None:
    _put(SEED_CASE, {"kind": "seed"})


def _prefill(client_key: str | None) -> None:
    if not client_key:
        return
    found = prepay_data.prefill(store, client_key)
    if found is None:
        st.session_state["pp_flash"] = ("error", t("pp.unknown_client", client=client_key))
        return
    st.session_state["pp_client"] = client_key
    _put(found.inputs(_current_or_seed()), {"kind": "client", "client_key": client_key})


def _prefill_picked() -> None:
    _prefill(st.session_state.get("pp_client"))


def _open_candidate() -> None:
    _prefill(st.session_state.get("pp_cand_pick"))
    st.session_state["pp_view"] = "sizing"


def _load_scenario(scenario_id: int) -> None:
    s = scenarios.get(store, scenario_id)
    _put(s["inputs"], {"kind": "scenario", "name": s["name"], "client_key": s["client_key"]},
         advance=s["results"].get("advance"))
    st.session_state["pp_view"] = "sizing"
    st.session_state["pp_flash"] = ("success", t("pp.sc.loaded", name=s["name"]))


if MIRROR not in st.session_state:
    _load_seed()
for key, value in st.session_state[MIRROR].items():
    if key not in st.session_state:
        st.session_state[key] = value

# A link from another page (?client=KEY) opens the page prefilled, once per link.
linked = st.query_params.get("client")
if linked and st.session_state.get("pp_linked") != linked and not ctx.empty:
    st.session_state["pp_linked"] = linked
    _prefill(linked)

if "pp_flash" in st.session_state:
    kind, message = st.session_state.pop("pp_flash")
    (st.success if kind == "success" else st.error)(message)

views = ["sizing", "candidates", "scenarios"]
st.session_state.setdefault("pp_view", "sizing")
view = st.segmented_control(t("pp.view"), views, key="pp_view", required=True, label_visibility="collapsed",
                            format_func=lambda v: t(f"pp.view.{v}"))


# ---------------------------------------------------------------- sizing


def _source_row() -> str | None:
    """Example / client pickers; returns the client the inputs came from, if any."""
    source = st.session_state.get("pp_source", {"kind": "seed"})
    if ctx.empty:
        st.info(t("pp.no_data_prefill"), icon=":material/info:")
        st.button(t("pp.seed"), on_click=_load_seed, icon=":material/restart_alt:")
    else:
        chains = prepay_data.chains(store)
        names = dict(zip(chains["client_key"], chains["client_name"]))
        if st.session_state.get("pp_client") not in names:
            st.session_state["pp_client"] = None
        pick, fill, seed = st.columns([3, 1.2, 1.6], vertical_alignment="bottom")
        pick.selectbox(t("pp.client"), list(names), key="pp_client", format_func=names.get,
                       placeholder=t("pp.client"))
        fill.button(t("pp.prefill"), on_click=_prefill_picked, icon=":material/history:",
                    disabled=not st.session_state.get("pp_client"), width="stretch")
        seed.button(t("pp.seed"), on_click=_load_seed, icon=":material/restart_alt:", width="stretch")
    if source["kind"] == "seed":
        st.caption(t("pp.source.seed"))
    elif source["kind"] == "scenario":
        st.caption(t("pp.source.scenario", name=source["name"]))
    if ctx.level == "group":
        st.caption(t("pp.level_note"))
    return source.get("client_key")


def _history_panel(found: prepay_data.Prefill, inputs: PrepayInputs) -> None:
    st.caption(t("pp.source.client", client=found.client_name, as_of=found.as_of))
    with st.expander(t("pp.hist.title", client=found.client_name), expanded=True, icon=":material/history:"):
        c1, c2, c3, c4 = st.columns(4)
        c1.metric(t("pp.hist.stores_now"), fmt.number(found.stores_now),
                  help=t(f"pp.hist.source.{found.stores_source}") if found.stores_source else None)
        c2.metric(t("pp.hist.stores_year_ago"), fmt.number(found.stores_year_ago),
                  delta=None if found.new_stores_per_year is None else t("pp.hist.new_per_year",
                                                                           n=found.new_stores_per_year))
        c3.metric(t("pp.hist.per_store"), fmt.money(found.channel_sales_per_store, ctx.lang),
                  help=t("pp.hist.per_store_help", n=found.months_used))
        c4.metric(t("pp.hist.revenue_t12m"), fmt.money(found.revenue_t12m, ctx.lang),
                  delta=None if found.revenue_growth is None else fmt.pct(found.revenue_growth, signed=True))
        if found.stores_now is None:
            st.warning(t("pp.hist.no_stores"), icon=":material/storefront:")
        elif found.stores_year_ago is None:
            st.warning(t("pp.hist.no_year_ago"), icon=":material/storefront:")
        else:
            st.caption(t("pp.hist.target_note", now=found.stores_now, per_year=found.new_stores_per_year,
                         term=inputs.term_months))
        if found.channel_sales_per_store is None and not found.revenue_t12m:
            st.warning(t("pp.hist.no_sales"), icon=":material/info:")
        if found.sales_cv is not None:
            st.caption(t("pp.hist.cv_note", monthly=fmt.pct(found.monthly_cv), n=found.months_used,
                         cv=fmt.pct(found.sales_cv)))
        st.info(t("pp.hist.share_note"), icon=":material/pie_chart:")
        st.plotly_chart(charts.history_figure(found.history, ctx.lang), width="stretch")


def _percent_slider(name: str, lo: float, hi: float, step: float) -> None:
    # A loaded scenario may hold a value outside the usual range: the range widens to it.
    value = float(st.session_state[KEYS[name]])
    st.slider(t(f"pp.in.{name}"), min(lo, value), max(hi, value), step=step, key=KEYS[name],
              format="%.1f%%" if step < 1 else "%.0f%%")


def _inputs_panel() -> None:
    with st.container(border=True):
        st.markdown(f"**{t('pp.sec.chain')}**")
        a, b = st.columns(2)
        a.number_input(t("pp.in.stores_now"), min_value=0, step=1, key=KEYS["stores_now"])
        b.number_input(t("pp.in.stores_target"), min_value=0, step=1, key=KEYS["stores_target"])
        st.number_input(t("pp.in.term_months"), min_value=1, max_value=prepay.MAX_TERM_MONTHS, step=1,
                        key=KEYS["term_months"])
        st.segmented_control(t("pp.in.schedule"), list(prepay.SCHEDULES), key=KEYS["schedule"], required=True,
                             format_func=lambda v: t(f"pp.schedule.{v}"))
        if st.session_state[KEYS["schedule"]] == "table":
            _month_table()
        _percent_slider("ramp_start", 0.0, 100.0, 5.0)
        st.number_input(t("pp.in.ramp_months"), min_value=0, step=1, key=KEYS["ramp_months"])
        a, b = st.columns(2)
        with a:
            _percent_slider("delay_prob", 0.0, 100.0, 5.0)
        b.number_input(t("pp.in.delay_months"), min_value=0, step=1, key=KEYS["delay_months"])
    with st.container(border=True):
        st.markdown(f"**{t('pp.sec.sales')}**")
        st.number_input(t("pp.in.store_monthly_sales"), min_value=0.0, step=10_000.0, format="%.0f",
                        key=KEYS["store_monthly_sales"])
        _percent_slider("sales_cv", 0.0, 100.0, 1.0)
        _percent_slider("channel_share", 0.0, 100.0, 0.5)
        _percent_slider("share_cv", 0.0, 100.0, 1.0)
        sales = st.session_state[KEYS["store_monthly_sales"]]
        share = st.session_state[KEYS["channel_share"]] / 100
        st.caption(t("pp.in.per_store_hint", sales=fmt.money(sales, ctx.lang), share=fmt.pct(share),
                     amount=fmt.money(sales * share, ctx.lang)))
    with st.container(border=True):
        st.markdown(f"**{t('pp.sec.deal')}**")
        st.radio(t("pp.in.rule"), list(prepay.RULES), key=KEYS["rule"], format_func=lambda v: t(f"pp.rule.{v}"))
        _percent_slider("probability", 50.0, 99.0, 1.0)
        a, b = st.columns(2)
        a.number_input(t("pp.in.commission"), min_value=0.0, max_value=100.0, step=0.5, format="%.1f",
                       key=KEYS["commission"])
        b.number_input(t("pp.in.cost_of_capital"), min_value=0.0, step=0.5, format="%.1f",
                       key=KEYS["cost_of_capital"])
        st.number_input(t("pp.in.advance"), min_value=0.0, step=1_000_000.0, format="%.0f", key=ADVANCE_KEY,
                        help=t("pp.in.advance_help"), placeholder="—")
    with st.expander(t("pp.sec.sim")):
        st.number_input(t("pp.in.paths"), min_value=1, max_value=prepay.MAX_PATHS, step=1000, key=KEYS["paths"])
        st.number_input(t("pp.in.seed"), min_value=0, step=1, key=KEYS["seed"])


def _month_table() -> None:
    """New stores per month, edited as a table; its total must match the growth."""
    term = int(st.session_state[KEYS["term_months"]])
    need = max(0, int(st.session_state[KEYS["stores_target"]]) - int(st.session_state[KEYS["stores_now"]]))
    base = st.session_state.get("pp_table_base") or []
    if len(base) != term:
        base = list(prepay.opening_counts(PrepayInputs(stores_now=0, stores_target=need, term_months=term)))
        st.session_state["pp_table_base"] = base
    frame = pd.DataFrame({"month": range(1, term + 1), "new": base})
    edited = st.data_editor(
        frame, key=f"pp_table_editor_{st.session_state.get('pp_table_version', 0)}_{term}", hide_index=True,
        num_rows="fixed", disabled=["month"], height=min(38 * term + 40, 330),
        column_config={"month": st.column_config.NumberColumn(t("pp.col.month"), format="%d"),
                       "new": st.column_config.NumberColumn(t("pp.col.new_stores"), min_value=0, step=1,
                                                            format="%d")})
    table = tuple(int(v) for v in edited["new"].fillna(0))
    st.session_state["pp_table"] = table
    st.caption(t("pp.table_status", table=sum(table), need=need))


def _check(now: int, target: int, schedule: str) -> str | None:
    """A sentence for inputs the model refuses, in the page's language."""
    if target < now:
        return t("pp.err.target_below", target=target, now=now)
    table = st.session_state.get("pp_table") or ()
    if schedule == "table" and sum(table) != target - now:
        return t("pp.err.table_sum", table=sum(table), now=now, target=target, need=target - now)
    return None


def _results(inputs: PrepayInputs, advance: float | None, client_key: str | None, client_name: str | None) -> None:
    summary = prepay.evaluate(inputs, advance)
    f = summary["forecast"]
    p = fmt.pct(inputs.probability, 0)
    help_p = t("pp.out.p_help", n=inputs.paths)
    c = st.columns(2)
    c[0].metric(t("pp.out.recommended"), fmt.money(summary["recommended_advance"], ctx.lang, digits=0),
                delta=t("pp.out.confidence", p=p), delta_color="off", delta_arrow="off",
                help=t("pp.out.recommended_help", q=fmt.pct(1 - inputs.probability, 0), p=p), border=True)
    # P50 with the P10-P90 range under it: four large figures side by side do not fit a projector's width
    c[1].metric(t("pp.out.p50"), fmt.money(f["p50"], ctx.lang, digits=0), help=help_p, border=True,
                delta=t("pp.out.range", p10=fmt.money(f["p10"], ctx.lang, digits=0),
                        p90=fmt.money(f["p90"], ctx.lang, digits=0)), delta_color="off", delta_arrow="off")

    if advance is None:
        st.info(t("pp.out.advance_hint"), icon=":material/edit:")
    else:
        with st.container(border=True):
            title = t("pp.out.advance_title", amount=fmt.money(advance, ctx.lang), rule=t(f"pp.rule.{inputs.rule}"))
            st.markdown(f"**{title}**")
            c = st.columns(3)
            gap = advance - summary["recommended_advance"]
            c[0].metric(t("pp.out.recoup_probability"), fmt.pct(summary["recoup_probability"]),
                        delta=t("pp.out.versus", amount=fmt.money(abs(gap), ctx.lang),
                                dir=t("pp.out.above" if gap > 0 else "pp.out.below")),
                        delta_color="inverse" if gap > 0 else "normal", delta_arrow="off")
            c[1].metric(t("pp.out.expected_shortfall"), fmt.money(summary["expected_shortfall"], ctx.lang))
            c[2].metric(t("pp.out.expected_extra_months"), fmt.number(summary["expected_extra_months"], 2))
            c = st.columns(3)
            c[0].metric(t("pp.out.financing_cost"), fmt.money(summary["financing_cost"], ctx.lang))
            c[1].metric(t("pp.out.deal_margin"), fmt.money(summary["deal_margin"], ctx.lang))
            if summary["extra_months_capped_paths"]:
                st.caption(t("pp.out.capped", n=summary["extra_months_capped_paths"]))

    st.plotly_chart(charts.cumulative_figure(summary["cumulative_fan"], ctx.lang, advance=advance,
                                             recommended=summary["recommended_advance"]), width="stretch")
    st.plotly_chart(charts.monthly_fan_figure(summary["monthly_fan"], ctx.lang), width="stretch")

    st.subheader(t("pp.sens.title"))
    st.caption(t("pp.sens.caption"))
    rows = prepay.cached_sensitivity(inputs, advance)
    st.plotly_chart(charts.tornado_figure(rows, ctx.lang), width="stretch")

    with st.container(border=True):
        st.markdown(f"**{t('pp.save.title')}**")
        default = t("pp.save.default", client=client_name or t("pp.save.example"), stores_now=inputs.stores_now,
                    stores_target=inputs.stores_target, term=inputs.term_months)
        name_col, save_col = st.columns([3, 1], vertical_alignment="bottom")
        default = default[:scenarios.MAX_NAME]
        name = name_col.text_input(t("pp.save.name"), key="pp_save_name", placeholder=default,
                                   max_chars=scenarios.MAX_NAME)
        if save_col.button(t("pp.save.button"), icon=":material/save:", type="primary", width="stretch"):
            scenario_id = scenarios.save(store, (name or "").strip() or default, inputs, summary, client_key=client_key)
            st.success(t("pp.save.done", id=scenario_id), icon=":material/check_circle:")
        excel_download(t("pp.export_current"),
                       scenarios.current_sheets(inputs, summary, rows, ctx.lang, client_name=client_name),
                       file_name="prepayment.xlsx", key="pp_export_current")


def sizing_view() -> None:
    client_key = _source_row()
    found = prepay_data.prefill(store, client_key) if client_key and not ctx.empty else None
    if found is not None and st.session_state.get("pp_source", {}).get("kind") == "client":
        _history_panel(found, _current_or_seed())
    left, right = st.columns([1, 2.1], gap="large")
    with left:
        _inputs_panel()
    st.session_state[MIRROR] = {k: st.session_state[k] for k in [*KEYS.values(), ADVANCE_KEY] if k in st.session_state}
    with right:
        problem = _check(int(st.session_state[KEYS["stores_now"]]), int(st.session_state[KEYS["stores_target"]]),
                         st.session_state[KEYS["schedule"]])
        if problem:
            st.error(problem, icon=":material/error:")
            return
        try:
            inputs = _read()
        except ValueError as exc:
            st.error(t("pp.err.invalid", msg=exc), icon=":material/error:")
            return
        advance = st.session_state.get(ADVANCE_KEY)
        _results(inputs, None if advance is None else float(advance), client_key,
                 found.client_name if found is not None else None)


# ---------------------------------------------------------------- expanding chains


def candidates_view() -> None:
    if ctx.empty:
        st.info(t("pp.no_data_prefill"), icon=":material/info:")
        return
    frame = prepay_data.candidates(store)
    if frame.empty:
        st.info(t("pp.cand.empty"), icon=":material/storefront:")
        return
    st.caption(t("pp.cand.intro", as_of=ctx.data_end))
    divisor, unit = charts.table_scale(ctx.lang)
    signals = [" · ".join(t(f"pp.signal.{k}") for k, on in (("stores", s), ("revenue", r)) if on)
               for s, r in zip(frame["by_stores"], frame["by_revenue"])]
    table = pd.DataFrame({
        t("pp.col.client"): frame["client_name"],
        t("pp.col.signal"): signals,
        t("pp.col.chain_scope"): [t(f"scope.{s}") if s and not pd.isna(s) else "—" for s in frame["chain_scope"]],
        t("pp.col.owner"): frame["owner"].fillna("—"),
        t("pp.col.stores_year_ago"): frame["stores_year_ago"],
        t("pp.col.stores_now"): frame["stores_now"],
        t("pp.col.stores_added"): frame["new_stores"],
        t("pp.col.store_growth"): [None if pd.isna(g) else g * 100 for g in frame["store_growth"]],
        t("pp.col.revenue_prev12m", unit=unit): (frame["revenue_prev12m"] / divisor).round(2),
        t("pp.col.revenue_t12m", unit=unit): (frame["revenue_t12m"] / divisor).round(2),
        t("pp.col.revenue_growth"): [None if pd.isna(g) else g * 100 for g in frame["revenue_growth"]],
    })
    percent = st.column_config.NumberColumn(format="%.1f%%")
    st.markdown(f"**{t('pp.cand.count', n=len(frame))}**")
    st.dataframe(table, hide_index=True, width="stretch", height=min(35 * (len(table) + 1) + 3, 520), placeholder="—",
                 column_config={t("pp.col.store_growth"): percent, t("pp.col.revenue_growth"): percent})
    names = dict(zip(frame["client_key"], frame["client_name"]))
    if st.session_state.get("pp_cand_pick") not in names:
        st.session_state["pp_cand_pick"] = next(iter(names))
    pick, go = st.columns([3, 2], vertical_alignment="bottom")
    pick.selectbox(t("pp.cand.pick"), list(names), key="pp_cand_pick", format_func=names.get)
    go.button(t("pp.cand.open"), on_click=_open_candidate, icon=":material/payments:", type="primary",
              width="stretch")


# ---------------------------------------------------------------- saved scenarios


def scenarios_view() -> None:
    st.caption(t("pp.sc.intro"))
    every = scenarios.list_scenarios(store)
    if every.empty:
        st.info(t("pp.sc.empty"), icon=":material/bookmark:")
        return
    clients = {k: n for k, n in zip(every["client_key"], every["client_name"]) if k is not None and not pd.isna(k)}
    options = [None, *clients]
    if st.session_state.get("pp_sc_client") not in options:
        st.session_state["pp_sc_client"] = None
    chosen_client = st.selectbox(t("pp.sc.filter"), options, key="pp_sc_client",
                                 format_func=lambda k: t("pp.sc.all") if k is None else clients[k])
    listed = every if chosen_client is None else scenarios.list_scenarios(store, chosen_client)
    divisor, unit = charts.table_scale(ctx.lang)
    table = pd.DataFrame({
        t("pp.col.id"): listed["scenario_id"],
        t("pp.col.name"): listed["name"],
        t("pp.col.client"): listed["client_name"].fillna(t("pp.sc.none_client")),
        t("pp.col.stores"): [f"{a} → {b}" for a, b in zip(listed["stores_now"], listed["stores_target"])],
        t("pp.col.term"): listed["term_months"],
        t("pp.col.p50", unit=unit): (listed["p50"] / divisor).round(2),
        t("pp.col.recommended", unit=unit): (listed["recommended_advance"] / divisor).round(2),
        t("pp.col.advance", unit=unit): (listed["advance"] / divisor).round(2),
        t("pp.col.recoup"): listed["recoup_probability"] * 100,
        t("pp.col.created"): listed["created_at"].dt.strftime("%Y-%m-%d %H:%M"),
        t("pp.col.version"): listed["data_version"],
    })
    st.dataframe(table, hide_index=True, width="stretch", placeholder="—",
                 column_config={t("pp.col.recoup"): st.column_config.NumberColumn(format="%.1f%%")})

    ids = [int(i) for i in listed["scenario_id"]]
    labels = {int(i): f"#{i} {n}" for i, n in zip(listed["scenario_id"], listed["name"])}
    kept = [i for i in st.session_state.get("pp_compare", []) if i in labels]
    st.session_state["pp_compare"] = kept if "pp_compare" in st.session_state else ids[:3]
    chosen = st.multiselect(t("pp.sc.compare"), ids, key="pp_compare", format_func=labels.get,
                            placeholder=t("w.choose"))
    if not chosen:
        st.caption(t("pp.sc.pick_hint"))
    else:
        frame = scenarios.compare(store, chosen)
        side = scenarios.side_by_side(frame, ctx.lang)
        st.dataframe(side, hide_index=True, width="stretch", height=35 * (len(side) + 1) + 3)
        recommended = dict(zip(frame["scenario_id"], frame["recommended_advance"]))
        st.plotly_chart(charts.compare_figure(scenarios.fans(store, chosen), recommended, ctx.lang), width="stretch")
        excel_download(t("pp.sc.export"), scenarios.export_sheets(store, chosen, ctx.lang),
                       file_name="prepayment_scenarios.xlsx", key="pp_export_scenarios")

    load_col, delete_col = st.columns(2)
    with load_col.container(border=True):
        target = st.selectbox(t("pp.sc.load"), ids, key="pp_sc_load", format_func=labels.get)
        st.button(t("pp.sc.load"), on_click=_load_scenario, args=(target,), icon=":material/upload:",
                  key="pp_sc_load_button")
    with delete_col.container(border=True):
        victim = st.selectbox(t("pp.sc.delete"), ids, key="pp_sc_delete", format_func=labels.get)
        with st.popover(t("w.delete"), icon=":material/delete:"):
            st.write(t("pp.sc.delete_confirm", id=victim, name=labels[victim].split(" ", 1)[1]))
            if st.button(t("w.confirm"), type="primary", key="pp_sc_delete_confirm"):
                try:
                    scenarios.delete(store, victim)
                except scenarios.ScenarioInUse as exc:
                    st.error(t("pp.sc.in_use", id=victim, advances=", ".join(map(str, exc.advance_ids))))
                else:
                    st.session_state["pp_flash"] = ("success", t("pp.sc.deleted", id=victim))
                    st.rerun()


{"sizing": sizing_view, "candidates": candidates_view, "scenarios": scenarios_view}[view or "sizing"]()
