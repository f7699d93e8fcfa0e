"""KA archive: the archive with its derived facts, one client's form, a grid for bulk edits,
the order clients still to complete, the value x headroom matrix and the groups."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from kam_core import archive, fmt, plan
from kam_core.charts.plan import matrix_figure
from kam_core.i18n import scope_label
from kam_core.ranks import TIERS
from ui import page_setup
from ui.layout import no_data
from ui.widgets import excel_download

ctx = page_setup("archive")
t = ctx.t
st.title(t("nav.archive"))
st.caption(t("arc.intro"))
if no_data(ctx):
    st.stop()

as_of = ctx.data_end
table = archive.archive_table(ctx.store, as_of)
divisor, unit = plan.money_unit(ctx.lang)
TIER_OPTIONS = list(TIERS) + ["none"]


def tier_label(tier) -> str:
    return t(f"tier.{tier}") if tier and tier != "none" else t("arc.no_tier")


def with_unit(label_key: str) -> str:
    return f"{t(label_key)}（{unit}）" if ctx.lang == "zh" else f"{t(label_key)} ({unit})"


def money_column(label_key: str) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(with_unit(label_key), format="%,.1f")


def shown(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Table columns for display: money in the table unit, tiers and scopes in words."""
    out = frame[columns].copy()
    for name in ("t12m", "potential", "headroom", "revenue"):
        if name in out:
            out[name] = out[name].astype(float) / divisor
    if "tier" in out:
        out["tier"] = [tier_label(x) for x in out["tier"]]
    if "chain_scope" in out:
        out["chain_scope"] = [scope_label(x, ctx.lang) for x in out["chain_scope"]]
    for name in ("in_archive", "has_orders"):
        if name in out:
            out[name] = out[name].astype(bool)
    return out


def column_config() -> dict:
    return {
        "client_name": st.column_config.TextColumn(t("w.client"), pinned=True),
        "group_name": t("arc.col.group"), "group_label": t("w.group"), "chain_scope": t("w.chain_scope"),
        "store_count": st.column_config.NumberColumn(t("arc.col.stores"), format="%d"),
        "owner": t("w.owner"), "region": t("w.region"), "city": t("w.city"),
        "service_level": t("arc.col.level"), "note": t("arc.col.note"), "tier": t("arc.col.tier"),
        "t12m": money_column("arc.col.t12m"), "potential": money_column("arc.col.potential"),
        "headroom": money_column("plan.col.headroom"), "revenue": money_column("w.revenue"),
        "in_archive": st.column_config.CheckboxColumn(t("arc.col.in_archive")),
        "has_orders": st.column_config.CheckboxColumn(t("arc.col.has_orders")),
        "last_order": st.column_config.DateColumn(t("arc.col.last_order")),
        "first_order": st.column_config.DateColumn(t("arc.col.first_order")),
        "members": st.column_config.NumberColumn(t("arc.col.members"), format="%d"),
        "active_members": st.column_config.NumberColumn(t("arc.col.active_members"), format="%d"),
        "source": t("plan.col.source"), "quadrant": t("plan.col.quadrant"),
    }


# ---- headline
archived = int(table["in_archive"].sum())
prospect_rows = archive.prospects(table)
missing_rows = archive.missing_from_archive(table)
named_groups = archive.groups(ctx.store)
cols = st.columns(4)
cols[0].metric(t("arc.kpi.archived"), f"{archived:,}")
cols[1].metric(t("arc.kpi.prospects"), f"{len(prospect_rows):,}")
cols[2].metric(t("arc.kpi.missing"), f"{len(missing_rows):,}", help=t("arc.kpi.missing_help"))
cols[3].metric(t("arc.kpi.groups"), f"{len(named_groups):,}")
st.caption(t("arc.as_of", date=as_of))

TABS = ["table", "edit", "grid", "missing", "matrix", "groups"]
tabs = st.tabs([t(f"arc.tab.{name}") for name in TABS], key="arc_tab", on_change="rerun")
open_tab = next((name for name, tab in zip(TABS, tabs) if tab.open), TABS[0])
tab = dict(zip(TABS, tabs))[open_tab]


