"""KA Cockpit: the entry page is the portfolio overview."""
from __future__ import annotations

import streamlit as st

from ui import page_setup
from ui.layout import no_data

ctx = page_setup("overview")
st.title(ctx.t("nav.overview"))
if not no_data(ctx):
    st.caption(ctx.t("app.tagline"))
