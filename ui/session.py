"""Per-process and per-session state: one store (read-write connection) per server process,
the language and the shared window per browser session."""
from __future__ import annotations

import datetime as dt

import streamlit as st
from streamlit.errors import StreamlitAPIException

from kam_core import config, demo
from kam_core.i18n import lang_from_locale, translate_text
from kam_core.store import Store

# Sidebar choices that must survive moving between pages (Streamlit drops the state of
# widgets that a page does not draw; re-assigning the keys keeps them).
PERSISTENT_KEYS = ("lang", "win_kind", "win_label", "win_range", "level")


@st.cache_resource(show_spinner=False)
def _open(path: str) -> Store:
    store = Store(path)
    if not store.has_data() and not store.setting("demo_seeded", False):
        demo.load_demo(store)
        store.save_setting("demo_seeded", True)
    return store


def store() -> Store:
    """The shared store of this server process (imports serialise inside it)."""
    return _open(str(config.db_path()))


def keep_state() -> None:
    for key in PERSISTENT_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _is_choice(value) -> bool:
    """A widget value that may be set from Python: not a button's bool, an upload, an editor's dict."""
    if isinstance(value, (list, tuple)):
        return all(_is_choice(v) for v in value)
    return not isinstance(value, bool) and isinstance(value, (str, int, float, dt.date))


def carry_choices(source: str, target: str) -> None:
    """On a language switch, every widget keeps its choice and shows it in the new language.
    The browser keeps a choice as the label it showed, so the values are set again (it then draws
    the new label). A tab's value is its label: tabs (keys ending in _tab) get theirs translated;
    other values are codes (revenue, off) and never translated."""
    for key in list(st.session_state.keys()):
        value = st.session_state[key]
        if not _is_choice(value):
            continue
        if str(key).endswith("_tab") and isinstance(value, str):
            value = translate_text(value, source, target)
        try:
            st.session_state[key] = value
        except StreamlitAPIException:
            pass    # a sidebar widget drawn in this run already: keep_state sets it on the next run


def lang() -> str:
    """The session's language: ?lang= in the address (kept in bookmarks), else the browser's."""
    if "lang" not in st.session_state:
        chosen = st.query_params.get("lang")
        if chosen in ("zh", "en"):
            st.session_state["lang"] = chosen
        else:
            try:
                locale = st.context.locale
            except Exception:  # no browser (tests, scripts)
                locale = None
            st.session_state["lang"] = lang_from_locale(locale)
    return st.session_state["lang"]
