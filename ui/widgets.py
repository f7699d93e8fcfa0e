"""Small widgets several pages share."""
from __future__ import annotations

import re

import streamlit as st

from kam_core.export import xlsx_bytes
from kam_core.ingest.header import column_letter


def percent_column(label: str | None = None, progress: bool = False):
    """A share in a table with one decimal everywhere (56.5%, 6.0%); its values go through percent_view."""
    if progress:
        return st.column_config.ProgressColumn(label, format="%.1f%%", min_value=0, max_value=100)
    return st.column_config.NumberColumn(label, format="%.1f%%")


def percent_view(frame, columns):
    """A copy of the table to show, with these share columns (0.565) as percent points (56.5)."""
    shown = frame.copy()
    for column in columns:
        if column in shown:           # a column the table leaves out (no model fitted) is skipped
            shown[column] = shown[column].astype(float) * 100
    return shown


def uploader_words(upload: str, limit: str) -> None:
    """Streamlit writes its upload button and size line in English whatever the page's language:
    show ours in their place (the elements keep their text for screen readers)."""
    def css_text(text: str) -> str:
        return text.replace("\\", "\\\\").replace('"', '\\"')
    st.html(f"""<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ font-size: 0; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: "{css_text(upload)}"; font-size: 0.875rem; }}
[data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{ content: "{css_text(limit)}"; font-size: 0.875rem; }}
</style>""")


def money_column(label: str | None = None):
    """Yuan in a table: thousands separators and always two decimals (13,690.90, not 13,690.9)."""
    return st.column_config.NumberColumn(label, format="%,.2f")


def column_label(ins, index: int) -> str:
    """'C · 金额': the column's letter in the sheet and its header."""
    position = ins.read.positions[index] if index < len(ins.read.positions) else index
    return f"{column_letter(position)} · {ins.labels[index]}"


# Up to this many rows a workbook is built with the page (well under a second); a bigger one is
# built when asked for, so a rerun never pays seconds for an export nobody clicked.
EAGER_ROWS = 5_000


def excel_download(label: str, sheets, file_name: str, key: str | None = None, on_request: bool = False) -> None:
    """A download button for a workbook (text written as text, never as a formula). sheets: {name: frame},
    or a function returning it. The bytes are cached by content and sent with the page (a deferred
    download can lose its click to a rerun); above EAGER_ROWS, or with on_request (a costly sheets
    function), a first button prepares them."""
    from kam_core.i18n import t

    lang = st.session_state.get("lang", "zh")
    ready_key = f"xlsx_ready_{key or file_name}"
    if on_request and not _prepared(ready_key, (file_name, None), t("w.prepare_xlsx_now", lang)):
        return
    sheets = sheets() if callable(sheets) else sheets
    rows = sum(len(frame) for frame in sheets.values())
    if not on_request and rows > EAGER_ROWS and \
            not _prepared(ready_key, (file_name, rows), t("w.prepare_xlsx", lang, rows=rows)):
        return
    try:
        data = _workbook(sheets)
    except Exception:   # a frame the cache cannot hash (lists in cells): build it directly
        data = xlsx_bytes(sheets)
    st.download_button(label, data, file_name=file_name, key=key, icon=":material/download:", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _prepared(ready_key: str, token: tuple, prompt: str) -> bool:
    """Whether the user asked for this export (token: the file and rows it was asked for); else the button."""
    if st.session_state.get(ready_key) == token:
        return True
    if not st.button(prompt, key=f"{ready_key}_prepare", icon=":material/table_view:"):
        return False
    st.session_state[ready_key] = token
    return True


@st.cache_data(max_entries=16, show_spinner=False)
def _workbook(sheets: dict) -> bytes:
    return xlsx_bytes(sheets)


def unit_picker(ctx, label: str, key: str, default_key: str | None = None) -> str | None:
    """Pick a client (or a group at group level) by name, largest first; returns its key."""
    from kam_core.ranks import unit_names

    names = unit_names(ctx.store, ctx.level)
    keys = sorted(names, key=lambda k: names[k])
    if not keys:
        return None
    index = keys.index(default_key) if default_key in keys else 0
    return st.selectbox(label, keys, index=index, format_func=lambda k: names.get(k, k), key=key)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_plain(text) -> str:
    """Text from files or users, for elements that render markdown (titles, captions, metric labels):
    every markdown character escaped, so a name shows as the characters it is."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
