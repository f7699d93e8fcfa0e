"""Saved prepayment scenarios (预付款测算方案): inputs, results, data version and time.

A scenario is one run of the prepayment model kept for the meeting and for the
ledger: the inputs (every PrepayInputs field, JSON), the results (forecast
P10 / P50 / P90, the recommended advance, the monthly and cumulative fans,
and the typed advance's figures when there was one, JSON), the store's data
version at saving and the time. Scenarios live in their own table, so order
imports and deletions leave them alone. A scenario that a signed advance was
sized by cannot be deleted (the ledger reads its cumulative fan).
"""
from __future__ import annotations

import json
from typing import Any

import pandas as pd

from kam_core import fmt
from kam_core.cache import by_version
from kam_core.i18n import t
from kam_core.prepay import PrepayInputs, inputs_from_dict, inputs_to_dict
from kam_core.store import sql

# What a summary (kam_core.prepay.summarize) keeps in a saved scenario.
RESULT_KEYS = ("forecast", "expected_sales", "recommended_advance", "probability", "rule", "commission_income",
               "monthly_fan", "cumulative_fan")
ADVANCE_KEYS = ("advance", "recoup_probability", "expected_shortfall", "expected_extra_months",
                "extra_months_capped_paths", "expected_balance_months", "financing_cost", "recouped_after_term",
                "deal_margin")
MAX_NAME = 120

LIST_COLUMNS = ["scenario_id", "name", "client_key", "client_name", "created_at", "data_version", "stores_now",
                "stores_target", "term_months", "rule", "probability", "p10", "p50", "p90", "recommended_advance",
                "advance", "recoup_probability"]
INPUT_FIELDS = ("stores_now", "stores_target", "term_months", "schedule", "month_table", "store_monthly_sales",
                "sales_cv", "channel_share", "share_cv", "ramp_start", "ramp_months", "delay_prob", "delay_months",
                "commission", "cost_of_capital", "rule", "probability", "paths", "seed")
RESULT_FIGURES = ("p10", "p50", "p90", "expected_sales", "recommended_advance", "advance", "recoup_probability",
                  "expected_shortfall", "expected_extra_months", "financing_cost", "commission_income", "deal_margin")
COMPARE_COLUMNS = ["scenario_id", "name", "client_key", "client_name", "created_at", "data_version",
                   *INPUT_FIELDS, *RESULT_FIGURES]


class ScenarioInUse(ValueError):
    """The scenario sized a signed advance; the ledger still reads it."""

    def __init__(self, scenario_id: int, advance_ids: list[int]):
        self.scenario_id = scenario_id
        self.advance_ids = advance_ids
        super().__init__(f"scenario {scenario_id} sized advance(s) {', '.join(map(str, advance_ids))}; "
                         "it cannot be deleted")


def _results(inputs: PrepayInputs, summary: dict[str, Any]) -> dict[str, Any]:
    missing = [k for k in RESULT_KEYS if k not in summary]
    if missing:
        raise ValueError(f"summary lacks {', '.join(missing)}: pass the result of kam_core.prepay.summarize")
    if len(summary["cumulative_fan"]["month"]) != inputs.term_months:
        raise ValueError("summary and inputs disagree on the term: the summary was computed for other inputs")
    out = {k: summary[k] for k in RESULT_KEYS}
    if summary.get("advance") is not None:
        out.update({k: summary[k] for k in ADVANCE_KEYS if k in summary})
    return out


def save(store, name: str, inputs: PrepayInputs, summary: dict[str, Any], client_key: str | None = None) -> int:
    """Keep one run (summary = kam_core.prepay.summarize(...) of these inputs); its id back."""
    name = (name or "").strip()
    if not name:
        raise ValueError("a scenario needs a name")
    if len(name) > MAX_NAME:
        raise ValueError(f"a scenario name has at most {MAX_NAME} characters")
    if not isinstance(inputs, PrepayInputs):
        raise TypeError("inputs must be a PrepayInputs")
    params = {"name": name, "client_key": client_key,
              "inputs": json.dumps(inputs_to_dict(inputs), ensure_ascii=False),
              "results": json.dumps(_results(inputs, summary), ensure_ascii=False)}
    with store.write() as cur:
        (scenario_id,) = cur.execute(sql("scenarios_insert"), params).fetchone()
    return int(scenario_id)


