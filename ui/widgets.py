"""Small widgets several pages share."""
from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from kam_core.export import xlsx_bytes
from kam_core.ingest.header import column_letter


def column_label(ins, index: int) -> str:
    """'C · 金额': the column's letter in the sheet and its header."""
    position = ins.read.positions[index] if index < len(ins.read.positions) else index
    return f"{column_letter(position)} · {ins.labels[index]}"


def excel_download(label: str, sheets: dict[str, pd.DataFrame], file_name: str, key: str | None = None) -> None:
    """A download button for a workbook (text written as text, never as a formula), built only
    when clicked: a 20,000-row sheet costs seconds, which a rerun should not pay."""
    excel_download_on_click(label, lambda: sheets, file_name, key)


def unit_picker(ctx, label: str, key: str, default_key: str | None = None) -> str | None:
    """Pick a client (or a group at group level) by name, largest first; returns its key."""
    from kam_core.ranks import unit_names

    names = unit_names(ctx.store, ctx.level)
    keys = sorted(names, key=lambda k: names[k])
    if not keys:
        return None
    index = keys.index(default_key) if default_key in keys else 0
    return st.selectbox(label, keys, index=index, format_func=lambda k: names.get(k, k), key=key)


def excel_download_on_click(label: str, make_sheets, file_name: str, key: str | None = None) -> None:
    """A download button whose workbook is built only when clicked (make_sheets() -> {name: frame}),
    so a page does not pay for an export on every rerun."""
    st.download_button(label, lambda: xlsx_bytes(make_sheets()), file_name=file_name, key=key,
                       icon=":material/download:",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_plain(text) -> str:
    """Text from files or users, for elements that render markdown (titles, captions, metric labels):
    every markdown character escaped, so a name shows as the characters it is."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
