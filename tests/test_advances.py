"""The advance ledger on hand-made order histories, the rules, signing scenarios, and `advance add / list`."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kam_core import advances, scenarios
from kam_core.__main__ import main
from kam_core.prepay import PrepayInputs, simulate, summarize
from tests.helpers import ROOT, d, store_with_orders

# 链甲 buys 10,000 on the 15th of every month of 2024. 静乙 buys 20,000 on 10 January, February and
# March 2024, then goes quiet. Data through 2024-12-31.
ORDERS = ([{"client": "链甲", "date": f"2024-{m:02d}-15", "amount": 10_000} for m in range(1, 13)]
          + [{"client": "静乙", "date": f"2024-{m:02d}-10", "amount": 20_000} for m in (1, 2, 3)])

# (client, amount, start, months, rule, recoup rate)
TERMS = {
    1: ("链甲", 100_000, "2024-01-01", 6, "refund", 1),    # term end 2024-06-30
    2: ("链甲", 100_000, "2024-01-01", 6, "extend", 1),    # term end 2024-06-30
    3: ("静乙", 100_000, "2024-01-01", 12, "extend", 1),   # term end 2024-12-31
    4: ("静乙", 100_000, "2024-01-01", 12, "refund", 1),   # term end 2024-12-31
    5: ("链甲", 50_000, "2024-02-01", 12, "refund", 0.5),  # term end 2025-01-31
}


@pytest.fixture
def store(tmp_path):
    s = store_with_orders(tmp_path, ORDERS, data_through=d("2024-12-31"))
    for number, (client, amount, start, months, rule, rate) in TERMS.items():
        assert advances.add_advance(s, client, amount, d(start), months, rule, rate) == number
    yield s
    s.close()


def _at(store, as_of: str) -> dict[int, dict]:
    return {r["advance_id"]: r for r in advances.ledger(store, d(as_of)).to_dict("records")}


def _close(actual, expected) -> bool:
    return actual == pytest.approx(float(expected), abs=1e-6)


# ------------------------------------------------------------------ dates

@pytest.mark.parametrize("start, months, end", [
    ("2024-01-01", 6, "2024-06-30"), ("2024-01-31", 1, "2024-02-28"), ("2024-02-29", 12, "2025-02-27"),
    ("2023-03-31", 1, "2023-04-29"), ("2024-03-15", 12, "2025-03-14"),
])
def test_term_end(tmp_path, start, months, end):
    # start + N months (clipped to the month's last day) - 1 day, in Python and in SQL alike.
    assert advances.term_end(d(start), months) == d(end)
    s = store_with_orders(tmp_path, ORDERS)
    new_id = advances.add_advance(s, "链甲", 1, d(start), months)
    assert _at(s, "2024-12-31")[new_id]["end"] == d(end)
    s.close()


# ------------------------------------------------------------------ before, during and after the term

def test_before_the_start(store):
    rows = _at(store, "2023-12-31")
    for r in rows.values():
        assert (r["counted"], r["recouped"], r["remaining"]) == (0.0, 0.0, r["amount"])
        assert r["run_rate"] is None or r["run_rate"] != r["run_rate"]   # None / NaN: nothing to measure yet
        assert r["status"] == "on_track"
    assert rows[1]["days_left"] == 182   # 2023-12-31 .. 2024-06-30


def test_during_the_term(store):
    rows = _at(store, "2024-03-31")
    # #1 refund: counted Jan 15 + Feb 15 + Mar 15 = 30,000. Days counted 91 (Jan 1 .. Mar 31), window the last
    # 90 (Jan 2 .. Mar 31) holds the same 30,000: run rate 30,000 / 90 x 30.44 = 10,146.67 a month.
    # 91 days left to 2024-06-30: projected 30,000 + 30,000 x 91 / 90 = 60,333.33 < 100,000: behind,
    # refund due at term end 39,666.67.
    one = rows[1]
    assert (one["counted"], one["recouped"], one["remaining"]) == (30_000, 30_000, 70_000)
    assert _close(one["run_rate"], Fraction(30_000, 90) * Fraction("30.44"))
    assert one["days_left"] == 91
    assert _close(one["projected_at_end"], 30_000 + Fraction(30_000 * 91, 90))
    assert one["status"] == "behind"
    assert _close(one["refund_due"], 100_000 - 30_000 - Fraction(30_000 * 91, 90))
    assert one["extension_months"] != one["extension_months"]   # NaN: not the refund rule's figure
    # #2 the same under extend: months of extension = 39,666.67 / 10,146.67 = 3.9093.
    two = rows[2]
    assert two["status"] == "behind" and two["refund_due"] != two["refund_due"]
    assert _close(two["extension_months"], (100_000 - 30_000 - Fraction(30_000 * 91, 90))
                  / (Fraction(30_000, 90) * Fraction("30.44")))
    # #3 静乙 extend: 60,000 counted, run rate 60,000 / 90 x 30.44; 275 days left: projected
    # 60,000 + 60,000 x 275 / 90 = 243,333.33 >= 100,000: on track, no extension.
    three = rows[3]
    assert three["counted"] == 60_000 and three["days_left"] == 275
    assert _close(three["projected_at_end"], 60_000 + Fraction(60_000 * 275, 90))
    assert three["status"] == "on_track" and three["extension_months"] == 0
    # #5 recoup rate 0.5 from 2024-02-01: 60 days counted (Feb 1 .. Mar 31), all in the window; revenue
    # 20,000 -> counted 10,000; run rate 10,000 / 60 x 30.44 = 5,073.33; 306 days left to 2025-01-31:
    # projected 10,000 + 10,000 x 306 / 60 = 61,000 >= 50,000: on track, no refund.
    five = rows[5]
    assert five["counted"] == 10_000 and five["days_left"] == 306
    assert _close(five["run_rate"], Fraction(10_000, 60) * Fraction("30.44"))
    assert _close(five["projected_at_end"], 61_000)
    assert five["status"] == "on_track" and five["refund_due"] == 0


def test_a_client_that_goes_quiet(store):
    rows = _at(store, "2024-07-31")
    # 静乙 bought nothing after March: counted 60,000, nothing in the 90 days to 2024-07-31 (after 05-02):
    # run rate 0, projected = counted = 60,000 < 100,000: behind. Extend: never at this rate (None);
    # refund: 40,000 due at term end.
    three, four = rows[3], rows[4]
    assert (three["counted"], three["run_rate"], three["projected_at_end"]) == (60_000, 0, 60_000)
    assert three["status"] == four["status"] == "behind"
    assert three["extension_months"] != three["extension_months"]    # NaN in the frame: never
    assert four["refund_due"] == 40_000
    reasons = advances.behind(store, d("2024-07-31"), "en").set_index("advance_id")
    assert reasons.loc[3, "reason_code"] == "quiet" and "90 days" in reasons.loc[3, "reason"]


def test_after_the_term(store):
    rows = _at(store, "2024-07-31")
    # #1 refund: counting stopped at 2024-06-30 (60,000): overdue, refund 40,000; the run rate is of the
    # last 90 days of the term (Apr 15, May 15, Jun 15).
    one = rows[1]
    assert (one["counted"], one["remaining"], one["status"], one["refund_due"]) == (60_000, 40_000, "overdue", 40_000)
    assert one["days_left"] == 0 and one["term_ended"]
    assert _close(one["run_rate"], Fraction(30_000, 90) * Fraction("30.44"))
    # #2 extend: sales after the term count (July): 70,000, overdue, 30,000 / 10,146.67 = 2.9566 months.
    two = rows[2]
    assert (two["counted"], two["remaining"], two["status"]) == (70_000, 30_000, "overdue")
    assert _close(two["extension_months"], 30_000 / (Fraction(30_000, 90) * Fraction("30.44")))
    year_end = _at(store, "2024-12-31")
    assert year_end[1]["counted"] == 60_000 and year_end[1]["status"] == "overdue"
    assert (year_end[2]["counted"], year_end[2]["recouped"], year_end[2]["remaining"]) == (120_000, 100_000, 0)
    assert year_end[2]["status"] == "recouped" and year_end[2]["extension_months"] == 0
    # #3 on its last day is behind, not yet overdue; the day after it is overdue, and never recouped.
    assert year_end[3]["status"] == "behind" and not year_end[3]["term_ended"]
    after = _at(store, "2025-01-01")
    assert after[3]["status"] == "overdue" and after[3]["extension_months"] != after[3]["extension_months"]
    # #5: 0.5 x 11 months of 10,000 = 55,000 >= 50,000: recouped.
    assert (year_end[5]["counted"], year_end[5]["status"], year_end[5]["refund_due"]) == (55_000, "recouped", 0)


def test_behind_lists_the_reasons(store):
    frame = advances.behind(store, d("2024-07-31"), "zh")
    # Overdue first (#1 40,000 short, #2 30,000), then the quiet ones (#3, #4, 40,000 each).
    assert frame["advance_id"].tolist() == [1, 2, 3, 4]
    assert frame["reason_code"].tolist() == ["overdue", "overdue", "quiet", "quiet"]
    assert "2024-06-30" in frame.loc[0, "reason"] and "未回收" in frame.loc[0, "reason"]
    assert advances.behind(store, d("2023-12-31")).empty


def test_month_by_month(store):
    months = advances.progress(store, 1, d("2024-03-31"))
    assert months["month"].tolist() == [1, 2, 3, 4, 5, 6]
    assert months["month_start"].tolist()[:2] == [d("2024-01-01"), d("2024-02-01")]
    assert months["month_end"].iloc[-1] == d("2024-06-30")
    assert months["counted"].tolist() == [10_000, 10_000, 10_000, 0, 0, 0]
    assert months["cumulative"].tolist()[:3] == [10_000, 20_000, 30_000]
    assert months["cumulative"].iloc[3:].isna().all() and months["p50"].isna().all()
    # Extend after the term: months run on to the as-of date (9 months to 2024-09-30).
    extended = advances.progress(store, 2, d("2024-09-30"))
    assert len(extended) == 9 and extended["cumulative"].iloc[-1] == 90_000
    partial = advances.progress(store, 2, d("2024-09-20"))
    assert partial["partial"].iloc[-1] and partial["cumulative"].iloc[-1] == 90_000   # Sep 15 is in
    with pytest.raises(ValueError):
        advances.progress(store, 99, d("2024-09-30"))


# ------------------------------------------------------------------ the rules, exactly

amounts = st.decimals(min_value=1, max_value=10**9, places=2)
sums = st.decimals(min_value=0, max_value=10**9, places=2)


@given(amount=amounts, counted=sums, rate_counted=sums, rate_days=st.integers(0, 90),
       days_left=st.integers(0, 3700), ended=st.booleans(), rule=st.sampled_from(advances.RULES))
def test_standing_invariants(amount, counted, rate_counted, rate_days, days_left, ended, rule):
    s = advances.standing(amount, counted, rate_counted, rate_days, days_left, ended, rule)
    assert s.recouped + s.remaining == amount and s.recouped <= amount
    assert (s.status == "recouped") == (s.remaining == 0)
    if s.status != "recouped" and ended:
        assert s.status == "overdue"
    if 0 < rate_days < advances.MIN_PROJECTION_DAYS and not ended:
        # too few days of sales to project: on track (unless recouped), nothing owed yet
        assert s.status in ("recouped", "on_track") and s.projected_at_end is None and s.refund_due is None
    elif rate_days:
        projected = Fraction(counted) + Fraction(rate_counted) * days_left / rate_days
        if s.status not in ("recouped", "overdue"):
            assert (s.status == "behind") == (projected < Fraction(amount))
        owed = max(Fraction(0), Fraction(amount) - projected) if s.status != "recouped" else 0
        shortfall = s.refund_due if rule == "refund" else s.shortfall_at_end
        assert abs(Fraction(shortfall) - owed) < Fraction(1, 10**6)
        if rule == "extend" and owed > 0 and rate_counted > 0:
            run_rate = Fraction(rate_counted) / rate_days * Fraction("30.44")
            assert abs(Fraction(s.extension_months) - owed / run_rate) < Fraction(1, 10**6)
    else:
        assert s.run_rate is None and s.projected_at_end is None


def test_an_advance_signed_today_is_not_behind():
    """One day of sales projects nothing: no 'behind', no refund of the whole amount (as of day 29);
    from day 30 the run rate judges it."""
    early = advances.standing(Decimal(1_000_000), Decimal(0), Decimal(0), 1, 364, False, "refund")
    assert (early.status, early.projected_at_end, early.refund_due) == ("on_track", None, None)
    assert advances.standing(Decimal(1_000_000), Decimal(0), Decimal(0), 29, 336, False, "refund").status == "on_track"
    judged = advances.standing(Decimal(1_000_000), Decimal(0), Decimal(0), 30, 335, False, "refund")
    assert (judged.status, judged.refund_due) == ("behind", Decimal(1_000_000))


def test_standing_tie_is_on_track():
    # Projection exactly at the amount: 40 + 60 x 30 / 90 = 60 (not below 60): on track.
    assert advances.standing(Decimal(60), Decimal(40), Decimal(60), 90, 30, False, "refund").status == "on_track"
    assert advances.standing(Decimal("60.01"), Decimal(40), Decimal(60), 90, 30, False, "refund").status == "behind"


def test_add_advance_refuses_bad_terms(store):
    version = store.version()
    for kwargs, error in [
        ({"client": "不存在", "amount": 1}, advances.UnknownClient),
        ({"amount": 0}, ValueError), ({"amount": -5}, ValueError), ({"amount": float("nan")}, ValueError),
        ({"term_months": 0}, ValueError), ({"term_months": 2.5}, ValueError), ({"rule": "forgive"}, ValueError),
        ({"recoup_rate": 0}, ValueError), ({"recoup_rate": 1.5}, ValueError),
    ]:
        args = {"client": "链甲", "amount": 100, "start": d("2024-01-01"), "term_months": 6, **kwargs}
        with pytest.raises(error):
            advances.add_advance(store, **args)
    assert store.version() == version
    assert advances.add_advance(store, " 链 甲 ", 100, d("2024-01-01"), 6) == 6   # matched like uploaded names


# ------------------------------------------------------------------ signing a saved scenario

def save_scenario(store, name: str, client_key: str | None, inputs: PrepayInputs) -> int:
    """A saved prepayment scenario, as the prepayment page keeps it."""
    return scenarios.save(store, name, inputs, summarize(simulate(inputs), inputs), client_key=client_key)


# Deterministic: 2 stores x 10,000 a month x share 1, no spread: 20,000 a month, 120,000 over 6 months.
FLAT = PrepayInputs(stores_now=2, stores_target=2, term_months=6, store_monthly_sales=10_000, channel_share=1.0,
                    ramp_months=0, sales_cv=0, share_cv=0, delay_prob=0, rule="extend", paths=50)


def test_sign_a_scenario(store):
    sid = save_scenario(store, "链甲 六个月", "链甲", FLAT)
    listed = advances.saved_scenarios(store)
    assert listed.loc[listed["scenario_id"] == sid, "term_months"].item() == 6
    new_id = advances.sign_scenario(store, sid, d("2024-01-01"), recoup_rate=0.5)
    row = _at(store, "2024-03-31")[new_id]
    # The scenario's term and rule, its recommended advance (120,000: no spread), its client.
    assert (row["client"], row["term_months"], row["rule"], row["scenario_id"]) == ("链甲", 6, "extend", sid)
    assert _close(row["amount"], 120_000) and row["counted"] == 15_000   # 0.5 x 30,000
    months = advances.progress(store, new_id, d("2024-03-31"))
    # The fan is cumulative channel sales x the recoup rate: 10,000, 20,000 ... 60,000.
    assert months["p50"].tolist() == pytest.approx([10_000 * m for m in range(1, 7)])
    assert months["p10"].tolist() == months["p90"].tolist()


def test_sign_a_scenario_without_client(store):
    sid = save_scenario(store, "无客户方案", None, FLAT)
    with pytest.raises(advances.UnknownClient):
        advances.sign_scenario(store, sid, d("2024-01-01"))
    new_id = advances.sign_scenario(store, sid, d("2024-01-01"), amount=80_000, client="静乙")
    assert _at(store, "2024-03-31")[new_id]["amount"] == 80_000
    with pytest.raises(ValueError):
        advances.sign_scenario(store, 999, d("2024-01-01"))


@pytest.mark.parametrize("fan", [
    [{"month": 1, "p10": 1, "p50": 2, "p90": 3}, {"month": 2, "p10": 2, "p50": 4, "p90": 6}],
    {"month": [1, 2], "p10": [1, 2], "p50": [2, 4], "p90": [3, 6]},
])
def test_fan_shapes(fan):
    assert advances.fan_by_month(fan) == {1: {"p10": 1, "p50": 2, "p90": 3}, 2: {"p10": 2, "p50": 4, "p90": 6}}


# ------------------------------------------------------------------ the demo portfolio

def test_demo_portfolio_ledger(demo_store):
    end = demo_store.data_end()
    big = demo_store.con.execute(
        "SELECT client_name FROM client_dim WHERE lines > 0 ORDER BY lines DESC LIMIT 3").fetchall()
    ids = [advances.add_advance(demo_store, name, 5_000_000 * (i + 1), end.replace(day=1).replace(month=1), 12,
                                rule) for i, ((name,), rule) in enumerate(zip(big, ("refund", "extend", "refund")))]
    table = advances.ledger(demo_store, end).set_index("advance_id")
    for i in ids:
        row = table.loc[i]
        total = demo_store.con.execute(
            "SELECT sum(t.amount) FROM transactions t JOIN advances a USING (client_key) "
            "WHERE a.advance_id = $id AND t.order_date BETWEEN a.start_date AND $end",
            {"id": i, "end": end}).fetchone()[0]
        assert row["counted"] == pytest.approx(float(total))
        assert row["recouped"] + row["remaining"] == pytest.approx(row["amount"])
        assert row["status"] in advances.STATUSES
    months = advances.progress(demo_store, ids[0], end)
    assert months["cumulative"].dropna().iloc[-1] == pytest.approx(table.loc[ids[0], "counted"])


# ------------------------------------------------------------------ the command line

def test_cli_add_and_list(store, capsys):
    db = str(store.path)
    store.close()
    assert main(["advance", "add", "--db", db, "--json", "--client", "静乙", "--amount", "30000",
                 "--start", "2024-01-01", "--term-months", "3", "--rule", "extend"]) == 0
    assert json.loads(capsys.readouterr().out) == {"id": 6}
    assert main(["advance", "list", "--db", db, "--json", "--as-of", "2024-03-31"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["as_of"] == "2024-03-31" and len(out["advances"]) == 6
    six = out["advances"][-1]
    assert six == {"id": 6, "client": "静乙", "amount": 30000.0, "start": "2024-01-01", "end": "2024-03-31",
                   "rule": "extend", "counted": 60000.0, "recouped": 30000.0, "remaining": 0.0,
                   "run_rate": 20293.33, "projected_at_end": 60000.0, "refund_due": None, "extension_months": 0.0,
                   "status": "recouped"}
    one = out["advances"][0]
    assert (one["refund_due"], one["extension_months"], one["status"]) == (39666.67, None, "behind")
    assert main(["advance", "list", "--db", db]) == 0
    assert "#6 静乙" in capsys.readouterr().out


def _count(db) -> int:
    from kam_core.store import Store

    s = Store(db)
    try:
        return s.con.execute("SELECT count(*) FROM advances").fetchone()[0]
    finally:
        s.close()


@pytest.mark.parametrize("argv, message", [
    (["--client", "不存在的客户", "--amount", "100", "--start", "2024-01-01", "--term-months", "6"], "unknown client"),
    (["--client", "链甲", "--amount", "-1", "--start", "2024-01-01", "--term-months", "6"], "--amount"),
    (["--client", "链甲", "--amount", "100", "--start", "2024-13-01", "--term-months", "6"], "ISO date"),
    (["--client", "链甲", "--amount", "100", "--start", "2024-01-01", "--term-months", "0"], "--term-months"),
    (["--client", "链甲", "--amount", "100", "--start", "2024-01-01", "--term-months", "6", "--recoup-rate", "2"],
     "--recoup-rate"),
])
def test_cli_add_refuses(store, capsys, argv, message):
    db = str(store.path)
    store.close()
    assert main(["advance", "add", "--db", db] + argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert _count(db) == len(TERMS)   # nothing written


def test_cli_missing_database(tmp_path, capsys):
    missing = tmp_path / "none.duckdb"
    assert main(["advance", "add", "--db", str(missing), "--client", "x", "--amount", "1", "--start", "2024-01-01",
                 "--term-months", "1"]) == 2
    assert main(["advance", "list", "--db", str(missing)]) == 2
    assert not missing.exists()


def test_cli_add_while_the_app_holds_the_file(store, capsys):
    db = str(store.path)
    store.close()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from kam_core.store import Store; s = Store(sys.argv[1]); print('ready', flush=True); "
        "time.sleep(60)"), db], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert main(["advance", "add", "--db", db, "--client", "链甲", "--amount", "100", "--start", "2024-01-01",
                     "--term-months", "6"]) == 3
        assert "held" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.2)
    assert _count(db) == len(TERMS)


def test_advance_charts_read_money_in_the_page_language():
    """Axes in 万 for a Chinese reader, M for an English one, reaching the advance itself."""
    import pandas as pd

    from kam_core.charts.advances import ledger_chart, progress_chart

    months = pd.DataFrame({"month": [1, 2, 3], "started": [True, True, False], "counted": [1.2e6, 1.5e6, None],
                           "cumulative": [1.2e6, 2.7e6, None], "p10": [None] * 3, "p50": [None] * 3,
                           "p90": [None] * 3})
    labels = {k: k for k in ("title", "cumulative", "monthly", "amount", "fan", "p50", "month", "term_end")}
    zh = progress_chart(months, 3_500_000.0, 3, labels, "zh").layout.yaxis
    assert max(zh.tickvals) >= 3_500_000 and any(text.endswith("万") for text in zh.ticktext)
    en = progress_chart(months, 3_500_000.0, 3, labels, "en").layout.yaxis
    assert any(text.endswith("M") for text in en.ticktext)
    ledger = pd.DataFrame({"advance_id": [1], "client": ["甲"], "status": ["on_track"], "recouped": [2.7e6],
                           "remaining": [0.8e6], "progress": [0.77]})
    axis = ledger_chart(ledger, {"title": "", "recouped": "", "remaining": "", "status.on_track": ""},
                        lang="zh").layout.xaxis
    assert max(axis.tickvals) >= 3_500_000 and any(text.endswith("万") for text in axis.ticktext)
