"""The SQL box: one SELECT over read-only views, in a child process; everything else refused or stopped."""
from __future__ import annotations

import os

import duckdb
import pytest

from kam_core import sqlbox
from kam_core.sqlbox_child import Refused, open_sandbox
from tests.helpers import store_with_orders

ROWS = [{"client": "甲超市", "date": "2025-01-10", "amount": 100, "city": "上海"},
        {"client": "甲超市", "date": "2025-02-10", "amount": 50.5, "city": "上海"},
        {"client": "乙便利店", "date": "2025-01-11", "amount": 40, "city": "北京"}]


@pytest.fixture
def store(tmp_path):
    s = store_with_orders(tmp_path, ROWS)
    yield s
    s.close()


def test_a_select_runs_on_the_snapshot(store):
    # 甲 100 + 50.5 = 150.5, 乙 40.
    result = sqlbox.run_sql(store, "SELECT client_name, sum(amount) AS revenue FROM transactions "
                                   "GROUP BY client_name ORDER BY revenue DESC")
    assert result.ok, result
    assert result.frame.values.tolist() == [["甲超市", 150.5], ["乙便利店", 40.0]]
    assert (result.rows, result.truncated) == (2, False)


def test_with_select_and_every_view(store):
    result = sqlbox.run_sql(store, "WITH c AS (SELECT client_key FROM client_dim) "
                                   "SELECT (SELECT count(*) FROM c) AS clients, (SELECT count(*) FROM transactions) "
                                   "AS lines, (SELECT count(*) FROM datasets) AS imports, (SELECT count(*) FROM "
                                   "contacts) + (SELECT count(*) FROM clients) + (SELECT count(*) FROM targets) + "
                                   "(SELECT count(*) FROM advances) AS others")
    assert result.ok, result
    assert result.frame.values.tolist() == [[2, 3, 1, 0]]


def test_the_row_cap(store):
    result = sqlbox.run_sql(store, "SELECT * FROM range(100)", row_cap=7)
    assert result.ok and result.truncated and result.rows == 7 and len(result.frame) == 7


@pytest.mark.parametrize("text, code", [
    ("SELECT * FROM read_csv('/etc/passwd')", "function"),
    ("SELECT * FROM read_text('/etc/passwd')", "function"),
    ("SELECT * FROM read_parquet('/tmp/x.parquet')", "function"),
    ("SELECT * FROM glob('/*')", "function"),
    ("SELECT * FROM query('SELECT 1')", "function"),
    ("SELECT * FROM '/etc/passwd'", "table"),
    ("SELECT * FROM settings", "table"),
    ("SELECT * FROM snapshot.settings", "qualified"),
    ("SELECT * FROM snapshot.main.transactions", "qualified"),
    ("COPY transactions TO '/tmp/out.csv'", "not_select"),
    ("COPY (SELECT 1) TO '/tmp/out.csv'", "not_select"),
    ("ATTACH '/tmp/other.duckdb' AS other", "not_select"),
    ("DETACH snapshot", "not_select"),
    ("INSTALL httpfs", "not_select"),
    ("LOAD httpfs", "not_select"),
    ("SET threads = 8", "not_select"),
    ("SET enable_external_access = true", "not_select"),
    ("PRAGMA version", "not_select"),
    ("CALL pragma_version()", "not_select"),
    ("EXPLAIN SELECT 1", "not_select"),
    ("SHOW TABLES", "not_select"),
    ("DELETE FROM transactions", "not_select"),
    ("INSERT INTO transactions SELECT * FROM transactions", "not_select"),
    ("UPDATE transactions SET amount = 0", "not_select"),
    ("CREATE TABLE t AS SELECT 1", "not_select"),
    ("DROP VIEW transactions", "not_select"),
    ("EXPORT DATABASE '/tmp/dump'", "not_select"),
    ("SELECT 1; SELECT 2", "multiple"),
    ("SELECT 1; DELETE FROM transactions", "multiple"),
    ("SELEC 1", "syntax"),
    ("   ", "empty"),
])
def test_refused(store, text, code):
    result = sqlbox.run_sql(store, text)
    assert not result.ok
    assert result.code == code, (result.code, result.detail)


def test_refusals_leave_data_and_disk_alone(store, tmp_path):
    before = sqlbox.run_sql(store, "SELECT count(*) FROM transactions").frame.iloc[0, 0]
    for text in ("DELETE FROM transactions", "COPY transactions TO '/tmp/kam_sqlbox_probe.csv'"):
        sqlbox.run_sql(store, text)
    assert not os.path.exists("/tmp/kam_sqlbox_probe.csv")
    assert sqlbox.run_sql(store, "SELECT count(*) FROM transactions").frame.iloc[0, 0] == before == 3


def test_the_engine_itself_refuses_files_even_past_the_check(store):
    """Defence in depth: DuckDB's own settings stop what the text check would have caught first."""
    con = open_sandbox(str(store.ensure_snapshot()))
    try:
        for text in ("SELECT * FROM read_csv('/etc/passwd')", "ATTACH '/tmp/kam_other.duckdb' AS o",
                     "COPY (SELECT 1) TO '/tmp/kam_sqlbox_probe.csv'", "LOAD httpfs"):
            with pytest.raises(duckdb.Error) as info:
                con.execute(text)
            assert "disabled" in str(info.value).lower() or "permission" in type(info.value).__name__.lower()
        with pytest.raises(duckdb.Error):
            con.execute("SET enable_external_access = true")   # the configuration is locked
        with pytest.raises(duckdb.Error):
            con.execute("INSERT INTO snapshot.transactions SELECT * FROM snapshot.transactions")   # read-only
    finally:
        con.close()
    assert not os.path.exists("/tmp/kam_sqlbox_probe.csv") and not os.path.exists("/tmp/kam_other.duckdb")


def test_cross_join_bomb_is_capped(store):
    # 3 lines cubed is small; range() makes it a real bomb: 10^6 x 10^6 rows. Streaming stops at the cap.
    result = sqlbox.run_sql(store, "SELECT * FROM range(1000000) a, range(1000000) b", row_cap=100, time_limit=20)
    assert result.ok and result.truncated and result.rows == 100


def test_cross_join_aggregate_hits_the_time_limit(store):
    result = sqlbox.run_sql(store, "SELECT count(*) FROM range(100000000) a, range(100000000) b", time_limit=3)
    assert not result.ok and result.code == "timeout"


def test_endless_recursive_cte_hits_the_time_limit(store):
    result = sqlbox.run_sql(store, "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
                                   "SELECT count(*) FROM r", time_limit=3, memory_limit="256MB")
    assert not result.ok and result.code in ("timeout", "memory")


def test_check_names_what_it_refused():
    with pytest.raises(Refused) as info:
        sqlbox.check("COPY transactions TO 'x.csv'")
    assert (info.value.code, info.value.detail) == ("not_select", "COPY")
    with pytest.raises(Refused) as info:
        sqlbox.check("SELECT * FROM read_csv_auto('x.csv')")
    assert (info.value.code, info.value.detail) == ("function", "read_csv_auto")


def test_every_code_has_a_message():
    from kam_core.i18n import has

    for code in ("empty", "syntax", "multiple", "not_select", "qualified", "table", "function", "permission",
                 "timeout", "memory", "crashed", "no_snapshot", "error"):
        assert has(f"sql.err.{code}")


def test_columns_of_lists_the_views(store):
    cols = sqlbox.columns_of(store)
    assert list(dict.fromkeys(cols["table"])) == list(sqlbox.TABLES)
    assert {"client_key", "order_date", "amount"} <= set(cols.loc[cols["table"] == "transactions", "column"])
