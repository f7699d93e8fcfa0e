"""The churn watchlist: big clients quietly leaving, ranked by revenue at risk, with reasons.

As of a date D (history up to D only): one set-based query reads every unit's
order history (sql/churn_features.sql), the tiers module gives the current and
the previous quarter's tier, the rule signals score it (kam_core.churn_signals)
and, where the portfolio supports it, a BG/NBD fit gives P(alive):
risk = max(1 - Π(1 - w·s), 1 - P(alive)). Revenue at risk = trailing 12-month
revenue x risk. Definitions in DESIGN.md ("Churn watchlist").

Beside the signals the list carries what other parts of the book say needs attention
(`attention`): an A-level client overdue for contact (kam_core.coverage) is flagged,
and a client whose advance is behind or overdue (kam_core.advances) is listed with
that reason even without a signal.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from kam_core import advances, bgnbd, coverage, followup, periods, portfolio, tiers
from kam_core.cache import by_version
from kam_core.churn_signals import SIGNALS, ChurnSettings, SignalRule, reason_lists, score, tier_name
from kam_core.i18n import t
from kam_core.store import sql

WINDOW_DAYS = 90
BASE_DAYS = 365
MODEL_MODES = ("auto", "on", "off")
LEVELS = ("client", "group")
SCOPES = ("ka", "all") + tiers.TIERS
SETTINGS_KEY = "churn_settings"
# In auto mode the model is fitted only on a portfolio with this many units that ordered on two
# days or more in the 24 months before the as-of date.
MIN_REPEAT_UNITS = 30
WEEK = 7.0


# ------------------------------------------------------------------ settings

def saved_settings(store) -> ChurnSettings:
    """The team's saved weights and thresholds (defaults from DESIGN.md)."""
    return ChurnSettings.from_json(store.setting(SETTINGS_KEY, None))


def save_settings(store, settings: ChurnSettings) -> None:
    store.save_setting(SETTINGS_KEY, settings.to_json())


def settings_from_table(table: pd.DataFrame) -> ChurnSettings:
    """Settings from an edited table of weight, threshold, span (one row per signal, in SIGNALS order).

    ValueError when a value is missing or out of range.
    """
    if len(table) != len(SIGNALS):
        raise ValueError(f"expected {len(SIGNALS)} rows, one per signal")
    rules = {}
    for signal, row in zip(SIGNALS, table.itertuples(index=False)):
        values = {name: getattr(row, name) for name in ("weight", "threshold", "span")}
        if any(pd.isna(v) for v in values.values()):
            raise ValueError(f"{signal}: every value is needed")
        try:
            rules[signal] = SignalRule(**{k: float(v) for k, v in values.items()})
        except ValueError as exc:
            raise ValueError(f"{signal}: {exc}") from None
    return ChurnSettings(**rules)


# ------------------------------------------------------------------ windows

def year_back(day: dt.date) -> dt.date:
    """The same day a year earlier (29 February -> 28 February)."""
    return periods.trailing_year(day)[0] - dt.timedelta(days=1)


def windows(as_of: dt.date) -> dict[str, dt.date]:
    """The bounds the features query reads; each window is (after, until]."""
    day = dt.timedelta(days=1)
    last_after = as_of - WINDOW_DAYS * day
    year_ago = year_back(as_of)
    return {
        "as_of": as_of,
        "last_after": last_after,                          # last 90 days
        "prev_after": last_after - WINDOW_DAYS * day,      # the 90 days before
        "year_ago": year_ago,                              # the same 90 days a year earlier
        "year_ago_after": year_ago - WINDOW_DAYS * day,
        "base_after": last_after - BASE_DAYS * day,        # the 365 days before the last 90
        "gap_after": periods.add_months(as_of, -24),       # 24 months of order days for the median gap
        "t12m_after": year_ago,                            # trailing 12 months: (D - 1 year, D]
    }


def resolve_as_of(store, as_of: dt.date | None) -> dt.date | None:
    """The as-of date: the data end when omitted; ValueError past the data end."""
    data_end = portfolio.bounds(store).data_end
    if as_of is None:
        return data_end
    if data_end is not None and as_of > data_end:
        raise ValueError(f"as-of date {as_of} is after the data end {data_end}")
    return as_of


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")