def filters(prefix: str, frame: pd.DataFrame, with_scope: bool = True) -> dict:
    c = st.columns([2.2, 1, 1, 1, 1.2]) if with_scope else st.columns(4)
    chosen = {}
    offset = 0
    if with_scope:
        chosen["scope"] = c[0].segmented_control(
            t("arc.f.scope"), ["all", "archive", "prospects", "missing"], default="all", key=f"{prefix}_scope",
            format_func=lambda v: t(f"arc.scope.{v}")) or "all"
        offset = 1
    chosen["regions"] = c[offset].multiselect(t("w.region"), sorted(frame["region"].dropna().unique()),
                                              key=f"{prefix}_regions", placeholder=t("w.all"))
    chosen["owners"] = c[offset + 1].multiselect(t("w.owner"), sorted(frame["owner"].dropna().unique()),
                                                 key=f"{prefix}_owners", placeholder=t("w.all"))
    chosen["tier_names"] = c[offset + 2].multiselect(t("arc.col.tier"), TIER_OPTIONS, format_func=tier_label,
                                                     key=f"{prefix}_tiers", placeholder=t("w.all"))
    if with_scope:
        chosen["search"] = c[offset + 3].text_input(t("arc.f.search"), key=f"{prefix}_search")
    return chosen


# ---- the archive as a table (at group level: the groups, each opening its members)
if open_tab == "table":
    with tab:
        if ctx.level == "group":
            st.caption(t("arc.group_level"))
            grouped = table.groupby("group_key", sort=False).agg(
                group_label=("group_label", "first"), members=("client_key", "size"), t12m=("t12m", "sum"),
                potential=("potential", "sum"), owner=("owner", "first"), region=("region", "first"))
            grouped = grouped.sort_values("t12m", ascending=False).reset_index()
            st.dataframe(shown(grouped, ["group_label", "members", "t12m", "owner", "region"]), hide_index=True,
                         width="stretch", column_config=column_config(), placeholder="—", height=360)
            labels = dict(zip(grouped["group_key"], grouped["group_label"]))
            picked = st.selectbox(t("arc.pick_group"), list(labels), format_func=labels.get, key="arc_group_pick")
            if picked:
                members = archive.group_members(ctx.store, picked, ctx.window.start, ctx.window.end)
                st.markdown(t("arc.members_of", group=labels[picked], n=len(members), window=ctx.window.label))
                st.dataframe(shown(members, ["client_name", "owner", "region", "chain_scope", "store_count",
                                             "revenue", "last_order"]),
                             hide_index=True, width="stretch", column_config=column_config(), placeholder="—")
        else:
            chosen = filters("arc_t", table)
            view = archive.filter_table(table, **chosen)
            st.caption(t("w.clients_n", n=len(view)))
            if view.empty:
                st.info(t("arc.nothing"), icon=":material/filter_alt_off:")
            else:
                st.dataframe(shown(view, ["client_name", "tier", "t12m", "potential", "owner", "region", "city",
                                          "group_name", "chain_scope", "store_count", "service_level", "note",
                                          "last_order", "in_archive", "has_orders"]),
                             hide_index=True, width="stretch", column_config=column_config(), placeholder="—",
                             height=460)
            excel_download(t("arc.download"), {t("nav.archive"): archive.export_frame(view, ctx.lang)},
                           f"ka_archive_{as_of}.xlsx", key="arc_download")
            st.caption(t("arc.download_help"))

