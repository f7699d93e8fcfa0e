"""Datasets: what is loaded, and deleting one import after confirmation."""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from kam_core import demo
from ui import page_setup

ctx = page_setup("datasets")
t = ctx.t
st.title(t("ds.title"))
st.caption(t("ds.intro"))

frame = ctx.store.datasets()
if frame.empty:
    st.info(t("ds.empty"), icon=":material/inventory_2:")
    if st.button(t("ds.load_demo"), icon=":material/play_circle:", help=t("ds.load_demo_help")):
        with st.spinner(t("ds.loading_demo")):
            demo.load_demo(ctx.store)
        st.rerun()
    st.stop()


def _range(row) -> str:
    if pd.isna(row["date_min"]):
        return "—"
    return f"{row['date_min']:%Y-%m-%d} – {row['date_max']:%Y-%m-%d}"


table = pd.DataFrame({
    t("ds.col.id"): frame["dataset_id"],
    t("ds.col.kind"): [t(f"kind.{k}") for k in frame["kind"]],
    t("ds.col.file"): frame["file_name"],
    t("ds.col.sheet"): frame["sheet"].fillna("—"),
    t("ds.col.rows"): frame["rows_loaded"],
    t("ds.col.rejected"): frame["rows_rejected"],
    t("ds.col.skipped"): frame["rows_skipped"],
    t("ds.col.replaced"): frame["rows_replaced"],
    t("ds.col.range"): [_range(r) for _, r in frame.iterrows()],
    t("ds.col.through"): [d.strftime("%Y-%m-%d") if pd.notna(d) else "—" for d in frame["data_through"]],
    t("ds.col.imported"): frame["imported_at"].dt.strftime("%Y-%m-%d %H:%M"),
    t("ds.col.demo"): [t("w.yes") if d else "" for d in frame["is_demo"]],
})
st.dataframe(table, hide_index=True, width="stretch")

labels = {int(r.dataset_id): f"#{r.dataset_id} · {r.file_name}" + (f" · {r.sheet}" if r.sheet else "")
          for r in frame.itertuples()}
chosen = st.selectbox(t("ds.details"), list(labels), format_func=labels.get)
row = frame[frame["dataset_id"] == chosen].iloc[0]
left, right = st.columns(2)
with left:
    st.markdown(f"**{t('ds.mapping')}**")
    mapping = json.loads(row["mapping"])
    st.dataframe(pd.DataFrame({t("imp.col_field"): [t(f"role.{k}") for k in mapping], t("imp.col_column"): list(mapping.values())}),
                 hide_index=True, width="stretch")
with right:
    rejects = ctx.store.query("dataset_rejects", id=int(chosen))
    st.markdown(f"**{t('ds.rejects')}** ({len(rejects):,})")
    if not rejects.empty:
        rejects["code"] = [t(f"reject.{c}") for c in rejects["code"]]
        rejects = rejects.astype({"column_name": object, "value": object}).fillna({"column_name": "—", "value": "—"})
        rejects.columns = [t("imp.col_row"), t("imp.col_reason"), t("imp.col_column"), t("imp.col_value")]
        st.dataframe(rejects, hide_index=True, width="stretch", height=240)

# one popover per dataset: after a deletion the next dataset's stays closed
with st.popover(t("w.delete") + f" #{chosen}", icon=":material/delete:", key=f"ds_delete_{chosen}"):
    st.write(t("ds.delete_confirm", id=int(chosen), file=row["file_name"],
               rows=int(row["rows_loaded"] - row["rows_replaced"])))
    if pd.notna(row["replace_lo"]):
        st.caption(t("ds.restores_lines", lo=f"{row['replace_lo']:%Y-%m-%d}", hi=f"{row['replace_hi']:%Y-%m-%d}"))
    elif row["kind"] in ("clients", "targets"):
        st.caption(t(f"ds.restores_{row['kind']}"))
    if st.button(t("w.confirm"), type="primary", key="confirm_delete"):
        ctx.store.delete_dataset(int(chosen))
        st.toast(t("ds.deleted", id=int(chosen)))
        st.rerun()