@by_version()
def list_scenarios(store, client_key: str | None = None) -> pd.DataFrame:
    """Saved scenarios (one client's, or all), newest first: LIST_COLUMNS."""
    frame = store.query("scenarios_list", client_key=client_key)
    return frame[LIST_COLUMNS]


def get(store, scenario_id: int) -> dict[str, Any]:
    """One scenario: scenario_id, name, client_key, client_name, inputs (a
    PrepayInputs), results (dict as saved), data_version, created_at.
    KeyError when there is no such scenario."""
    frame = store.query("scenarios_get", scenario_id=int(scenario_id))
    if frame.empty:
        raise KeyError(f"no scenario {scenario_id}")
    row = frame.iloc[0]
    created = row["created_at"]
    return {
        "scenario_id": int(row["scenario_id"]),
        "name": str(row["name"]),
        "client_key": None if pd.isna(row["client_key"]) else str(row["client_key"]),
        "client_name": None if pd.isna(row["client_name"]) else str(row["client_name"]),
        "inputs": inputs_from_dict(json.loads(row["inputs"])),
        "results": json.loads(row["results"]),
        "data_version": None if pd.isna(row["data_version"]) else int(row["data_version"]),
        "created_at": created.to_pydatetime() if isinstance(created, pd.Timestamp) else created,
    }


def delete(store, scenario_id: int) -> None:
    """Remove one scenario. KeyError when there is none; ScenarioInUse when a
    signed advance was sized by it."""
    advances = store.query("scenarios_advances", scenario_id=int(scenario_id))
    if not advances.empty:
        raise ScenarioInUse(int(scenario_id), [int(a) for a in advances["advance_id"]])
    with store.write() as cur:
        gone = cur.execute(sql("scenarios_delete"), {"scenario_id": int(scenario_id)}).fetchall()
    if not gone:
        raise KeyError(f"no scenario {scenario_id}")


# ---------------------------------------------------------------- comparing and exporting


def _row(meta: dict[str, Any], inputs: PrepayInputs, results: dict[str, Any]) -> dict[str, Any]:
    """One scenario's figures under COMPARE_COLUMNS."""
    values = inputs_to_dict(inputs)
    row = {k: meta.get(k) for k in ("scenario_id", "name", "client_key", "client_name", "created_at", "data_version")}
    row.update({k: values[k] for k in INPUT_FIELDS})
    if row["month_table"] is not None:
        row["month_table"] = ",".join(str(c) for c in row["month_table"])
    row.update({k: results["forecast"][k] for k in ("p10", "p50", "p90")})
    row.update({k: results.get(k) for k in RESULT_FIGURES if k not in ("p10", "p50", "p90")})
    return row


def compare(store, scenario_ids: list[int]) -> pd.DataFrame:
    """The scenarios side by side: one row each, in the order given, COMPARE_COLUMNS
    (advance figures None where no advance was typed). Unknown ids are skipped."""
    rows = []
    for scenario_id in scenario_ids:
        try:
            scenario = get(store, scenario_id)
            rows.append(_row(scenario, scenario["inputs"], scenario["results"]))
        except KeyError:
            continue
    return pd.DataFrame(rows, columns=COMPARE_COLUMNS)