# ---- one client's fields
if open_tab == "edit":
    with tab:
        NEW = "__new__"
        names = dict(zip(table["client_key"], table["client_name"]))
        keys = [NEW] + list(table["client_key"])
        if st.session_state.get("arc_edit_next") in keys:      # the client just saved or added
            st.session_state["arc_edit_pick"] = st.session_state.pop("arc_edit_next")
        if st.session_state.get("arc_edit_pick") not in keys:
            st.session_state["arc_edit_pick"] = keys[1] if len(keys) > 1 else NEW
        picked = st.selectbox(t("arc.pick_client"), keys, key="arc_edit_pick",
                              format_func=lambda k: t("arc.new_client") if k == NEW else names.get(k, k))
        row = None if picked == NEW else table[table["client_key"] == picked].iloc[0]
        if row is not None:
            state = t("arc.state.archived") if row["in_archive"] else t("arc.state.from_orders")
            st.caption(t("arc.edit_state", state=state, t12m=fmt.money(row["t12m"], ctx.lang),
                         tier=tier_label(row["tier"])))

        def current(name):
            if row is None:
                return None
            value = row[name]
            return None if archive.is_blank(value) else value

        with st.form(f"arc_form_{picked}"):
            name = st.text_input(t("w.client"), value="" if row is None else row["client_name"],
                                 disabled=row is not None, key=f"arc_f_name_{picked}")
            c1, c2, c3 = st.columns(3)
            group = c1.text_input(t("arc.col.group"), value=current("group_name") or "", key=f"arc_f_group_{picked}")
            scopes = [None] + list(archive.SCOPES)
            scope = c2.selectbox(t("w.chain_scope"), scopes, index=scopes.index(current("chain_scope"))
                                 if current("chain_scope") in scopes else 0, format_func=lambda v: scope_label(v, ctx.lang),
                                 key=f"arc_f_scope_{picked}")
            stored_count = current("store_count")
            stores = c3.number_input(t("arc.col.stores"), min_value=0, step=1, key=f"arc_f_stores_{picked}",
                                     help=t("arc.stores_help"),
                                     value=None if stored_count is None else int(stored_count))
            owner = c1.text_input(t("w.owner"), value=current("owner") or "", key=f"arc_f_owner_{picked}")
            region = c2.text_input(t("w.region"), value=current("region") or "", key=f"arc_f_region_{picked}")
            city = c3.text_input(t("w.city"), value=current("city") or "", key=f"arc_f_city_{picked}")
            levels = [None] + list(archive.SERVICE_LEVELS)
            level = c1.selectbox(t("arc.col.level"), levels, index=levels.index(current("service_level"))
                                 if current("service_level") in levels else 0,
                                 format_func=lambda v: v or t("arc.level_from_tier"), help=t("arc.level_help"),
                                 key=f"arc_f_level_{picked}")
            pot = current("potential")
            estimate = None if row is None else plan.estimated_potential(ctx.store, as_of, picked)
            potential_in = c2.number_input(with_unit("arc.col.potential"), min_value=0.0,
                                           value=None if pot is None else float(pot) / divisor, step=10.0,
                                           placeholder=t("arc.estimate", value=fmt.money(estimate, ctx.lang))
                                           if estimate is not None else None,
                                           help=t("arc.potential_help"), key=f"arc_f_potential_{picked}")
            note = st.text_area(t("arc.col.note"), value=current("note") or "", height=80, key=f"arc_f_note_{picked}")
            submitted = st.form_submit_button(t("w.save"), type="primary", icon=":material/save:")
        if submitted:
            entered = {"group_name": group, "chain_scope": scope, "store_count": stores, "owner": owner,
                       "region": region, "city": city, "service_level": level,
                       "potential": archive.in_yuan(potential_in, divisor),
                       "note": note}
            try:
                if row is None:
                    st.session_state["arc_edit_next"] = archive.add_client(ctx.store, name, entered)
                else:
                    archive.save_client(ctx.store, picked, entered)
            except archive.ArchiveError as exc:
                st.error(exc.message(ctx.lang), icon=":material/error:")
            else:
                st.toast(t("w.saved"))
                st.rerun()
        if row is not None and row["in_archive"]:
            with st.popover(t("arc.remove"), icon=":material/person_remove:"):
                st.write(t("arc.remove_confirm", name=row["client_name"]))
                if st.button(t("w.confirm"), type="primary", key="arc_remove_confirm"):
                    archive.remove_client(ctx.store, picked)
                    st.toast(t("arc.removed", name=row["client_name"]))
                    st.rerun()

# ---- bulk edits in a grid
if open_tab == "grid":
    with tab:
        st.caption(t("arc.grid_help", unit=unit))
        rows = table[table["in_archive"]]
        if rows.empty:
            st.info(t("arc.grid_empty"), icon=":material/table_rows:")
        else:
            base = archive.grid_frame(table, divisor)
            grid_config = {
                "client_name": st.column_config.TextColumn(t("w.client"), disabled=True, pinned=True),
                "group_name": st.column_config.TextColumn(t("arc.col.group")),
                "chain_scope": st.column_config.SelectboxColumn(t("w.chain_scope"), options=list(archive.SCOPES),
                                                                format_func=lambda v: scope_label(v, ctx.lang)),
                "store_count": st.column_config.NumberColumn(t("arc.col.stores"), min_value=0, step=1, format="%d",
                                                             help=t("arc.stores_help")),
                "owner": st.column_config.TextColumn(t("w.owner")),
                "region": st.column_config.TextColumn(t("w.region")),
                "city": st.column_config.TextColumn(t("w.city")),
                "service_level": st.column_config.SelectboxColumn(t("arc.col.level"),
                                                                  options=list(archive.SERVICE_LEVELS)),
                "potential": st.column_config.NumberColumn(with_unit("arc.col.potential"), min_value=0.0,
                                                           format="%,.1f", help=t("arc.grid_potential_help")),
                "note": st.column_config.TextColumn(t("arc.col.note")),
            }
            edited = st.data_editor(base, hide_index=True, width="stretch", column_config=grid_config,
                                    placeholder="—",
                                    num_rows="fixed", key=f"arc_grid_{ctx.store.version()}", height=420)
            changes = archive.grid_changes(base, edited)
            st.caption(t("arc.grid_changes", n=len(changes)))
            if st.button(t("arc.grid_save"), type="primary", disabled=not changes, icon=":material/save:",
                         key="arc_grid_save"):
                try:
                    n = archive.save_grid(ctx.store, base, edited, divisor)
                except archive.ArchiveError as exc:
                    st.error(exc.message(ctx.lang), icon=":material/error:")
                else:
                    st.toast(t("arc.grid_saved", n=n))
                    st.rerun()

