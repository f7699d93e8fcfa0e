"""Meeting mode (经营分析会): choose a list, see the agenda, walk the clients one per screen, record
decisions in the follow-up log, and export the meeting pack (HTML + Excel)."""
from __future__ import annotations

import datetime as dt
import html

import streamlit as st

from kam_core import fmt, pack, profile
from kam_core.charts.profile import monthly_figure
from kam_core.i18n import scope_label
from kam_core.pack_html import render_html
from kam_core.pack_xlsx import render_xlsx
from kam_core.ranks import TIERS, unit_names
from ui import page_setup
from ui.layout import no_data
from ui.widgets import md_plain

ctx = page_setup("meeting")
t = ctx.t
st.title(t("nav.meeting"))
if no_data(ctx):
    st.stop()

as_of = pack.as_of_for(ctx.window, ctx.data_end)
names = unit_names(ctx.store, ctx.level)
state = st.session_state
state.setdefault("mtg_drafts", {})


def _tier(tier) -> str:
    return t(f"tier.{tier}") if isinstance(tier, str) and tier else t("state.inactive")


def _go(position: int | None) -> None:
    state["mtg_pos"] = position


# ------------------------------------------------------------------ presenting: one client per screen

def _present(keys: list[str]) -> None:
    st.markdown("""<style>
      .kam-meet-name { font-size: 3rem; font-weight: 700; line-height: 1.15; margin: .2rem 0 .6rem; }
      .kam-meet-sub { font-size: 1.35rem; color: #5d6b7c; margin-bottom: 1rem; }
      .kam-meet-reason { font-size: 1.35rem; margin: .25rem 0; color: #D1495B; }
      [data-testid="stMetricValue"] { font-size: 2.6rem; }
      [data-testid="stMetricLabel"] p { font-size: 1.15rem; }
    </style>""", unsafe_allow_html=True)
    position = min(max(int(state.get("mtg_pos") or 0), 0), len(keys) - 1)
    key = keys[position]
    # one row sized to its buttons (labels and their key hints never cut); the arrow keys page
    # through the clients, as in a slide show
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button(t("mtg.back_to_agenda"), icon=":material/list:", on_click=_go, args=(None,), key="mtg_back",
                  shortcut="Esc")
        st.markdown(f"**{position + 1} / {len(keys)}**", width="content")
        st.space("stretch")
        st.button(t("mtg.prev"), icon=":material/arrow_back:", on_click=_go, args=(position - 1,),
                  disabled=position == 0, key="mtg_prev", shortcut="Left")
        st.button(t("mtg.next"), icon=":material/arrow_forward:", on_click=_go, args=(position + 1,),
                  disabled=position >= len(keys) - 1, key="mtg_next", shortcut="Right")

    row = pack.agenda(ctx.store, tuple(keys), ctx.level, ctx.window, ctx.data_end, ctx.lang).iloc[position]
    p = profile.client_profile(ctx.store, key, ctx.level, ctx.window, ctx.bounds.has_profit, ctx.data_end,
                               ctx.lang, as_of)
    if p is None:
        st.info(t("prof.unknown"))
        return
    facts = [v for v in (p.facts["owner"], p.facts["city"]) if v]
    if p.facts["chain_scope"]:
        facts.append(scope_label(p.facts["chain_scope"], ctx.lang))
    if p.facts["store_count"]:
        facts.append(t("mtg.stores_n", n=p.facts["store_count"]))
    st.html(f"<div class='kam-meet-name'>{html.escape(p.name)}</div>"
            f"<div class='kam-meet-sub'>{html.escape(' · '.join(map(str, facts)))}</div>")
    m = st.columns(4)
    change = row["change"]
    m[0].metric(t("w.revenue"), fmt.money(row["revenue"], ctx.lang),
                None if change is None or change != change else fmt.pct(change, signed=True))
    m[1].metric(t("w.tier"), _tier(row["tier"]))
    m[2].metric(t("pack.risk"), fmt.risk(row["risk"]))
    s = p.standing
    m[3].metric(t("prof.rank_portfolio"), t("prof.rank_of", rank=s["rank"], n=s["active"]) if s["rank"] else "—")
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(monthly_figure(p.monthly, ctx.lang, ctx.bounds.has_profit, height=340), width="stretch",
                        key=f"mtg_chart_{key}")
    with right:
        reasons = (p.signals or {}).get("reasons", [])
        if reasons:
            st.html("".join(f"<div class='kam-meet-reason'>• {html.escape(r['text'])}</div>" for r in reasons))
        else:
            st.markdown(f"### {t('prof.no_reasons')}")
        for field in ("needs", "pain_points", "competitors"):
            if p.notes[field]:
                st.markdown(f"**{t(f'prof.note.{field}')}**: {md_plain(p.notes[field])}")
        for line in profile.status_lines(p, ctx.lang):
            st.markdown(f"**{t('prof.fu_status')}**: {md_plain(line)}")
        for line, late in profile.cadence_lines(p, ctx.lang) + profile.advance_lines(p, ctx.lang):
            if late:
                st.warning(md_plain(line))
            else:
                st.caption(md_plain(line))
    st.divider()
    st.markdown(f"#### {t('mtg.decisions')}")
    draft_key = f"mtg_note_{key}"

    def _keep_draft() -> None:
        state["mtg_drafts"][key] = state.get(draft_key, "")

    text = st.text_area(t("mtg.note_label"), value=state["mtg_drafts"].get(key, ""), key=draft_key,
                        on_change=_keep_draft, height=120, placeholder=t("mtg.note_hint"))
    if st.button(t("mtg.save_decision"), type="primary", icon=":material/save:", key="mtg_save"):
        try:
            pack.save_decision(ctx.store, key, ctx.level, text, state.get("mtg_author") or None, dt.date.today())
        except ValueError:
            st.warning(t("mtg.note_empty"))
        else:
            state["mtg_drafts"].pop(key, None)
            state.pop(draft_key, None)
            st.toast(t("mtg.saved"))
            st.rerun()
    decided = p.followups[p.followups["kind"] == "meeting"]
    if not decided.empty:
        st.caption(t("mtg.recorded"))
        st.dataframe(decided[["note_date", "author", "text"]].rename(columns={
            "note_date": t("w.date"), "author": t("prof.author"), "text": t("prof.note_text")}),
            hide_index=True, width="stretch")


