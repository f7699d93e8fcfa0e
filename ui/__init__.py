"""Streamlit glue shared by the pages: the store per process, the sidebar, common widgets.

Everything else (numbers, SQL, figures) lives in kam_core, which never imports streamlit.
"""
from ui.layout import Ctx, page_setup

__all__ = ["Ctx", "page_setup"]
