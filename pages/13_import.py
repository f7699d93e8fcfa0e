"""Import: upload -> sheet, header and mapping proposed -> cleaned preview -> confirm -> report."""
from __future__ import annotations

import os
import tempfile

import pandas as pd
import streamlit as st

from kam_core.export import xlsx_bytes
from kam_core.ingest import clean, importer, report, roles
from kam_core.ingest.errors import ImportRefused
from ui import page_setup
from ui.nav import script_of
from ui.widgets import column_label, uploader_words

ctx = page_setup("import")
t = ctx.t
st.title(t("imp.title"))
st.caption(t("imp.intro"))

UPLOAD_TYPES = ["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "txt", "tsv", "parquet"]


def _save_upload(uploaded) -> str:
    """The upload as a file on disk (the parsing child reads it there)."""
    folder = st.session_state.setdefault("imp_dir", tempfile.mkdtemp(prefix="kam_upload_"))
    path = os.path.join(folder, "upload" + os.path.splitext(uploaded.name)[1].lower())
    with open(path, "wb") as fh:
        fh.write(uploaded.getbuffer())
    return path


def _inspect(path: str, name: str, **choices) -> None:
    try:
        with st.spinner(t("imp.reading", name=name)):
            st.session_state["imp"] = importer.inspect(ctx.store, path, name, **choices)
        st.session_state.pop("imp_error", None)
    except ImportRefused as exc:
        st.session_state.pop("imp", None)
        st.session_state["imp_error"] = exc      # shown in the language of each run


def _show_report(rep: importer.ImportReport) -> None:
    st.success(t("imp.done", dataset_id=rep.dataset_id), icon=":material/check_circle:")
    st.subheader(t("imp.report"))
    cols = st.columns(4)
    cols[0].metric(t("imp.read"), f"{rep.rows_read:,}")
    cols[1].metric(t("imp.loaded"), f"{rep.rows_loaded:,}")
    cols[2].metric(t("imp.rejected"), f"{rep.rows_rejected:,}")
    cols[3].metric(t("imp.skipped"), f"{rep.rows_skipped:,}")
    skipped = [f"{t('skip.' + k)} {v:,}" for k, v in rep.skipped_by.items() if v]
    if skipped:
        st.caption(" · ".join(skipped))
    if rep.date_min:
        st.caption(t("imp.daterange", lo=rep.date_min, hi=rep.date_max))
    if rep.replaced:
        st.info(t("imp.replaced", n=rep.replaced))
    for line in report.warning_lines(rep.warnings, ctx.lang):
        st.warning(line, icon=":material/info:")
    if rep.formulas_without_value:
        st.warning(t("warn.formulas", count=rep.formulas_without_value), icon=":material/functions:")
    if rep.rejects:
        st.markdown(f"**{t('imp.rejects_by_reason')}**")
        st.dataframe(report.rejects_by_reason(rep.rejects, ctx.lang), hide_index=True, width="stretch")
        st.download_button(t("imp.download_rejects"), xlsx_bytes({t("imp.rejected"): report.rejects_frame(rep.rejects, ctx.lang)}),
                           file_name=f"rejects_{rep.dataset_id}.xlsx", icon=":material/download:")
    _offer_other_sheets()
    left, right = st.columns(2)
    if left.button(t("imp.another"), icon=":material/upload_file:"):
        for key in ("imp_report", "imp_more", "imp_more_done"):
            st.session_state.pop(key, None)
        st.session_state["imp_uploader"] = st.session_state.get("imp_uploader", 0) + 1
        st.rerun()
    right.page_link(script_of("overview"), label=t("imp.goto_overview"), icon=":material/dashboard:")


def _offer_other_sheets() -> None:
    """A workbook kept as one sheet per month: the other sheets, imported with the same mapping."""
    done = st.session_state.get("imp_more_done")
    if done is not None:
        st.dataframe(pd.DataFrame({
            t("imp.sheet_result"): [o.sheet for o in done],
            t("imp.sheet_outcome"): [t("imp.sheet_loaded", dataset_id=o.report.dataset_id, loaded=o.report.rows_loaded,
                                       rejected=o.report.rows_rejected, skipped=o.report.rows_skipped)
                                     if o.report else o.refused.message(ctx.lang) for o in done]}),
            hide_index=True, width="stretch")
        return
    more = st.session_state.get("imp_more")
    if not more:
        return
    path, file_name, kind, by_label, sheets = more
    st.info(t("imp.other_sheets", n=len(sheets), names="、".join(sheets)), icon=":material/tab:")
    if st.button(t("imp.other_sheets_go", n=len(sheets)), icon=":material/library_add:"):
        with st.spinner(t("imp.importing")):
            st.session_state["imp_more_done"] = importer.import_other_sheets(ctx.store, path, file_name, kind,
                                                                                   by_label, sheets)
        st.session_state.pop("imp_more", None)
        st.rerun()


if "imp_report" in st.session_state:
    _show_report(st.session_state["imp_report"])
    st.stop()

importer.get_ready()
uploaded = st.file_uploader(t("imp.upload"), type=UPLOAD_TYPES, key=f"uploader_{st.session_state.get('imp_uploader', 0)}")
if ctx.lang == "zh":
    uploader_words(t("imp.upload_button"), t("imp.upload_limit", mb=st.get_option("server.maxUploadSize")))
st.caption(t("imp.large_hint"))
if uploaded is None:
    st.session_state.pop("imp", None)
    st.session_state.pop("imp_error", None)
    st.stop()

if st.session_state.get("imp_file_id") != uploaded.file_id:
    st.session_state["imp_file_id"] = uploaded.file_id
    st.session_state["imp_path"] = _save_upload(uploaded)
    _inspect(st.session_state["imp_path"], uploaded.name)

if "imp_error" in st.session_state:
    st.error(st.session_state["imp_error"].message(ctx.lang), icon=":material/error:")
    st.stop()

ins: importer.Inspection = st.session_state["imp"]

# ---- where the data is: sheet, header row, kind
sheet_names = [s.name for s in ins.sheets]
c1, c2, c3 = st.columns([2, 1, 1])
if len(sheet_names) > 1:
    hidden = {s.name for s in ins.sheets if not s.visible}
    sheet = c1.selectbox(t("imp.sheet"), sheet_names, index=sheet_names.index(ins.sheet),
                         format_func=lambda n: t("imp.sheet_hidden", name=n) if n in hidden else n)
    if sheet != ins.sheet:
        _inspect(ins.path, ins.file_name, sheet=sheet)
        st.rerun()
if ins.header_row is not None:
    header_row = c2.number_input(t("imp.header_row"), min_value=1, max_value=len(ins.head) or 1,
                                 value=ins.excel_header_row, step=1)
    if header_row != ins.excel_header_row:
        _inspect(ins.path, ins.file_name, sheet=ins.sheet, header_row=int(header_row) - 1, kind=ins.kind)
        st.rerun()
kind = c3.selectbox(t("imp.kind"), roles.KINDS, index=roles.KINDS.index(ins.kind),
                    format_func=lambda k: t(f"kind.{k}"))
if kind != ins.kind:
    _inspect(ins.path, ins.file_name, sheet=ins.sheet, header_row=ins.header_row, kind=kind)
    st.rerun()

if ins.header_row is not None:
    found = "imp.header_found_two" if ins.header_lines == 2 else "imp.header_found"
    st.caption(t(found, row=ins.excel_header_row, row2=ins.excel_header_row + 1, rows=ins.read.table.num_rows,
                 cols=len(ins.labels)))
if ins.duplicate_of:
    st.error(t("refused.duplicate", **ins.duplicate_of), icon=":material/content_copy:")
    st.stop()

# ---- the mapping
st.subheader(t("imp.mapping"))
st.caption(t("imp.mapping_remembered") if ins.mapping_source == "remembered" else t("imp.mapping_proposed"))
options = [-1] + list(range(len(ins.labels)))
# keyed by the columns read: another sheet or header row starts from its own proposal, not stale choices
layout = importer.header_signature(ins.labels)[:12]
mapping: dict[str, int] = {}
grid = st.columns(4)
for i, role in enumerate(roles.ROLES[ins.kind]):
    required = role in roles.REQUIRED[ins.kind]
    current = ins.mapping.get(role, -1)
    choice = grid[i % 4].selectbox(
        t(f"role.{role}") + (" *" if required else ""), options, index=options.index(current),
        format_func=lambda j: t("imp.not_mapped") if j < 0 else column_label(ins, j), key=f"map_{ins.kind}_{role}_{layout}")
    if choice >= 0:
        mapping[role] = choice
for role, index in mapping.items():
    scale = clean.header_scale(ins.labels[index])
    if scale != 1 and role in roles.MONEY_ROLES:
        st.caption(t("imp.unit_scale", column=ins.labels[index], scale=scale))
if ins.kind == "orders" and "amount" not in mapping and {"quantity", "unit_price"} <= set(mapping):
    st.caption(t("imp.derived_amount"))

remove_demo = False
if ctx.bounds.demo_datasets:
    remove_demo = st.checkbox(t("imp.remove_demo"), value=True, key="imp_remove_demo")
pre = importer.preview(ctx.store, ins, mapping, ins.kind, ignore_demo=remove_demo)
if pre.missing:
    st.warning(t("imp.missing", roles="、".join(t(f"role.{r}") for r in pre.missing)), icon=":material/warning:")
    st.stop()
cleaned = pre.cleaned
st.info(t("imp.dryrun", loaded=cleaned.rows_loaded, rejected=cleaned.rows_rejected, skipped=cleaned.rows_skipped,
          read=cleaned.rows_read), icon=":material/fact_check:")
main_reject = report.main_reject_line(cleaned.rejects, cleaned.rows_read, ctx.lang)
if main_reject:
    st.warning(main_reject, icon=":material/rule:")
if pre.date_min:
    st.caption(t("imp.daterange", lo=pre.date_min, hi=pre.date_max))
for line in report.warning_lines(cleaned.warnings, ctx.lang):
    st.warning(line, icon=":material/info:")
if ins.read.formulas_without_value:
    st.warning(t("warn.formulas", count=ins.read.formulas_without_value), icon=":material/functions:")

st.markdown(f"**{t('imp.preview')}**")
st.dataframe(report.preview_frame(cleaned.head(20), ins.kind, mapping, ctx.lang), hide_index=True, width="stretch")
if cleaned.rejects:
    with st.expander(f"{t('imp.rejects_by_reason')} ({cleaned.rows_rejected:,})"):
        st.dataframe(report.rejects_by_reason(cleaned.rejects, ctx.lang), hide_index=True, width="stretch")
        st.dataframe(report.rejects_frame(cleaned.rejects[:200], ctx.lang), hide_index=True, width="stretch")

# ---- how to write it
on_overlap = "keep"
if pre.overlaps:
    st.warning(t("imp.overlap") + "\n\n" + "\n".join(
        "- " + t("imp.overlap_row", dataset_id=o["dataset_id"], file_name=o["file_name"], n=o["lines_in_range"],
                 lo=pre.date_min, hi=pre.date_max) for o in pre.overlaps), icon=":material/layers:")
    # keyed by the file, not by the translated label: a language switch keeps the choice
    on_overlap = st.radio(t("imp.overlap_choice"), ["keep", "replace"], horizontal=True,
                          format_func=lambda v: t(f"imp.overlap_{v}"), key=f"imp_overlap_{uploaded.file_id}")
data_through = None
if ins.kind == "orders" and pre.date_max:
    data_through = st.date_input(t("imp.data_through"), value=pre.date_max, min_value=pre.date_max,
                                 help=t("imp.data_through_help"), key=f"imp_through_{uploaded.file_id}")

if st.button(t("imp.confirm"), type="primary", icon=":material/publish:"):
    try:
        with st.spinner(t("imp.importing")):
            rep = importer.commit(ctx.store, ins, pre, on_overlap=on_overlap, data_through=data_through,
                                  remove_demo=remove_demo)
    except ImportRefused as exc:
        st.error(t("imp.failed", error=exc.message(ctx.lang)), icon=":material/error:")
        st.stop()
    st.session_state["imp_report"] = rep
    st.session_state.pop("imp_more_done", None)
    sheets = importer.other_sheets(ins)
    st.session_state["imp_more"] = (ins.path, ins.file_name, ins.kind, ins.mapping_labels(mapping), sheets) if sheets else None
    for key in ("imp", "imp_file_id", "imp_path"):
        st.session_state.pop(key, None)
    st.rerun()

with st.expander(t("imp.head_caption")):
    width = max((len(row) for row in ins.head), default=0)    # title rows are shorter than the header
    head = pd.DataFrame([row + [None] * (width - len(row)) for row in ins.head]).astype("string")
    if not head.empty:
        header_lines = range(ins.header_row, ins.header_row + ins.header_lines) if ins.header_row is not None else ()
        head.index = [f"{i + 1}{' ◀' if i in header_lines else ''}" for i in range(len(head))]
        st.dataframe(head, width="stretch")
