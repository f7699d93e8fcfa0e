"""The optional login for a team server, configured in .streamlit/secrets.toml.

[auth] (OpenID Connect, Streamlit's st.login) or [kam] password_hash (one team password,
made with `python -m kam_core.auth`). With neither, the app is open (bound to localhost).
Pages call gate() before reading any data.
"""
from __future__ import annotations

import streamlit as st

from kam_core.auth import check_password
from kam_core.i18n import t


def _secrets() -> dict:
    try:
        return {k: st.secrets[k] for k in st.secrets}
    except Exception:  # no secrets file: no login configured
        return {}


def gate(lang: str) -> None:
    """Stop the page here until the user has signed in (when a login is configured)."""
    secrets = _secrets()
    if "auth" in secrets:
        if not st.user.is_logged_in:
            st.title(t("auth.title", lang))
            st.button(t("auth.sso", lang), on_click=st.login, type="primary", icon=":material/login:")
            st.stop()
        with st.sidebar:
            st.caption(t("auth.signed_in_as", lang, who=st.user.get("email") or st.user.get("name") or ""))
            st.button(t("auth.sign_out", lang), on_click=st.logout, key="sign_out")
        return
    stored = (secrets.get("kam") or {}).get("password_hash")
    if not stored or st.session_state.get("signed_in"):
        return
    st.title(t("auth.title", lang))
    with st.form("sign_in"):
        password = st.text_input(t("auth.password", lang), type="password")
        if st.form_submit_button(t("auth.sign_in", lang), type="primary"):
            if check_password(password, stored):
                st.session_state["signed_in"] = True
                st.rerun()
            st.error(t("auth.wrong", lang))
    st.stop()