def _check(level: str, model: str) -> None:
    _check_level(level)
    if model not in MODEL_MODES:
        raise ValueError(f"unknown model mode {model!r} (auto, on or off)")


# ------------------------------------------------------------------ features

@by_version()
def features(store, as_of: dt.date, level: str = "client") -> pd.DataFrame:
    """One row per unit with an order in the 24 months before as_of: the measures the signals read.

    (A unit silent for longer cannot show a signal: every window lies within those 24 months.)

    Columns: unit_key, unit_name, owner, first_order, last_order, days_since, dates_24m,
    median_gap, rev_last, rev_prev, rev_year_ago, t12m_revenue, days_last, days_base, cats_last,
    cats_prev, cities_last, cities_prev, tier, prev_tier, tier_level, prev_tier_level (0 = 关键 ..
    3 = 维持; missing where the unit had no tier then), period, prev_period. Cached per data version;
    do not modify the result.
    """
    _check_level(level)
    current, before, quarter_tiers = tier_quarters(store, as_of, level)
    params = {"level": level, "current_start": current.start, "previous_start": before.start,
              "tiers": list(tiers.TIERS), **windows(as_of)}
    with store.reader() as cur:
        cur.register("quarter_tiers", quarter_tiers)
        frame = cur.execute(sql("churn_features"), params).df()
        cur.unregister("quarter_tiers")
    for column in ("rev_last", "rev_prev", "rev_year_ago", "t12m_revenue", "median_gap", "tier_level",
                   "prev_tier_level"):
        frame[column] = frame[column].astype(float)
    frame["period"] = current.label
    frame["prev_period"] = before.label
    return frame


def tier_quarters(store, as_of: dt.date, level: str = "client") -> tuple[periods.Period, periods.Period, pa.Table]:
    """The current quarter at as_of, the one before, and both quarters' tiers (saved rule, pins) as
    Arrow: period_start, unit_key, tier.

    Each quarter is read as the current tiers at its end (tiers.tier_table, the very table
    tiers.current_tier_of reads for the coverage and other pages), so it is computed once per data version.
    """
    data_end = portfolio.bounds(store).data_end
    current = tiers.current_period(as_of, data_end)
    before = current.previous()
    rule, measure = tiers.saved_rule(store)
    table = pa.concat_tables([
        tiers.tier_table(store, "quarter", quarter.start, quarter.end, measure, level, rule)
        .select(["period_start", "unit_key", "tier"]) for quarter in (before, current)])
    return current, before, table


# ------------------------------------------------------------------ the model

@dataclass(frozen=True)
class ModelStatus:
    """Whether the BG/NBD fit is in the risk: state used | fallback | off, and why it fell back."""

    mode: str
    state: str
    reason: str | None = None          # little_history | not_converged | degenerate
    fit: bgnbd.BgNbdFit | None = None


@by_version()
def model_summary(store, as_of: dt.date, level: str = "client") -> pd.DataFrame:
    """Per unit: frequency (repeat order days), recency and T in weeks, as bgnbd.summarize defines them.

    Every unit with an order on or before as_of: first the units of features(), in their order, then
    the units silent for 24 months. The last 24 months come from the features, the older order days
    from one more query.
    """
    feats = features(store, as_of, level)
    recent = pa.Table.from_pandas(feats[["unit_key", "first_order", "last_order", "dates_24m"]],
                                  preserve_index=False).append_column("pos", pa.array(np.arange(len(feats))))
    gap_after = windows(as_of)["gap_after"]
    first_day = portfolio.bounds(store).first_day or as_of
    params = {"as_of": as_of, "gap_after": gap_after, "level": level, "first_day": first_day,
              "span": max((gap_after - first_day).days, 0)}
    with store.reader() as cur:
        cur.register("recent", recent)
        frame = cur.execute(sql("churn_model_summary"), params).df()
        cur.unregister("recent")
    return pd.DataFrame({
        "unit_key": frame["unit_key"],
        "frequency": frame["frequency"].astype(np.int64),
        "recency": frame["recency_days"] / WEEK,
        "T": frame["age_days"] / WEEK,
    })