def fans(store, scenario_ids: list[int]) -> pd.DataFrame:
    """Monthly and cumulative fans of the scenarios, long: scenario_id, name, month,
    monthly_p10/_p50/_p90, cumulative_p10/_p50/_p90."""
    frames = []
    for scenario_id in scenario_ids:
        try:
            s = get(store, scenario_id)
        except KeyError:
            continue
        m, c = s["results"]["monthly_fan"], s["results"]["cumulative_fan"]
        frames.append(pd.DataFrame({
            "scenario_id": s["scenario_id"], "name": s["name"], "month": m["month"],
            "monthly_p10": m["p10"], "monthly_p50": m["p50"], "monthly_p90": m["p90"],
            "cumulative_p10": c["p10"], "cumulative_p50": c["p50"], "cumulative_p90": c["p90"],
        }))
    columns = ["scenario_id", "name", "month", "monthly_p10", "monthly_p50", "monthly_p90",
               "cumulative_p10", "cumulative_p50", "cumulative_p90"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


MONEY_FIGURES = {"store_monthly_sales", "p10", "p50", "p90", "expected_sales", "recommended_advance", "advance",
                 "expected_shortfall", "financing_cost", "commission_income", "deal_margin"}
SHARE_FIGURES = {"sales_cv", "channel_share", "share_cv", "ramp_start", "delay_prob", "commission",
                 "cost_of_capital", "probability", "recoup_probability"}


def _value(figure: str, value: Any, lang: str, formatted: bool) -> Any:
    """One cell of the side-by-side table: text labels translated; with
    formatted, numbers as managers read them (money in 万 / 亿 or K / M)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—" if formatted else None
    if figure in ("schedule", "rule"):
        return t(f"pp.{figure}.{value}", lang)
    if figure == "created_at":
        return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")
    if hasattr(value, "item"):  # numpy scalars: plain numbers for the workbook
        value = value.item()
    if figure in SHARE_FIGURES:
        return fmt.pct(value, digits=1 if formatted else 2)
    if not formatted:
        return round(value, 2) if isinstance(value, float) else value
    if figure in MONEY_FIGURES:
        return fmt.money(value, lang)
    if figure == "expected_extra_months":
        return fmt.number(value, 2)
    return str(value)


def figure_label(figure: str, lang: str) -> str:
    """An input's label as on the page, or a result's."""
    return t(f"pp.in.{figure}" if figure in INPUT_FIELDS else f"pp.fig.{figure}", lang)


def side_by_side(frame: pd.DataFrame, lang: str = "zh", formatted: bool = True) -> pd.DataFrame:
    """compare()'s rows turned into columns: one row per figure (labelled in
    lang), one column per scenario ("#id name")."""
    label = t("pp.col.figure", lang)
    shown = [c for c in COMPARE_COLUMNS if c not in ("scenario_id", "name", "client_key")]
    out = pd.DataFrame({label: [figure_label(c, lang) for c in shown]})
    for _, row in frame.iterrows():
        out[f"#{row['scenario_id']} {row['name']}"] = [_value(c, row[c], lang, formatted) for c in shown]
    return out


def export_sheets(store, scenario_ids: list[int], lang: str = "zh") -> dict[str, pd.DataFrame]:
    """The workbook of a comparison: the figures side by side, and the fans."""
    frame = compare(store, scenario_ids)
    fan = fans(store, scenario_ids)
    fan.columns = [t(f"pp.fan.{c}", lang) for c in fan.columns]
    return {t("pp.sheet.compare", lang): side_by_side(frame, lang, formatted=False), t("pp.sheet.fans", lang): fan}


SENSITIVITY_COLUMNS = ("input", "base", "low", "high", "advance_low", "advance_high", "swing")


def current_sheets(inputs: PrepayInputs, summary: dict[str, Any], sensitivity_rows, lang: str = "zh",
                   client_name: str | None = None) -> dict[str, pd.DataFrame]:
    """The workbook of a sizing on screen (saved or not): inputs and results,
    the fans, and the sensitivity rows (kam_core.prepay.sensitivity)."""
    row = _row({"client_name": client_name}, inputs, summary)
    shown = [c for c in COMPARE_COLUMNS if c not in ("scenario_id", "name", "client_key", "created_at", "data_version")]
    figures = pd.DataFrame({t("pp.col.figure", lang): [figure_label(c, lang) for c in shown],
                            t("pp.col.value", lang): [_value(c, row[c], lang, False) for c in shown]})
    m, c = summary["monthly_fan"], summary["cumulative_fan"]
    fan = pd.DataFrame({"month": m["month"], "monthly_p10": m["p10"], "monthly_p50": m["p50"],
                        "monthly_p90": m["p90"], "cumulative_p10": c["p10"], "cumulative_p50": c["p50"],
                        "cumulative_p90": c["p90"]})
    fan.columns = [t(f"pp.fan.{col}", lang) for col in fan.columns]
    sens = pd.DataFrame([{k: r[k] for k in SENSITIVITY_COLUMNS} for r in sensitivity_rows],
                        columns=list(SENSITIVITY_COLUMNS))
    sens["input"] = [figure_label(name, lang) for name in sens["input"]]
    sens.columns = [t(f"pp.sens.{col}", lang) for col in sens.columns]
    return {t("pp.sheet.inputs", lang): figures, t("pp.sheet.fans", lang): fan,
            t("pp.sheet.sensitivity", lang): sens}
