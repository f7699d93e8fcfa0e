"""Parquet exports: typed columns as pandas and data tools write them, exact figures back."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kam_core.ingest import importer
from kam_core.store import Store
from tests.helpers import TODAY


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "kam.duckdb")
    yield s
    s.close()


def _typed_table(n: int) -> pa.Table:
    """n order lines over three clients; amounts 1.50, 2.50, 3.50 ... (i + 1.5)."""
    clients = ["永辉超市", "华润万家（北京）", "物美"]
    return pa.table({
        "客户名称": pa.array([clients[i % 3] for i in range(n)]).dictionary_encode(),   # a pandas category
        "订单日期": pa.array([dt.date(2025, 1, 1) + dt.timedelta(days=i % 300) for i in range(n)], pa.date32()),
        "销售金额": pa.array([Decimal(i) + Decimal("1.50") for i in range(n)], pa.decimal128(12, 2)),
        "数量": pa.array(list(range(n)), pa.int64()),
        "标签": pa.array([["促销", "年货"] if i % 2 else [] for i in range(n)], pa.list_(pa.string())),
        "收货信息": pa.array([{"省": "广东", "门店": i} for i in range(n)]),
    })


def test_category_list_and_struct_columns_import_with_exact_totals(store, tmp_path):
    n = 1500            # above the 1,000 rows where text columns are first checked for repeats
    path = tmp_path / "orders.parquet"
    pq.write_table(_typed_table(n), path)
    report = importer.import_file(store, str(path), "orders.parquet", today=TODAY)
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (n, n, 0)
    assert report.mapping["client"] == "客户名称" and report.mapping["amount"] == "销售金额"
    with store.reader() as cur:
        rows = cur.execute("SELECT client_name, count(*), sum(amount) FROM transactions "
                           "GROUP BY 1 ORDER BY 1").fetchall()
    # client k (0, 1, 2) holds i = k, k+3, ...: 500 lines, sum of i = 3*sum(j) + 500k, plus 500 x 1.5
    expected = {name: Decimal(3 * sum(range(500)) + 500 * k) + Decimal("750.00")
                for k, name in enumerate(["永辉超市", "华润万家（北京）", "物美"])}
    assert {name: (count, total) for name, count, total in rows} == {
        name: (500, total) for name, total in expected.items()}


def test_nested_column_is_offered_as_text(store, tmp_path):
    path = tmp_path / "orders.parquet"
    pq.write_table(_typed_table(4), path)
    ins = importer.inspect(store, str(path), "orders.parquet", today=TODAY)
    tags = ins.read.table.column(ins.labels.index("标签")).to_pylist()
    assert tags == ["[]", '["促销", "年货"]', "[]", '["促销", "年货"]']
    assert ins.read.table.column(ins.labels.index("收货信息")).to_pylist()[1] == '{"省": "广东", "门店": 1}'