@by_version()
def model_fit(store, as_of: dt.date, level: str = "client") -> bgnbd.BgNbdFit | None:
    """The BG/NBD fit on every unit's order days up to as_of (None without a repeat buyer)."""
    summary = model_summary(store, as_of, level)
    if not (summary["frequency"] > 0).any():
        return None
    return bgnbd.fit(summary["frequency"], summary["recency"], summary["T"])


def p_alive(store, as_of: dt.date, level: str, fit: bgnbd.BgNbdFit) -> np.ndarray:
    """P(alive) of each unit of features(store, as_of, level), in its order, under a fit."""
    units = len(features(store, as_of, level))
    summary = model_summary(store, as_of, level).head(units)
    return bgnbd.p_alive(fit, summary["frequency"], summary["recency"], summary["T"])


def model_status(store, as_of: dt.date, level: str, mode: str) -> ModelStatus:
    """auto: fit where enough units bought again, use it when usable; on: fit and use whenever usable."""
    if mode == "off":
        return ModelStatus(mode, "off")
    repeat_units = int((features(store, as_of, level)["dates_24m"] >= 2).sum())
    if mode == "auto" and repeat_units < MIN_REPEAT_UNITS:
        return ModelStatus(mode, "fallback", "little_history")
    fit = model_fit(store, as_of, level)
    if fit is None or not fit.converged:
        return ModelStatus(mode, "fallback", "not_converged", fit)
    if not fit.usable:
        return ModelStatus(mode, "fallback", "degenerate", fit)
    return ModelStatus(mode, "used", None, fit)


# ------------------------------------------------------------------ scores

@dataclass(frozen=True)
class Scores:
    as_of: dt.date | None
    level: str
    model: ModelStatus
    frame: pd.DataFrame


@by_version()
def scores(store, as_of: dt.date, level: str = "client", settings: ChurnSettings = ChurnSettings(),
           model: str = "auto") -> Scores:
    """Every unit scored: features, x_/s_ per signal, rule_risk, p_alive, risk, revenue_at_risk, ka.

    Cached per data version and arguments; do not modify the frame.
    """
    _check(level, model)
    feats = features(store, as_of, level)
    status = model_status(store, as_of, level, model)
    frame = score(feats, settings)
    if status.state == "used":
        frame["p_alive"] = p_alive(store, as_of, level, status.fit)     # frame keeps the features' order
        frame["risk"] = np.maximum(frame["rule_risk"], 1 - frame["p_alive"])
    else:
        frame["p_alive"] = np.nan
        frame["risk"] = frame["rule_risk"]
    frame["model_drives"] = frame["risk"] > frame["rule_risk"]
    # A unit whose trailing year nets to a refund has nothing left to lose.
    frame["revenue_at_risk"] = frame["t12m_revenue"].clip(lower=0) * frame["risk"]
    frame["ka"] = key_accounts(frame)
    return Scores(as_of, level, status, frame)


def key_accounts(frame: pd.DataFrame) -> pd.Series:
    """The key accounts the watchlist watches: 关键 or 重点 now or in the quarter before, and a client
    gone quiet (no tier this quarter) whose trailing-12-month revenue is as large as a current key
    account's. A big client that stopped ordering has no current tier: it must not drop off the list
    that exists to catch it."""
    ka_now = frame["tier"].isin(tiers.KA_TIERS)
    floor = frame.loc[ka_now, "t12m_revenue"].min()
    quiet_big = frame["tier"].isna() & (frame["t12m_revenue"] >= floor) if ka_now.any() else False
    return ka_now | frame["prev_tier"].isin(tiers.KA_TIERS) | quiet_big


def ranked(frame: pd.DataFrame) -> pd.DataFrame:
    """Largest revenue at risk first; ties by risk, then by key (code-point order)."""
    return frame.sort_values(["revenue_at_risk", "risk", "unit_key"], ascending=[False, False, True],
                             kind="stable").reset_index(drop=True)


def in_scope(frame: pd.DataFrame, scope: str) -> pd.Series:
    """ka (key_accounts), all, or one tier."""
    if scope == "ka":
        return frame["ka"]
    if scope == "all":
        return pd.Series(True, index=frame.index)
    if scope in tiers.TIERS:
        return frame["tier"] == scope
    raise ValueError(f"unknown scope {scope!r}")


