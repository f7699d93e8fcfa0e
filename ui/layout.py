"""Every page starts with page_setup(): page config, the sidebar (menu, language, data,
window, unit of analysis) and a context the page reads its settings from."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from kam_core import periods, portfolio
from kam_core.i18n import t as _t
from kam_core.store import Store
from ui import auth, nav, session

WINDOW_KINDS = ("year", "quarter", "month", "custom")


@dataclass
class Ctx:
    store: Store
    lang: str
    bounds: portfolio.Bounds
    window: periods.Period | None
    level: str

    def t(self, key: str, **kwargs) -> str:
        return _t(key, self.lang, **kwargs)

    @property
    def data_end(self) -> dt.date | None:
        return self.bounds.data_end

    @property
    def empty(self) -> bool:
        return self.bounds.empty

    def period_label(self, period: periods.Period) -> str:
        partial = "" if period.complete(self.data_end) else self.t("period.partial")
        return period.label + partial


def page_setup(page_key: str, wide: bool = True) -> Ctx:
    title = _t(f"nav.{page_key}", session.lang())
    st.set_page_config(page_title=f"{title} · {_t('app.name', session.lang())}", page_icon=":material/insights:",
                       layout="wide" if wide else "centered")
    session.keep_state()
    lang = session.lang()
    auth.gate(lang)             # nothing below runs before sign-in, when a login is configured
    store = session.store()
    bounds = portfolio.bounds(store)
    # the controls first, the menu under them: on a 1366 x 768 projector the language, the window
    # and the unit of analysis stay in view above the fold
    with st.sidebar:
        _brand(lang)
        _language_switch(lang)
        window = _window_picker(lang, bounds)
        level = _level_picker(lang)
        st.divider()
        _menu(lang)
        _data_status(lang, bounds, store)
    ctx = Ctx(store, lang, bounds, window, level)
    if bounds.demo_datasets:
        st.info(ctx.t("demo.banner"), icon=":material/science:")
    return ctx


def _brand(lang: str) -> None:
    st.markdown(f"**{_t('app.name', lang)}**")


def _menu(lang: str) -> None:
    pages = nav.available()
    for section in nav.SECTIONS:
        entries = [p for p in pages if p[3] == section]
        if not entries:
            continue
        st.caption(_t(f"nav.section.{section}", lang))
        for script, key, icon, _ in entries:
            st.page_link(script, label=_t(key, lang), icon=icon)


def _language_switch(lang: str) -> None:
    options = ["zh", "en"]
    choice = st.segmented_control(_t("side.language", lang), options, default=lang,
                                  format_func=lambda v: "中文" if v == "zh" else "English", key=f"lang_switch_{lang}")
    if choice and choice != lang:
        session.carry_choices(lang, choice)
        st.session_state["lang"] = choice
        st.query_params["lang"] = choice
        st.rerun()


def _window_picker(lang: str, bounds: portfolio.Bounds) -> periods.Period | None:
    """The shared analysis window: a year, quarter or month of the data, or a custom range."""
    if bounds.empty:
        return None
    st.divider()
    st.caption(_t("side.window", lang))
    kind = st.selectbox(_t("side.window_kind", lang), WINDOW_KINDS, key="win_kind",
                        format_func=lambda k: _t(f"period.{k}", lang))
    if kind == "custom":
        default = (bounds.first_day, bounds.data_end)
        picked = st.date_input(_t("side.custom_range", lang), value=st.session_state.get("win_range", default),
                               min_value=bounds.first_day, max_value=bounds.data_end)
        if isinstance(picked, (tuple, list)) and len(picked) == 2:
            st.session_state["win_range"] = tuple(picked)
            return periods.custom(picked[0], picked[1])
        return periods.custom(*default)
    options = list(reversed(periods.span(kind, bounds.first_day, bounds.data_end)))
    labels = [p.label for p in options]
    default_period = (periods.default_window(bounds.first_day, bounds.data_end) if kind == "year"
                      else periods.latest_complete(kind, bounds.data_end))
    current = st.session_state.get("win_label")
    if current not in labels:
        st.session_state["win_label"] = default_period.label if default_period.label in labels else labels[0]
    label = st.selectbox(" ", labels, key="win_label", label_visibility="collapsed",
                         format_func=lambda lab: lab + ("" if periods.parse_label(lab).complete(bounds.data_end)
                                                        else _t("period.partial", lang)))
    return periods.parse_label(label)


def _level_picker(lang: str) -> str:
    if "level" not in st.session_state:
        st.session_state["level"] = "client"
    return st.radio(_t("side.level", lang), ("client", "group"), key="level", horizontal=True,
                    format_func=lambda v: _t(f"side.level.{v}", lang))


def _data_status(lang: str, bounds: portfolio.Bounds, store: Store) -> None:
    st.divider()
    if bounds.empty:
        st.caption(_t("side.no_data", lang))
        return
    st.caption(_t("side.data_status", lang, lines=bounds.lines, clients=bounds.clients, end=bounds.data_end))
    if bounds.demo_datasets:
        if st.button(_t("demo.remove", lang), key="remove_demo", icon=":material/delete_sweep:"):
            portfolio.remove_demo(store)
            st.toast(_t("demo.removed", lang))
            st.rerun()


def no_data(ctx: Ctx) -> bool:
    """Shows the empty state and returns True when there are no order lines yet."""
    if not ctx.empty:
        return False
    st.info(ctx.t("w.no_data_page"), icon=":material/upload_file:")
    st.page_link(nav.script_of("import"), label=ctx.t("w.goto_import"), icon=":material/upload_file:")
    return True