# ---- order clients missing from the archive
if open_tab == "missing":
    with tab:
        st.caption(t("arc.missing_help"))
        if missing_rows.empty:
            st.success(t("arc.missing_none"), icon=":material/task_alt:")
        else:
            pick = shown(missing_rows, ["client_name", "t12m", "tier", "owner", "region", "city", "chain_scope",
                                        "store_count", "last_order"])
            pick.insert(0, "add", False)
            pick.index = missing_rows["client_key"]
            config = column_config() | {"add": st.column_config.CheckboxColumn(t("arc.add_col"))}
            chosen = st.data_editor(pick, hide_index=True, width="stretch", column_config=config, placeholder="—",
                                    disabled=[c for c in pick.columns if c != "add"], height=420,
                                    key=f"arc_missing_{ctx.store.version()}")
            keys = list(chosen.index[chosen["add"]])
            if st.button(t("arc.add_selected", n=len(keys)), type="primary", disabled=not keys,
                         icon=":material/person_add:", key="arc_add"):
                n = archive.add_from_orders(ctx.store, keys)
                st.toast(t("arc.added", n=n))
                st.rerun()

# ---- potential: value x headroom
if open_tab == "matrix":
    with tab:
        st.caption(t("plan.matrix_help"))
        matrix = plan.value_headroom_matrix(ctx.store, as_of, ctx.level)
        if matrix.units.empty:
            st.info(t("plan.matrix_empty"), icon=":material/grid_view:")
        else:
            chosen = filters("arc_m", matrix.units, with_scope=False)
            units = plan.filter_units(matrix.units, chosen["regions"], chosen["owners"], chosen["tier_names"])
            st.caption(t("plan.matrix_cuts", value=fmt.money(matrix.value_cut, ctx.lang),
                         headroom=fmt.money(matrix.headroom_cut, ctx.lang), n=len(units),
                         without=matrix.without_potential))
            if units.empty:
                st.info(t("arc.nothing"), icon=":material/filter_alt_off:")
            else:
                st.plotly_chart(matrix_figure(units, matrix.value_cut, matrix.headroom_cut, ctx.lang), width="stretch")
                st.caption(t("plan.matrix_axes"))
                summary = plan.quadrant_summary(units)
                cols = st.columns(4)
                for col, rec in zip(cols, summary.itertuples()):
                    col.metric(t(f"plan.q.{rec.quadrant}"), f"{int(rec.units):,}",
                               help=t(f"plan.q.{rec.quadrant}.help"))
                    col.caption(t("plan.q.headroom", headroom=fmt.money(rec.headroom, ctx.lang)))
                quadrant = st.segmented_control(t("plan.col.quadrant"), list(plan.QUADRANTS), default="nurture",
                                                format_func=lambda q: t(f"plan.q.{q}"), key="arc_quadrant") or "nurture"
                part = units[units["quadrant"] == quadrant].rename(columns={"unit_name": "client_name"})
                part = part.assign(source=[t(f"plan.src.{s}") if s else "—" for s in part["source"]])
                st.dataframe(shown(part, ["client_name", "headroom", "t12m", "potential", "source", "tier", "owner",
                                          "region", "chain_scope"]),
                             hide_index=True, width="stretch", column_config=column_config(), placeholder="—")
                excel_download(t("w.export_xlsx"), {t("plan.sheet.matrix"): plan.matrix_export(units, ctx.lang)},
                               f"potential_{as_of}.xlsx", key="arc_matrix_download")

# ---- groups (集团客户)
if open_tab == "groups":
    with tab:
        st.caption(t("arc.groups_help"))
        if named_groups.empty:
            st.info(t("arc.groups_none"), icon=":material/account_tree:")
        else:
            st.dataframe(shown(named_groups, ["group_label", "members", "active_members", "revenue"]),
                         hide_index=True, width="stretch", column_config=column_config(), placeholder="—")
            labels = dict(zip(named_groups["group_key"], named_groups["group_label"]))
            picked = st.selectbox(t("arc.pick_group"), list(labels), format_func=labels.get, key="arc_groups_pick")
            members = archive.group_members(ctx.store, picked)
            st.markdown(t("arc.members_all", group=labels[picked], n=len(members)))
            st.dataframe(shown(members, ["client_name", "owner", "region", "city", "chain_scope", "store_count",
                                         "revenue", "first_order", "last_order"]),
                         hide_index=True, width="stretch", column_config=column_config(), placeholder="—")