# ------------------------------------------------------------------ attention from coverage and advances

ATTENTION_COLUMNS = ["unit_key", "contact_overdue", "advance_behind", "flags"]
# Service levels whose overdue contact is flagged on the watchlist.
FLAG_CONTACT_LEVELS = ("A",)


@by_version()
def units(store, level: str = "client") -> pd.DataFrame:
    """client_key, client_name, unit_key: each client's unit (itself, or its group)."""
    _check_level(level)
    return store.query("churn_units", level=level)


def _member_text(text: str, client: str, unit_key: str, client_key: str, lang: str) -> str:
    """A group's flag names the member client it is about."""
    return text if unit_key == client_key else t("churn.flag.member", lang, client=client, text=text)


def _lower_first(text: str, lang: str) -> str:
    return text[:1].lower() + text[1:] if lang == "en" and text else text


@by_version()
def attention(store, as_of: dt.date, level: str = "client", lang: str = "zh") -> pd.DataFrame:
    """The units that need attention beyond the churn signals at as_of: ATTENTION_COLUMNS.

    contact_overdue: an A-level client (of the unit) is overdue for contact (coverage.coverage_table);
    advance_behind: an advance of the unit is behind or overdue (advances.behind); flags: a list of
    {flag: contact | advance, text} in words, contacts first, then advances as advances.behind orders
    them. Only units with a flag have a row. Cached per data version; do not modify the result.
    """
    # A client is its own unit at client level; only groups need the member table.
    member = units(store, level).set_index("client_key")["unit_key"] if level == "group" else {}
    rows: list[tuple[str, str, str]] = []              # unit_key, flag, text
    late = coverage.overdue_clients(store, as_of, FLAG_CONTACT_LEVELS)
    for row in late.itertuples(index=False):
        if pd.isna(row.days_since):
            text = t("churn.flag.contact_never", lang, cadence=int(row.cadence_days))
        else:
            text = t("churn.flag.contact", lang, days=int(row.days_since), cadence=int(row.cadence_days))
        unit = member.get(row.client_key, row.client_key)
        rows.append((unit, "contact", _member_text(text, row.client, unit, row.client_key, lang)))
    for row in advances.behind(store, as_of, lang).itertuples(index=False):
        text = t(f"churn.flag.advance_{row.status}", lang, id=int(row.advance_id),
                 reason=_lower_first(str(row.reason), lang))
        unit = member.get(row.client_key, row.client_key)
        rows.append((unit, "advance", _member_text(text, row.client, unit, row.client_key, lang)))
    if not rows:
        return pd.DataFrame({"unit_key": pd.Series(dtype=object), "contact_overdue": pd.Series(dtype=bool),
                             "advance_behind": pd.Series(dtype=bool), "flags": pd.Series(dtype=object)})
    flat = pd.DataFrame(rows, columns=["unit_key", "flag", "text"])
    flat["item"] = [{"flag": f, "text": x} for f, x in zip(flat["flag"], flat["text"])]
    by_unit = flat.groupby("unit_key", sort=True)
    out = pd.DataFrame({"contact_overdue": (flat["flag"] == "contact").groupby(flat["unit_key"]).any(),
                        "advance_behind": (flat["flag"] == "advance").groupby(flat["unit_key"]).any(),
                        "flags": by_unit["item"].agg(list)})
    return out.rename_axis("unit_key").reset_index()[ATTENTION_COLUMNS]


def with_attention(frame: pd.DataFrame, flagged: pd.DataFrame) -> pd.DataFrame:
    """frame (one row per unit_key) with contact_overdue, advance_behind and flags ([] when none)."""
    out = frame.copy()
    indexed = flagged.set_index("unit_key")
    for column in ("contact_overdue", "advance_behind"):
        out[column] = out["unit_key"].map(indexed[column]).eq(True)
    flags = out["unit_key"].map(indexed["flags"])
    out["flags"] = [f if isinstance(f, list) else [] for f in flags]
    return out


# ------------------------------------------------------------------ the watchlist

