"""Tier migration between periods (升降级): who moved up, down, in and out (DESIGN.md, Migration).

P -> Q over the units with revenue on or before Q's end (pinned clients count as
active). Row state: the P tier if active in P; else new if the first active
period comes after P; else inactive. Column state: the Q tier if active in Q;
else lost if active in P; else inactive. "First active" is the first period of
the chosen kind in which the unit's value was > 0, so the first period of the
data has no history: every unit active there is new there.

One SQL (sql/tiers_migration.sql) answers every pair at once over the tiers of
the periods involved; the rest are small pure functions over its result.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from kam_core import periods
from kam_core.cache import by_version
from kam_core.i18n import t
from kam_core.ranks import TIERS, TierRule, names_relation, unit_sums
from kam_core.store import sql
from kam_core.tiers import KA_TIERS, TIER_ORDER, map_keys, tier_distribution, tier_table, whole_periods

FROM_STATES = (*TIERS, "new", "inactive")
TO_STATES = (*TIERS, "lost", "inactive")
MOVE_COLUMNS = ["from_period", "to_period", "from_start", "to_start", "unit_key", "unit_name", "from_state",
                "to_state", "value_from", "value_to", "steps", "ka_exit", "pinned", "reason"]
MATRIX_COLUMNS = ["from_state", "to_state", "clients", "value_from", "value_to"]


# ------------------------------------------------------------------ choosing periods

def default_pair(kind: str, data_end: dt.date, until: dt.date | None = None) -> tuple[periods.Period, periods.Period]:
    """The last two complete periods of a kind (P, Q), ending on or before `until` when given."""
    q = periods.latest_complete(kind, min(until, data_end) if until else data_end)
    return q.previous(), q


def check_pair(p: periods.Period, q: periods.Period) -> None:
    """ValueError unless P and Q are periods of one kind with P before Q."""
    if p.kind != q.kind or p.kind not in periods.KINDS:
        raise ValueError(f"{p.label} and {q.label} must be periods of one kind (month, quarter or year)")
    if not p.start < q.start:
        raise ValueError(f"the first period ({p.label}) must come before the second ({q.label})")


def consecutive_pairs(span: list[periods.Period]) -> list[tuple[periods.Period, periods.Period]]:
    return list(zip(span[:-1], span[1:]))


# ------------------------------------------------------------------ the moves

@by_version()
def moves(store, pairs: tuple[tuple[periods.Period, periods.Period], ...], measure: str = "revenue",
          level: str = "client", rule: TierRule = TierRule()) -> pd.DataFrame:
    """One row per unit and pair: from_period, to_period, from_start, to_start, unit_key, unit_name,
    from_state, to_state, value_from, value_to (the unit's value in P and Q, refunds included),
    steps (tiers moved up, + is an upgrade; null unless both states are tiers), ka_exit (关键/重点 in P,
    neither in Q), pinned, reason. Cached per data version and arguments; do not modify the result."""
    pairs = _checked(pairs)
    if not pairs:
        return pd.DataFrame(columns=MOVE_COLUMNS)
    with store.reader() as cur:
        _moves_view(store, cur, pairs, measure, level, rule)
        cur.register("names", names_relation(cur, level))
        frame = cur.sql(sql("tiers_moves")).to_arrow_table().to_pandas()
    return _dress(frame, pairs)


@by_version()
def matrices(store, pairs: tuple[tuple[periods.Period, periods.Period], ...], measure: str = "revenue",
             level: str = "client", rule: TierRule = TierRule()) -> pd.DataFrame:
    """The matrix of every pair, aggregated in SQL (no per-unit rows leave the database):
    from_period, to_period, from_start, to_start, from_state, to_state, clients, value_from, value_to;
    all 6 x 6 cells of every pair, zeros included."""
    pairs = _checked(pairs)
    columns = ["from_period", "to_period", "from_start", "to_start", *MATRIX_COLUMNS]
    if not pairs:
        return pd.DataFrame(columns=columns)
    with store.reader() as cur:
        _moves_view(store, cur, pairs, measure, level, rule)
        cells = cur.sql(sql("tiers_migration_matrix")).to_arrow_table().to_pandas()
    grid = pd.MultiIndex.from_tuples([(p.start, q.start, a, b) for p, q in pairs for a in FROM_STATES
                                      for b in TO_STATES], names=["from_start", "to_start", "from_state", "to_state"])
    out = (cells.set_index(["from_start", "to_start", "from_state", "to_state"])
           .reindex(grid, fill_value=0).reset_index())
    label = {p.start: p.label for pair in pairs for p in pair}
    out["from_period"] = out["from_start"].map(label)
    out["to_period"] = out["to_start"].map(label)
    out["clients"] = out["clients"].astype(int)
    out["value_from"] = out["value_from"].astype(float)
    out["value_to"] = out["value_to"].astype(float)
    return out[columns]


def _checked(pairs) -> tuple:
    pairs = tuple(pairs)
    for p, q in pairs:
        check_pair(p, q)
    if len({p.kind for pair in pairs for p in pair}) > 1:
        raise ValueError("all periods of a migration must be of one kind")
    return pairs


def _moves_view(store, cur, pairs, measure: str, level: str, rule: TierRule) -> None:
    """Registers `moves` on cur: tiers_migration.sql over the final tiers of the periods involved."""
    kind = pairs[0][0].kind
    first = min(p.start for p, _ in pairs)
    last = max(q.end for _, q in pairs)
    cur.register("tiered", tier_table(store, kind, first, last, measure, level, rule))
    cur.register("unit_sums", unit_sums(store, kind, measure, level))
    params = {"p_starts": [p.start for p, _ in pairs], "q_starts": [q.start for _, q in pairs]}
    cur.register("moves", cur.sql(sql("tiers_migration"), params=params))


def _dress(frame: pd.DataFrame, pairs) -> pd.DataFrame:
    """Labels, steps and flags on the SQL's rows."""
    label = {p.start: p.label for pair in pairs for p in pair}
    frame["from_period"] = map_keys(frame["from_start"], label)
    frame["to_period"] = map_keys(frame["to_start"], label)
    order_from = map_keys(frame["from_state"], TIER_ORDER).astype("Int64")
    order_to = map_keys(frame["to_state"], TIER_ORDER).astype("Int64")
    frame["steps"] = order_from - order_to
    frame["ka_exit"] = frame["from_state"].isin(KA_TIERS) & ~frame["to_state"].isin(KA_TIERS)
    return frame[MOVE_COLUMNS]


def migration(store, p: periods.Period, q: periods.Period, measure: str = "revenue", level: str = "client",
              rule: TierRule = TierRule()) -> pd.DataFrame:
    """The moves of one pair P -> Q (columns of moves)."""
    return moves(store, ((p, q),), measure, level, rule)


@dataclass(frozen=True)
class TierSummary:
    """Tiers and migrations over a span of periods, everything aggregated: what the `tiers` command
    prints. counts: tier_distribution's columns; matrices: matrices' columns."""

    periods: list[periods.Period]
    counts: pd.DataFrame
    matrices: pd.DataFrame
    data_end: dt.date | None

    @property
    def partial(self) -> list[str]:
        return [p.label for p in self.periods if not p.complete(self.data_end)]


def summary(store, kind: str, start: dt.date, end: dt.date, measure: str = "revenue", level: str = "client",
            rule: TierRule = TierRule(), data_end: dt.date | None = None,
            pair: tuple[periods.Period, periods.Period] | None = None) -> TierSummary:
    """Tier counts per period over the whole periods touching [start, end] and the migration of each
    consecutive pair among them (or of the one pair given)."""
    first, last = whole_periods(kind, start, end)
    span = periods.span(kind, first, last)
    pairs = (pair,) if pair else tuple(consecutive_pairs(span))
    counts = tier_distribution(store, kind, first, last, measure, level, rule, data_end)
    return TierSummary(span, counts, matrices(store, pairs, measure, level, rule), data_end)


# ------------------------------------------------------------------ summaries (pure)

def matrix(moves_frame: pd.DataFrame) -> pd.DataFrame:
    """from_state x to_state (6 x 6, zeros included): clients, value_from, value_to."""
    grid = pd.MultiIndex.from_product([FROM_STATES, TO_STATES], names=["from_state", "to_state"])
    out = (moves_frame.groupby(["from_state", "to_state"])
           .agg(clients=("unit_key", "size"), value_from=("value_from", "sum"), value_to=("value_to", "sum"))
           .reindex(grid, fill_value=0).reset_index())
    out["clients"] = out["clients"].astype(int)
    out["value_from"] = out["value_from"].astype(float)
    out["value_to"] = out["value_to"].astype(float)
    return out[MATRIX_COLUMNS]


def matrix_table(grid: pd.DataFrame, field: str = "clients") -> pd.DataFrame:
    """The matrix as a table: rows from_state, columns to_state (in state order)."""
    table = grid.pivot(index="from_state", columns="to_state", values=field)
    return table.reindex(index=list(FROM_STATES), columns=list(TO_STATES))


def matrix_dict(grid: pd.DataFrame, field: str, round_to: int | None = None) -> dict[str, dict[str, float]]:
    """{from_state: {to_state: value}} in state order (the CLI's shape)."""
    table = matrix_table(grid, field)
    out = {}
    for state in FROM_STATES:
        row = {}
        for target in TO_STATES:
            value = table.at[state, target]
            row[target] = int(value) if field == "clients" else (round(float(value), round_to) if round_to is not None
                                                                 else float(value))
        out[state] = row
    return out


def cell(moves_frame: pd.DataFrame, from_state: str, to_state: str) -> pd.DataFrame:
    """The units of one matrix cell, largest first."""
    hit = moves_frame.loc[(moves_frame["from_state"] == from_state) & (moves_frame["to_state"] == to_state)]
    return hit.sort_values(["value_to", "value_from", "unit_key"], ascending=[False, False, True]).reset_index(drop=True)


def movement_lists(moves_frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """upgrades and downgrades (between the four tiers; downgrades flag a KA leaving the top two),
    new_ka (关键/重点 in Q, not in P: new, returning or promoted), lost_ka (关键/重点 in P, not in Q:
    demoted or lost). Each sorted by the value at stake, largest first."""
    m = moves_frame
    steps = m["steps"].fillna(0)
    from_ka = m["from_state"].isin(KA_TIERS)
    to_ka = m["to_state"].isin(KA_TIERS)

    def by(frame: pd.DataFrame, column: str) -> pd.DataFrame:
        return frame.sort_values([column, "unit_key"], ascending=[False, True]).reset_index(drop=True)

    return {"upgrades": by(m.loc[steps > 0], "value_to"),
            "downgrades": by(m.loc[steps < 0], "value_from"),
            "new_ka": by(m.loc[to_ka & ~from_ka], "value_to"),
            "lost_ka": by(m.loc[from_ka & ~to_ka], "value_from")}


MOVE_VIEW_COLUMNS = ["name", "from", "to", "value_from", "value_to", "pinned", "reason"]
LIST_NAMES = ("upgrades", "downgrades", "new_ka", "lost_ka")


def state_text(state: str, lang: str) -> str:
    """关键 / 重点 / ... or 新增 / 流失 / 未活跃."""
    return t(f"tier.{state}" if state in TIERS else f"state.{state}", lang)


def moves_frame(moves_frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Moves as people read them: name, from, to (state names), value_from, value_to, pinned (yes or
    empty), reason."""
    return pd.DataFrame({
        "name": moves_frame["unit_name"], "from": [state_text(x, lang) for x in moves_frame["from_state"]],
        "to": [state_text(x, lang) for x in moves_frame["to_state"]],
        "value_from": moves_frame["value_from"], "value_to": moves_frame["value_to"],
        "pinned": [t("w.yes", lang) if x else "" for x in moves_frame["pinned"]],
        "reason": moves_frame["reason"].astype(object).where(moves_frame["reason"].notna(), "")},
        columns=MOVE_VIEW_COLUMNS)


def moves_headers(p: periods.Period, q: periods.Period, lang: str, level: str = "client") -> dict[str, str]:
    return {"name": t("w.group" if level == "group" else "w.client", lang), "from": p.label, "to": q.label,
            "value_from": t("tiers.mig.value_in", lang, period=p.label),
            "value_to": t("tiers.mig.value_in", lang, period=q.label),
            "pinned": t("tiers.col.pinned", lang), "reason": t("tiers.col.reason", lang)}


def export_sheets(moves: pd.DataFrame, p: periods.Period, q: periods.Period, lang: str,
                  level: str = "client") -> dict[str, pd.DataFrame]:
    """The migration export: the matrix (clients, P value, Q value), the four lists, every move."""
    grid = matrix(moves)
    sheets = {}
    for field, key in (("clients", "tiers.mig.sheet_matrix"), ("value_from", "tiers.mig.value_from"),
                       ("value_to", "tiers.mig.value_to")):
        table = matrix_table(grid, field).rename(index=lambda x: state_text(x, lang),
                                                  columns=lambda x: state_text(x, lang))
        sheets[t(key, lang)] = table.reset_index(names=f"{p.label} → {q.label}")
    headers = moves_headers(p, q, lang, level)
    lists = movement_lists(moves)
    for name in LIST_NAMES:
        sheets[t(f"tiers.list.{name}", lang)] = moves_frame(lists[name], lang).rename(columns=headers)
    everyone = moves.sort_values(["from_state", "to_state", "value_to"], ascending=[True, True, False])
    sheets[t("tiers.mig.sheet_all", lang)] = moves_frame(everyone, lang).rename(columns=headers)
    return sheets


def sankey_flows(grids: pd.DataFrame, drop_idle: bool = True) -> pd.DataFrame:
    """The non-empty cells of matrices() as flows (same columns). drop_idle leaves out
    inactive -> inactive (units idle in both periods)."""
    flows = grids.loc[grids["clients"] > 0]
    if drop_idle:
        flows = flows.loc[~((flows["from_state"] == "inactive") & (flows["to_state"] == "inactive"))]
    return flows.reset_index(drop=True)