# ------------------------------------------------------------------ setting up: list, agenda, pack

if state.get("mtg_pos") is not None and state.get("mtg_keys"):
    _present(list(state["mtg_keys"]))
    st.stop()

st.caption(t("mtg.intro", date=as_of))
c1, c2 = st.columns([2, 3])
which = c1.radio(t("mtg.list"), pack.LISTS, key="mtg_list", format_func=lambda w: t(f"mtg.list.{w}"),
                 horizontal=True)
tier = None
custom: list[str] = []
if which == "tier":
    tier = c2.selectbox(t("w.tier"), TIERS, key="mtg_tier", format_func=lambda v: t(f"tier.{v}"))
elif which == "custom":
    ordered = sorted(names, key=names.get)
    custom = c2.multiselect(t("mtg.custom_pick"), ordered, key="mtg_custom", format_func=lambda k: names.get(k, k),
                            placeholder=t("mtg.custom_hint"))
keys = pack.meeting_keys(ctx.store, which, as_of, ctx.level, tier=tier, keys=custom, data_end=ctx.data_end,
                         window=ctx.window)
agenda = pack.agenda(ctx.store, tuple(keys), ctx.level, ctx.window, ctx.data_end, ctx.lang)

st.subheader(f"{t('mtg.agenda')} ({len(keys)})", anchor=False)
if agenda.empty:
    st.info(t("mtg.empty_custom") if which == "custom" else t("mtg.empty_list"))
    st.stop()
table = agenda.assign(
    tier=[_tier(v) for v in agenda["tier"]],
    revenue=[fmt.money(v, ctx.lang) for v in agenda["revenue"]],
    change=[fmt.pct(v, signed=True) if v is not None and v == v else "—" for v in agenda["change"]],
    risk=[fmt.risk(v) for v in agenda["risk"]],
    revenue_at_risk=[fmt.money(v, ctx.lang) for v in agenda["revenue_at_risk"]],
)[["order", "unit_name", "owner", "tier", "revenue", "change", "risk", "revenue_at_risk", "reasons"]]
st.dataframe(table.rename(columns={
    "order": "#", "unit_name": t(f"w.{ctx.level}"), "owner": t("w.owner"), "tier": t("w.tier"),
    "revenue": t("w.revenue"), "change": t("w.change"), "risk": t("pack.risk"), "revenue_at_risk": t("pack.at_risk"),
    "reasons": t("pack.reasons")}), hide_index=True, width="stretch")

a, b = st.columns([2, 3])
a.text_input(t("mtg.author"), key="mtg_author", placeholder=t("mtg.author_hint"))


def _start() -> None:
    state["mtg_keys"] = tuple(keys)
    state["mtg_pos"] = 0


b.button(t("mtg.start"), type="primary", icon=":material/co_present:", on_click=_start, key="mtg_start")

st.subheader(t("mtg.pack"), anchor=False)
st.caption(t("mtg.pack_intro"))


def _content():
    return pack.prepare(ctx.store, keys, ctx.level, ctx.window, ctx.data_end, ctx.lang, which, tier,
                        ctx.bounds.has_profit)


stem = f"meeting_pack_{ctx.window.label}_{which}"
d1, d2 = st.columns(2)
d1.download_button(t("mtg.pack_html"), lambda: render_html(_content()).encode("utf-8"), file_name=f"{stem}.html",
                   mime="text/html", icon=":material/html:", key="mtg_pack_html", width="stretch")
d2.download_button(t("mtg.pack_xlsx"), lambda: render_xlsx(_content()), file_name=f"{stem}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   icon=":material/table_view:", key="mtg_pack_xlsx", width="stretch")
