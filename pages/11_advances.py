"""Advance ledger: signed prepayments against the sales that recoup them, month by month."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from kam_core import advances, fmt
from kam_core.charts.advances import ledger_chart, progress_chart
from kam_core.ranks import unit_names
from ui import nav, page_setup
from ui.layout import no_data
from ui.widgets import excel_download, money_column, percent_column, percent_view

ctx = page_setup("advances")
t = ctx.t
st.title(t("adv.title"))
st.caption(t("adv.intro"))
if no_data(ctx):
    st.stop()

RULE_NAMES = {r: t(f"adv.rule.{r}") for r in advances.RULES}
STATUS_NAMES = {s: t(f"adv.status.{s}") for s in advances.STATUSES}

signed = st.session_state.pop("adv_signed", None)
if signed:
    st.success(t("adv.signed", id=signed), icon=":material/check_circle:")

as_of = st.date_input(t("adv.as_of"), value=ctx.data_end, max_value=max(ctx.data_end, dt.date.today()),
                      key="adv_as_of", help=t("adv.as_of_help"))
table = advances.ledger(ctx.store, as_of)


def _money(x) -> str:
    return fmt.money(x, ctx.lang)


def _months(x) -> str:
    return "—" if x is None or pd.isna(x) else f"{x:,.1f}"


def _extension(rule: str, months, projected) -> str:
    """Months of extension (extend rule); 'never' when the current run rate recoups nothing."""
    if rule != "extend" or projected is None or pd.isna(projected):
        return "—"
    return t("adv.never") if pd.isna(months) else _months(months)


def _ledger_display(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        t("adv.col.id"): frame["advance_id"],
        t("adv.col.client"): frame["client"],
        t("adv.col.status"): frame["status"].map(STATUS_NAMES),
        t("adv.col.amount"): frame["amount"].round(2),
        t("adv.col.recouped"): frame["recouped"].round(2),
        t("adv.col.remaining"): frame["remaining"].round(2),
        t("adv.col.progress"): frame["progress"],
        t("adv.col.start"): frame["start"],
        t("adv.col.end"): frame["end"],
        t("adv.col.rule"): frame["rule"].map(RULE_NAMES),
        t("adv.col.rate"): frame["recoup_rate"],
        t("adv.col.run_rate"): frame["run_rate"].round(2),
        t("adv.col.projected"): frame["projected_at_end"].round(2),
        t("adv.col.refund"): frame["refund_due"].round(2),
        t("adv.col.extension"): [_extension(r, x, p) for r, x, p in
                                 zip(frame["rule"], frame["extension_months"], frame["projected_at_end"])],
        t("adv.col.days_left"): frame["days_left"],
        t("adv.col.owner"): frame["owner"].fillna(""),
        t("adv.col.scenario"): [f"#{int(s)}" if s is not None and not pd.isna(s) else "" for s in frame["scenario_id"]],
    })


if table.empty:
    st.info(t("adv.none"), icon=":material/account_balance:")
else:
    m = st.columns(5)
    m[0].metric(t("adv.k.advanced"), _money(table["amount"].sum()), help=t("adv.k.count", n=len(table)))
    m[1].metric(t("adv.k.recouped"), _money(table["recouped"].sum()))
    m[2].metric(t("adv.k.remaining"), _money(table["remaining"].sum()))
    m[3].metric(t("adv.k.attention"), int(table["status"].isin(("behind", "overdue")).sum()))
    m[4].metric(t("adv.k.refund"), _money(table["refund_due"].sum()))

    attention = advances.behind(ctx.store, as_of, ctx.lang)
    st.subheader(t("adv.attention"))
    if attention.empty:
        st.success(t("adv.all_fine"), icon=":material/task_alt:")
    else:
        st.dataframe(pd.DataFrame({
            t("adv.col.id"): attention["advance_id"], t("adv.col.client"): attention["client"],
            t("adv.col.status"): attention["status"].map(STATUS_NAMES),
            t("adv.col.reason"): attention["reason"], t("adv.col.owner"): attention["owner"].fillna(""),
        }), hide_index=True, width="stretch")

    st.subheader(t("adv.ledger"))
    ledger_view = _ledger_display(table)
    st.dataframe(percent_view(ledger_view, [t("adv.col.progress")]), hide_index=True, width="stretch", column_config={
        t("adv.col.progress"): percent_column(progress=True),
        **{t(k): money_column()
           for k in ("adv.col.amount", "adv.col.recouped", "adv.col.remaining", "adv.col.run_rate",
                     "adv.col.projected", "adv.col.refund")}})
    st.plotly_chart(ledger_chart(table, {"title": t("adv.chart.ledger"), "recouped": t("adv.col.recouped"),
                                         "remaining": t("adv.col.remaining"),
                                         **{f"status.{s}": n for s, n in STATUS_NAMES.items()}}, lang=ctx.lang),
                    width="stretch", key="adv_ledger_chart")

    # ---- one advance, month by month
    st.subheader(t("adv.detail"))
    ids = table["advance_id"].tolist()
    by_id = table.set_index("advance_id")
    if signed in ids:
        st.session_state["adv_pick"] = signed
    chosen = st.selectbox(t("adv.pick"), ids, key="adv_pick",
                          format_func=lambda i: t("adv.pick_label", id=i, client=by_id.at[i, "client"],
                                                  amount=_money(by_id.at[i, "amount"])))
    row = by_id.loc[chosen]
    months = advances.progress(ctx.store, int(chosen), as_of)
    d = st.columns(4)
    d[0].metric(t("adv.col.status"), STATUS_NAMES[row["status"]])
    d[1].metric(t("adv.col.recouped"), _money(row["recouped"]), help=fmt.pct(row["progress"]))
    d[2].metric(t("adv.col.run_rate"), _money(row["run_rate"]))
    d[3].metric(t("adv.col.projected"), _money(row["projected_at_end"]))
    if row["start"] > as_of:
        st.info(t("adv.not_started"), icon=":material/schedule:")
    elif row["rule"] == "refund" and row["refund_due"] and row["refund_due"] > 0:
        st.warning(t("adv.d.refund", refund=_money(row["refund_due"])), icon=":material/undo:")
    elif row["rule"] == "extend" and row["status"] in ("behind", "overdue"):
        needed = row["extension_months"]
        st.warning(t("adv.d.never") if pd.isna(needed) else t("adv.d.extension", months=_months(needed)),
                   icon=":material/update:")
    if months["p50"].isna().all():
        st.caption(t("adv.no_fan"))
    st.plotly_chart(progress_chart(months, float(row["amount"]), int(row["term_months"]), {
        "title": f"#{chosen} {row['client']}", "cumulative": t("adv.chart.cumulative"),
        "monthly": t("adv.chart.monthly"), "amount": t("adv.chart.amount"), "fan": t("adv.chart.fan"),
        "p50": t("adv.chart.p50"), "month": t("adv.chart.month"), "term_end": t("adv.chart.term_end")}, ctx.lang),
        width="stretch", key="adv_progress_chart")
    month_view = pd.DataFrame({
        t("adv.col.month"): months["month"], t("adv.col.month_start"): months["month_start"],
        t("adv.col.month_end"): months["month_end"], t("adv.col.in_month"): months["counted"].where(months["started"]),
        t("adv.col.cumulative"): months["cumulative"], "P10": months["p10"], "P50": months["p50"],
        "P90": months["p90"]})
    excel_download(t("adv.export"), {t("adv.sheet.ledger"): ledger_view, t("adv.sheet.months"): month_view},
                   f"advances_{as_of.isoformat()}.xlsx", key="adv_export")
    with st.popover(t("adv.delete", id=chosen), icon=":material/delete:"):
        st.write(t("adv.delete_confirm", id=chosen, client=row["client"], amount=_money(row["amount"])))
        if st.button(t("w.confirm"), type="primary", key="adv_confirm_delete"):
            advances.delete_advance(ctx.store, int(chosen))
            st.toast(t("adv.deleted", id=chosen))
            st.rerun()

# ---- sign a new advance
st.subheader(t("adv.new"))
names = unit_names(ctx.store, "client")
client_keys = sorted(names, key=lambda k: names[k])


def _sign(action, **kwargs) -> None:
    if not kwargs.get("client"):       # never a client picked for the user: an advance is money
        st.error(t("adv.err.pick_client"), icon=":material/error:")
        return
    try:
        new_id = action(ctx.store, **kwargs)
    except advances.UnknownClient:
        st.error(t("adv.err.unknown_client", client=kwargs.get("client") or "—"), icon=":material/error:")
    except ValueError as exc:
        st.error(t("adv.err.bad", error=exc), icon=":material/error:")
    else:
        st.session_state["adv_signed"] = new_id
        st.rerun()


from_scenario, typed = st.tabs([t("adv.tab.scenario"), t("adv.tab.terms")])
with from_scenario:
    saved = advances.saved_scenarios(ctx.store)
    if saved.empty:
        st.info(t("adv.no_scenarios"), icon=":material/payments:")
        if any(p[1] == "nav.prepay" for p in nav.available()):
            st.page_link(nav.script_of("prepay"), label=t("adv.goto_prepay"), icon=":material/payments:")
    else:
        by_scenario = saved.set_index("scenario_id")
        sid = st.selectbox(t("adv.f.scenario"), saved["scenario_id"].tolist(), key="adv_scenario",
                           format_func=lambda i: t("adv.f.scenario_label", id=i, name=by_scenario.at[i, "name"]))
        sc = by_scenario.loc[sid]
        st.caption(t("adv.f.scenario_terms", term=sc["term_months"], rule=RULE_NAMES.get(sc["rule"], sc["rule"]),
                     advice=_money(sc["recommended_advance"]), p50=_money(sc["p50"])))
        with st.form(f"adv_sign_{sid}"):
            c1, c2 = st.columns(2)
            if isinstance(sc["client_key"], str) and sc["client_key"] in names:
                client = sc["client_key"]
                c1.text_input(t("adv.f.client"), value=names[client], disabled=True)
            else:
                client = c1.selectbox(t("adv.f.client"), client_keys, format_func=lambda k: names.get(k, k),
                                      index=None, placeholder=t("adv.f.client_pick"))
            suggested = sc["advance"] if sc["advance"] is not None and not pd.isna(sc["advance"]) \
                else sc["recommended_advance"]
            amount = c2.number_input(t("adv.f.amount"), min_value=0.0, value=float(round(suggested or 0, 2)),
                                     step=100_000.0, format="%.2f")
            c3, c4 = st.columns(2)
            start = c3.date_input(t("adv.f.start"), value=ctx.data_end, key=f"adv_sign_start_{sid}")
            rate = c4.number_input(t("adv.f.rate"), min_value=0.01, max_value=1.0, value=1.0, step=0.05,
                                   help=t("adv.f.rate_help"))
            if st.form_submit_button(t("adv.f.sign"), type="primary", icon=":material/draw:"):
                _sign(advances.sign_scenario, scenario_id=int(sid), start=start, amount=amount, client=client,
                      recoup_rate=rate)

with typed:
    with st.form("adv_terms"):
        c1, c2 = st.columns(2)
        client = c1.selectbox(t("adv.f.client"), client_keys, format_func=lambda k: names.get(k, k),
                              key="adv_terms_client", index=None, placeholder=t("adv.f.client_pick"))
        amount = c2.number_input(t("adv.f.amount"), min_value=0.0, value=1_000_000.0, step=100_000.0,
                                 format="%.2f", key="adv_terms_amount")
        c3, c4, c5, c6 = st.columns(4)
        start = c3.date_input(t("adv.f.start"), value=ctx.data_end, key="adv_terms_start")
        term = c4.number_input(t("adv.f.term"), min_value=1, max_value=advances.MAX_TERM_MONTHS, value=12, step=1,
                               key="adv_terms_term")
        rule = c5.selectbox(t("adv.f.rule"), advances.RULES, format_func=RULE_NAMES.get, key="adv_terms_rule")
        rate = c6.number_input(t("adv.f.rate"), min_value=0.01, max_value=1.0, value=1.0, step=0.05,
                               help=t("adv.f.rate_help"), key="adv_terms_rate")
        note = st.text_input(t("adv.f.note"), key="adv_terms_note")
        if st.form_submit_button(t("adv.f.add"), type="primary", icon=":material/add:"):
            _sign(advances.add_advance, client=client, amount=amount, start=start, term_months=int(term), rule=rule,
                  recoup_rate=rate, note=note)