WATCHLIST_COLUMNS = ["rank", "unit_key", "unit_name", "owner", "tier", "risk", "rule_risk", "p_alive",
                     "t12m_revenue", "revenue_at_risk", "signals", *[f"s_{s}" for s in SIGNALS], "reasons",
                     "contact_overdue", "advance_behind", "flags", "reason_text"]


@dataclass(frozen=True)
class Watchlist:
    as_of: dt.date | None
    level: str
    scope: str
    model: ModelStatus
    frame: pd.DataFrame            # WATCHLIST_COLUMNS, ranked

    @property
    def empty(self) -> bool:
        return self.frame.empty

    @property
    def revenue_at_risk(self) -> float:
        return float(self.frame["revenue_at_risk"].sum())

    @property
    def t12m_revenue(self) -> float:
        """The listed units' trailing 12-month revenue (refund-only years count 0, as in the risk)."""
        return float(self.frame["t12m_revenue"].clip(lower=0).sum())

    @property
    def share_at_risk(self) -> float | None:
        """Revenue at risk over the listed units' trailing 12-month revenue."""
        return self.revenue_at_risk / self.t12m_revenue if self.t12m_revenue > 0 else None


def watchlist(store, as_of: dt.date | None = None, level: str = "client", settings: ChurnSettings | None = None,
              model: str = "auto", scope: str = "ka", owner: str | None = None, lang: str = "zh",
              top: int | None = None) -> Watchlist:
    """The units in scope with at least one signal, by revenue at risk, each with its reasons.

    A unit with an advance behind or overdue is listed too, signal or not (in the KA and all scopes
    whatever its tier; in a tier scope when it has that tier). Each row carries its signal reasons
    (reasons), what else needs attention (flags: an A-level client overdue for contact, an advance
    behind) and both in words (reason_text: the signals, then the flags).
    settings None = the team's saved settings. ValueError for a bad level, mode, scope or date.
    """
    as_of = resolve_as_of(store, as_of)
    settings = settings if settings is not None else saved_settings(store)
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    _check(level, model)
    if as_of is None:      # no orders yet
        status = ModelStatus(model, "off") if model == "off" else ModelStatus(model, "fallback", "little_history")
        return Watchlist(None, level, scope, status, pd.DataFrame(columns=WATCHLIST_COLUMNS))
    return _watchlist(store, as_of, level, settings, model, scope, owner, lang, top)


@by_version()
def _watchlist(store, as_of, level, settings, model, scope, owner, lang, top) -> Watchlist:
    scored = scores(store, as_of, level, settings, model)
    frame = scored.frame
    flagged = attention(store, as_of, level, lang)
    behind = frame["unit_key"].isin(flagged.loc[flagged["advance_behind"], "unit_key"])
    scoped = in_scope(frame, scope)
    if scope in ("ka", "all"):
        scoped |= behind
    keep = scoped & ((frame["signals"] > 0) | behind)
    if owner is not None:
        keep &= frame["owner"] == owner
    listed = ranked(frame[keep])
    if top is not None:
        listed = listed.head(top)
    # The flags go on the listed rows only: a few, where the scored frame has every unit.
    listed = with_attention(listed, flagged)
    listed["rank"] = np.arange(1, len(listed) + 1)
    listed["reasons"] = reason_lists(listed, lang)
    listed["reason_text"] = [join_texts([*rs, *fs], lang) for rs, fs in zip(listed["reasons"], listed["flags"])]
    return Watchlist(as_of, level, scope, scored.model, listed[WATCHLIST_COLUMNS].reset_index(drop=True))


def join_texts(items: list[dict], lang: str) -> str:
    """Reasons (or flags) in one line."""
    return ("；" if lang == "zh" else "; ").join(item["text"] for item in items)


def owners(store, as_of: dt.date | None = None, level: str = "client") -> list[str]:
    """The owners of the scored units, for the owner filter."""
    as_of = resolve_as_of(store, as_of)
    if as_of is None:
        return []
    return sorted(features(store, as_of, level)["owner"].dropna().unique().tolist())


