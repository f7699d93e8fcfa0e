"""Client profile (客户画像): one client (or group) — figures, tier path, risk, contacts, notes, stakeholders."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from kam_core import fmt, profile, stakeholders
from kam_core.i18n import scope_label
from kam_core.charts.profile import mix_figure, monthly_figure, stakeholder_figure, tier_path_figure
from ui import page_setup
from ui.layout import no_data
from ui.widgets import excel_download, md_plain, unit_picker

ctx = page_setup("profile")
t = ctx.t
st.title(t("nav.profile"))
if no_data(ctx):
    st.stop()

focus = st.session_state.get("prof_focus") or profile.largest_unit(ctx.store, ctx.level, ctx.window.start,
                                                                   ctx.window.end)
key = unit_picker(ctx, t(f"w.{ctx.level}"), key=f"prof_unit_{ctx.level}", default_key=focus)
if key is None:
    st.info(t("prof.no_units"))
    st.stop()
st.session_state["prof_focus"] = key

p = profile.client_profile(ctx.store, key, ctx.level, ctx.window, ctx.bounds.has_profit, ctx.data_end, ctx.lang)
if p is None:
    st.info(t("prof.unknown"))
    st.stop()

f, s = p.facts, p.standing


def _or_dash(value) -> str:
    return "—" if value is None or (isinstance(value, float) and pd.isna(value)) else md_plain(value)


def _tier(tier) -> str:
    return t(f"tier.{tier}") if tier else t("state.inactive")


# ---- who they are
st.subheader(md_plain(p.name), anchor=False)
facts = [f"{t('w.owner')}: {_or_dash(f['owner'])}", f"{t('w.region')}: {_or_dash(f['region'])}",
         f"{t('w.city')}: {_or_dash(f['city'])}", f"{t('w.chain_scope')}: {scope_label(f['chain_scope'], ctx.lang)}",
         f"{t('prof.stores')}: {_or_dash(f['store_count'])}"]
if ctx.level == "group":
    facts.append(f"{t('prof.members')}: {f['members']}")
elif f["group_name"]:
    facts.append(f"{t('w.group')}: {md_plain(f['group_name'])}")
st.caption(" · ".join(facts) + f" · {t('prof.orders_span', first=_or_dash(f['first_order']), last=_or_dash(f['last_order']))}")
st.caption(t("prof.window_note", window=ctx.period_label(ctx.window)))

cols = st.columns(5)
cols[0].metric(t("w.revenue"), fmt.money(s["value"], ctx.lang))
cols[1].metric(t("prof.rank_portfolio"), t("prof.rank_of", rank=s["rank"], n=s["active"]) if s["rank"] else "—",
               help=t("prof.rank_help"))
cols[2].metric(t("prof.share_portfolio"), fmt.pct(s["share"], 1 if s["share"] is None or s["share"] >= 0.001 else 2))
if s["city_rank"]:
    city = md_plain(s["city"])
    cols[3].metric(t("prof.rank_city", city=city), t("prof.rank_of", rank=s["city_rank"], n=s["city_active"]),
                   help=t("prof.share_city_help", share=fmt.pct(s["city_share"], 1), city=city))
else:
    cols[3].metric(t("prof.rank_city_plain"), "—")
cols[4].metric(t("prof.current_tier"), _tier(p.current_tier))
if not s["rank"]:
    st.info(t("prof.inactive_window"))

tab_sales, tab_risk, tab_contacts, tab_people, tab_notes = st.tabs(
    [t("prof.tab.sales"), t("prof.tab.risk"), t("prof.tab.contacts"), t("stk.title"), t("prof.notes")])

# ---- sales: by month, mix
with tab_sales:
    if p.monthly.empty:
        st.info(t("w.empty_window"))
    else:
        st.markdown(f"**{t('prof.monthly')}**")
        st.plotly_chart(monthly_figure(p.monthly, ctx.lang, ctx.bounds.has_profit), width="stretch")
    left, right = st.columns(2)
    for column, frame, title in ((left, p.categories, "prof.mix_category"), (right, p.cities, "prof.mix_city")):
        with column:
            st.markdown(f"**{t(title)}**")
            if frame.empty or frame["item"].isna().all():
                st.caption(t("prof.mix_none"))
            else:
                st.plotly_chart(mix_figure(frame, ctx.lang, t("prof.blank")), width="stretch")
    if p.profit_standing and p.profit_standing["value"]:
        ps = p.profit_standing
        margin = ps["value"] / s["value"] if s["value"] else None
        st.caption(t("prof.profit_line", profit=fmt.money(ps["value"], ctx.lang), margin=fmt.pct(margin),
                     rank=ps["rank"] or "—", n=ps["active"]))
    table = p.monthly.drop(columns=["month_start", "partial"]).rename(columns={
        "month": t("w.period"), "revenue": t("w.revenue"), "profit": t("w.profit"), "lines": t("prof.lines"),
        "orders": t("prof.orders")})
    mix_columns = {"item": t("prof.item"), "revenue": t("w.revenue"), "profit": t("w.profit"),
                   "lines": t("prof.lines"), "share": t("w.share")}
    excel_download(t("w.export_xlsx"), lambda: {
        t("prof.monthly"): table, t("prof.mix_category"): p.categories.rename(columns=mix_columns),
        t("prof.mix_city"): p.cities.rename(columns=mix_columns)},
        file_name=f"profile_{ctx.window.label}.xlsx", key="prof_xlsx")

# ---- tier path, churn signals, follow-up log
with tab_risk:
    st.markdown(f"**{t('prof.tier_path')}**")
    if p.tier_path["tier"].notna().any():
        st.plotly_chart(tier_path_figure(p.tier_path, ctx.lang), width="stretch")
    else:
        st.caption(t("prof.tier_none"))
    st.markdown(f"**{t('prof.signals')}**")
    sig = p.signals
    if sig is None:
        st.caption(t("prof.signals_none"))
    else:
        c1, c2, c3 = st.columns(3)
        c1.metric(t("pack.risk"), fmt.risk(sig["risk"]))
        c2.metric(t("pack.at_risk"), fmt.money(sig["revenue_at_risk"], ctx.lang))
        c3.metric(t("prof.on_watchlist"), t("w.yes") if sig["on_watchlist"] else t("w.no"),
                  help=None if sig["on_watchlist"] or sig["in_ka_scope"] else t("prof.not_ka_scope"))
        if sig["reasons"]:
            for reason in sig["reasons"]:
                st.markdown(f"- {md_plain(reason['text'])}")
        else:
            st.caption(t("prof.no_reasons"))
        st.caption(t("prof.signals_asof", date=sig["as_of"]))
    st.markdown(f"**{t('prof.followups')}**")
    for line in profile.status_lines(p, ctx.lang):
        st.markdown(f"{t('prof.fu_status')}: {md_plain(line)}")
    if p.followups.empty:
        st.caption(t("prof.followups_none"))
    else:
        log = p.followups.assign(kind=[profile.kind_label(k, ctx.lang) for k in p.followups["kind"]])
        st.dataframe(log[["note_date", "kind", "author", "text"]].rename(columns={
            "note_date": t("w.date"), "kind": t("prof.contact_kind"), "author": t("prof.author"),
            "text": t("prof.note_text")}), hide_index=True, width="stretch")

# ---- contacts and saved prepayment scenarios
with tab_contacts:
    st.markdown(f"**{t('prof.contacts')}**")
    if p.service.empty:
        st.caption(t("prof.cadence_none"))
    for line, overdue in profile.cadence_lines(p, ctx.lang):
        if overdue:
            st.warning(md_plain(line), icon=":material/schedule:")
        else:
            st.caption(md_plain(line))
    if p.contacts.empty:
        st.caption(t("prof.contacts_none"))
    else:
        contacts = p.contacts.assign(
            kind=[profile.kind_label(code if isinstance(code, str) else kind, ctx.lang)
                  for code, kind in zip(p.contacts["kind_code"], p.contacts["kind"])],
            source=[t(f"prof.source.{s}") for s in p.contacts["source"]])
        st.dataframe(contacts[["contact_date", "kind", "who", "note", "source"]].rename(columns={
            "contact_date": t("w.date"), "kind": t("prof.contact_kind"), "who": t("prof.contact_who"),
            "note": t("prof.note_text"), "source": t("prof.source")}), hide_index=True, width="stretch")
    st.markdown(f"**{t('prof.scenarios')}**")
    if p.scenarios.empty:
        st.caption(t("prof.scenarios_none"))
    else:
        shown = p.scenarios[["name", "created_at", "stores_now", "stores_target", "term_months", "recommended_advance",
                             "p50"]].copy()
        shown["recommended_advance"] = [fmt.money(v, ctx.lang) for v in shown["recommended_advance"]]
        shown["p50"] = [fmt.money(v, ctx.lang) for v in shown["p50"]]
        st.dataframe(shown.rename(columns={
            "name": t("prof.scenario"), "created_at": t("prof.saved_at"), "stores_now": t("prof.stores_now"),
            "stores_target": t("prof.stores_target"), "term_months": t("prof.term"),
            "recommended_advance": t("prof.advance"), "p50": t("prof.p50")}), hide_index=True, width="stretch")

    st.markdown(f"**{t('prof.advances')}**")
    if p.advances.empty:
        st.caption(t("prof.advances_none"))
    else:
        adv = p.advances
        st.dataframe(pd.DataFrame({
            t("adv.col.id"): adv["advance_id"],
            **({t("adv.col.client"): adv["client"]} if ctx.level == "group" else {}),
            t("adv.col.amount"): [fmt.money(v, ctx.lang) for v in adv["amount"]],
            t("adv.col.start"): adv["start"], t("adv.col.end"): adv["end"],
            t("adv.col.rule"): [t(f"adv.rule.{r}") for r in adv["rule"]],
            t("adv.col.recouped"): [fmt.money(v, ctx.lang) for v in adv["recouped"]],
            t("adv.col.remaining"): [fmt.money(v, ctx.lang) for v in adv["remaining"]],
            t("adv.col.progress"): [fmt.pct(v, 0) for v in adv["progress"]],
            t("adv.col.status"): [t(f"adv.status.{v}") for v in adv["status"]]}), hide_index=True, width="stretch")
        st.caption(t("prof.advances_asof", date=p.as_of))

# ---- stakeholder map
with tab_people:
    st.caption(t("stk.intro"))
    people = p.stakeholders
    if not people.empty:
        st.plotly_chart(stakeholder_figure(people, ctx.lang), width="stretch")
        balance = stakeholders.support_balance(people)
        line = t("stk.balance", people=balance["people"], pro=balance["for"], con=balance["against"],
                 unknown=balance["unknown"])
        if balance["decision_maker_min"] is not None and balance["decision_maker_min"] < 0:
            st.warning(line + " " + t("stk.dm_against"), icon=":material/warning:")
        else:
            st.caption(line)
    edited = st.data_editor(
        people[["stakeholder_id", *stakeholders.EDITABLE]], key=f"stk_editor_{key}", num_rows="dynamic",
        hide_index=True, width="stretch",
        column_config={
            "stakeholder_id": None,
            "name": st.column_config.TextColumn(t("stk.name"), required=True, max_chars=80),
            "title": st.column_config.TextColumn(t("stk.job_title"), max_chars=80),
            "decision_role": st.column_config.SelectboxColumn(
                t("stk.role"), options=list(stakeholders.DECISION_ROLES),
                format_func=lambda r: t(f"stk.role.{r}")),
            "attitude": st.column_config.SelectboxColumn(
                t("stk.attitude"), options=list(stakeholders.ATTITUDES),
                format_func=lambda a: f"{a:+d} {t(f'stk.att.{a}')}"),
            "note": st.column_config.TextColumn(t("stk.note"), max_chars=500),
        })
    if st.button(t("stk.save"), key="stk_save", icon=":material/save:"):
        try:
            n = stakeholders.save_stakeholders(ctx.store, key, edited)
        except stakeholders.InvalidStakeholder as exc:
            st.error(t(f"stk.err.{exc.problem}", row=exc.row))
        else:
            st.toast(t("stk.saved", n=n))
            st.rerun()

# ---- profile notes
with tab_notes:
    notes = p.notes
    with st.form(f"prof_notes_{key}"):
        needs = st.text_area(t("prof.note.needs"), value=notes["needs"] or "", placeholder=t("prof.note.needs_hint"))
        pains = st.text_area(t("prof.note.pain_points"), value=notes["pain_points"] or "",
                             placeholder=t("prof.note.pain_points_hint"))
        rivals = st.text_area(t("prof.note.competitors"), value=notes["competitors"] or "",
                              placeholder=t("prof.note.competitors_hint"))
        if st.form_submit_button(t("w.save"), icon=":material/save:"):
            profile.save_notes(ctx.store, key, needs, pains, rivals)
            st.toast(t("w.saved"))
            st.rerun()
    if notes["updated_at"] is not None:
        st.caption(t("prof.notes_saved_at", when=pd.Timestamp(notes["updated_at"]).strftime("%Y-%m-%d %H:%M")))