def client_signals(store, unit_key: str, as_of: dt.date | None = None, level: str = "client",
                   lang: str = "zh", settings: ChurnSettings | None = None, model: str = "auto") -> dict | None:
    """One unit's churn picture at as_of: risk, revenue at risk, reasons and the model state.

    Keys: unit_key, unit_name, owner, as_of, tier, risk, rule_risk, p_alive, t12m_revenue, revenue_at_risk,
    on_watchlist (in the default KA list), reasons (list of signal, strength, text), flags (list of
    flag, text: contact overdue, advance behind), model.
    None when the unit has no order in the 24 months before as_of.
    """
    return units_signals(store, [unit_key], as_of, level, lang, settings, model).get(unit_key)


def units_signals(store, unit_keys, as_of: dt.date | None = None, level: str = "client", lang: str = "zh",
                  settings: ChurnSettings | None = None, model: str = "auto") -> dict[str, dict]:
    """client_signals of many units in one pass over the scores (a meeting's agenda): unit_key -> the
    picture; units without an order in the 24 months before as_of are left out."""
    as_of = resolve_as_of(store, as_of)
    if as_of is None:
        return {}
    wanted = set(unit_keys)
    settings = settings if settings is not None else saved_settings(store)
    scored = scores(store, as_of, level, settings, model)
    hits = scored.frame[scored.frame["unit_key"].isin(wanted)].drop_duplicates("unit_key")
    if hits.empty:
        return {}
    flagged = attention(store, as_of, level, lang)
    flags_of = {key: list(flags) for key, flags in zip(flagged["unit_key"], flagged["flags"]) if key in wanted}
    out = {}
    for row, reasons in zip(hits.to_dict("records"), reason_lists(hits, lang)):
        flags = flags_of.get(row["unit_key"], [])
        advance_behind = any(f["flag"] == "advance" for f in flags)
        out[row["unit_key"]] = {
            "unit_key": row["unit_key"], "unit_name": row["unit_name"],
            "owner": None if pd.isna(row["owner"]) else row["owner"], "as_of": as_of,
            "tier": None if pd.isna(row["tier"]) else row["tier"],
            "risk": float(row["risk"]), "rule_risk": float(row["rule_risk"]),
            "p_alive": None if np.isnan(row["p_alive"]) else float(row["p_alive"]),
            "t12m_revenue": float(row["t12m_revenue"]), "revenue_at_risk": float(row["revenue_at_risk"]),
            "on_watchlist": bool((row["ka"] and row["signals"] > 0) or advance_behind),
            "in_ka_scope": bool(row["ka"]),
            "reasons": reasons,
            "flags": flags,
            "model": scored.model.state,
        }
    return out


# ------------------------------------------------------------------ export

def export_frame(listed: Watchlist, lang: str, store=None) -> pd.DataFrame:
    """The watchlist as a sheet: localized headers, money to 2 decimals, tiers and statuses in words.

    With a store at client level, each client's follow-up (status, owner, next step, latest note) is added.
    """
    frame = listed.frame
    with_followup = store is not None and listed.level == "client"
    if with_followup:
        frame = followup.attach(store, frame)
    out = pd.DataFrame({
        t("churn.col.rank", lang): frame["rank"],
        t(f"w.{listed.level}", lang): frame["unit_name"],
        t("w.tier", lang): [tier_name(v, lang) for v in frame["tier"]],
        t("churn.col.risk", lang): frame["risk"].astype(float).round(4),
        t("churn.col.at_risk", lang): frame["revenue_at_risk"].astype(float).round(2),
        t("churn.col.reasons", lang): frame["reason_text"],
        t("w.owner", lang): frame["owner"],
        t("churn.col.t12m", lang): frame["t12m_revenue"].astype(float).round(2),
    })
    if listed.model.state == "used":
        out.insert(4, t("churn.col.p_alive", lang), frame["p_alive"].astype(float).round(4))
    if with_followup:
        out[t("churn.col.status", lang)] = [t(f"churn.status.{s or 'none'}", lang) for s in frame["status"]]
        out[t("churn.col.fu_owner", lang)] = frame["fu_owner"]
        out[t("churn.col.next_step", lang)] = frame["next_step"]
        out[t("churn.col.last_note_date", lang)] = frame["last_note_date"]
        out[t("churn.col.last_note", lang)] = frame["last_note"]
    return out
