"""The bad-input catalogue: each file gets its exact answer, and a refused file changes nothing."""
from __future__ import annotations

import csv
import datetime as dt
import io
import time
import zipfile

import openpyxl
import pytest
import xlsxwriter

from kam_core.ingest import importer
from kam_core.ingest.errors import ImportRefused
from kam_core.store import Store
from tests import workbooks
from tests.helpers import import_orders

TODAY = workbooks.TODAY


@pytest.fixture
def store(tmp_path):
    """A store that already holds one dataset, so 'nothing lost' is checked against real data."""
    s = Store(tmp_path / "kam.duckdb")
    import_orders(s, tmp_path, [{"client": "既有客户", "date": "2024-01-02", "amount": 123.45}], name="existing.csv")
    yield s
    s.close()


def state(store: Store) -> tuple:
    with store.reader() as cur:
        return (store.version(), cur.execute("SELECT count(*), sum(amount) FROM transactions").fetchone(),
                cur.execute("SELECT count(*) FROM datasets").fetchone(), cur.execute("SELECT count(*) FROM rejects").fetchone())


def refused(store: Store, path, code: str) -> ImportRefused:
    """Import must be refused with this code, in one sentence per language, the store untouched."""
    before = state(store)
    with pytest.raises(ImportRefused) as err:
        importer.import_file(store, str(path), path.name, today=TODAY)
    assert err.value.code == code, err.value.args
    for lang in ("zh", "en"):
        message = err.value.message(lang)
        assert message and "\n" not in message and "Traceback" not in message and "{" not in message
    assert state(store) == before
    return err.value


def _xlsx(path, rows, sheet="订单"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


ORDERS = [["客户名称", "日期", "金额"], ["甲", dt.datetime(2024, 1, 5), 100], ["乙", dt.datetime(2024, 1, 6), 200]]


# ---------------------------------------------------------------- refused files

def test_empty_file(store, tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    refused(store, path, "empty_file")


def test_only_a_header(store, tmp_path):
    refused(store, _xlsx(tmp_path / "header.xlsx", [ORDERS[0]]), "no_rows")


def test_empty_sheet(store, tmp_path):
    err = refused(store, _xlsx(tmp_path / "blank.xlsx", []), "empty_sheet")
    assert "订单" in err.message("zh")


@pytest.mark.parametrize("head,kind", [(b"%PDF-1.7\n%\xe2\xe3", "PDF"), (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
                                       (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG")])
def test_pdf_or_image_renamed_xlsx(store, tmp_path, head, kind):
    path = tmp_path / "report.xlsx"
    path.write_bytes(head + bytes(range(256)) * 20)
    err = refused(store, path, "not_spreadsheet")
    assert kind in err.message("en")


def test_word_document_renamed_xlsx(store, tmp_path):
    path = tmp_path / "memo.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    refused(store, path, "not_spreadsheet")


def test_truncated_xlsx(store, tmp_path):
    good = workbooks.messy_orders(tmp_path / "good.xlsx").read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(good[: len(good) // 2])
    refused(store, path, "corrupt")


def test_corrupt_xlsx(store, tmp_path):
    good = bytearray(workbooks.messy_orders(tmp_path / "good.xlsx").read_bytes())
    for i in range(200, len(good) - 200, 97):     # damage the compressed streams, keep the directory
        good[i] ^= 0x5A
    path = tmp_path / "corrupt.xlsx"
    path.write_bytes(bytes(good))
    with pytest.raises(ImportRefused) as err:
        importer.import_file(store, str(path), path.name, today=TODAY)
    assert err.value.code in ("corrupt", "not_spreadsheet", "too_big_to_read")


def test_password_protected_xlsx(store, tmp_path):
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = _xlsx(tmp_path / "plain.xlsx", ORDERS)
    path = tmp_path / "locked.xlsx"
    with open(plain, "rb") as src, open(path, "wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    assert msoffcrypto
    refused(store, path, "password_protected")


def test_xlsx_zip_bomb_is_refused_quickly(store, tmp_path):
    path = tmp_path / "bomb.xlsx"
    good = _xlsx(tmp_path / "g.xlsx", ORDERS)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b"</sheetData>" + b" " * (200 * 1024**2))
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    assert path.stat().st_size < 1024**2
    started = time.monotonic()
    refused(store, path, "zip_bomb")
    assert time.monotonic() - started < 10


def test_xml_entity_bomb(store, tmp_path):
    good = _xlsx(tmp_path / "g.xlsx", ORDERS)
    path = tmp_path / "entities.xlsx"
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i else b"&lol;") * 10) for i in range(1, 10))
           + b"]>")
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = lol + (data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data)
            dst.writestr(info, data)
    refused(store, path, "xml_entities")


def test_hostile_cell_reference_is_refused_before_parsing(store, tmp_path):
    """Cells at A1 and XFD1048576 make a dense 512 GiB range for the reader."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.active["XFD1048576"] = "y"
    path = tmp_path / "hostile.xlsx"
    wb.save(path)
    assert path.stat().st_size < 10_000
    refused(store, path, "too_wide")


def test_sheet_wider_than_200_columns(store, tmp_path):
    header = ["客户名称", "日期", "金额"] + [f"指标{i}" for i in range(220)]
    refused(store, _xlsx(tmp_path / "wide.xlsx", [header, ["甲", dt.datetime(2024, 1, 5), 1] + [0] * 220]), "too_wide")


def test_header_not_in_the_first_30_rows(store, tmp_path):
    rows = [[f"说明第{i}行：本报表仅供内部使用"] for i in range(35)] + ORDERS
    refused(store, _xlsx(tmp_path / "deep.xlsx", rows), "no_header")


def test_csv_in_an_unknown_encoding(store, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("客户,日期,金额\n".encode("utf-8") + bytes([0xC3, 0x28, 0xA0, 0xA1, 0x80, 0xFF]) * 50 + b"\n")
    refused(store, path, "csv_encoding")


# ---------------------------------------------------------------- files that load, with the right answer

def test_merged_cells_in_the_data_region(store, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["客户名称", "日期", "金额"])
    ws.append(["华润万家", dt.datetime(2024, 1, 5), 1])
    ws.append([None, dt.datetime(2024, 1, 6), 2])
    ws.append([None, dt.datetime(2024, 1, 7), 3])
    ws.merge_cells("A2:A4")
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    report = importer.import_file(store, str(path), today=TODAY)
    assert report.rows_loaded == 3 and report.rows_rejected == 0
    with store.reader() as cur:
        assert cur.execute("SELECT count(*), sum(amount) FROM transactions WHERE client_key = '华润万家'").fetchone() == (3, 6)


def test_hidden_sheet_is_not_chosen_but_can_be(store, tmp_path):
    path = workbooks.messy_orders(tmp_path / "m.xlsx")
    ins = importer.inspect(store, str(path), path.name, today=TODAY)
    assert ins.sheet == "销售明细"
    assert [(s.name, s.visible) for s in ins.sheets] == [("说明", True), ("销售明细", True), ("旧数据", False)]
    hidden = importer.inspect(store, str(path), path.name, sheet="旧数据", kind="orders", today=TODAY)
    assert hidden.read.table.num_rows == 300


def test_formulas_with_cached_values(store, tmp_path):
    path = tmp_path / "formulas.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["客户名称", "日期", "数量", "单价", "金额"])
    ws.write_row(1, 0, ["甲", "2024-01-05", 3, 2.5])
    ws.write_formula(1, 4, "=C2*D2", None, 7.5)
    wb.close()
    report = importer.import_file(store, str(path), today=TODAY)
    assert report.rows_loaded == 1 and report.formulas_without_value == 0
    with store.reader() as cur:
        assert cur.execute("SELECT amount FROM transactions WHERE client_key = '甲'").fetchone()[0] == 7.5


def test_formulas_without_cached_values_are_named(store, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["客户名称", "日期", "数量", "单价", "金额"])
    ws.append(["甲", dt.datetime(2024, 1, 5), 3, 2.5, "=C2*D2"])
    ws.append(["乙", dt.datetime(2024, 1, 6), 1, 4, 4])
    path = tmp_path / "uncalculated.xlsx"
    wb.save(path)
    report = importer.import_file(store, str(path), today=TODAY)
    assert report.formulas_without_value == 1
    assert [(r.row, r.code) for r in report.rejects] == [(2, "missing_amount")]
    assert report.rows_loaded == 1


def test_legacy_xls(store, tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("销售")
    sheet.write(0, 0, "2024年销售")
    for c, name in enumerate(["客户名称", "日期", "金额（元）"]):
        sheet.write(2, c, name)
    sheet.write(3, 0, "华润万家")
    sheet.write(3, 1, "2024-03-05")
    sheet.write(3, 2, 1234.5)
    sheet.write(4, 0, "永辉")
    sheet.write(4, 1, 45357.0)
    sheet.write(4, 2, "1.2万")
    path = tmp_path / "legacy.xls"
    book.save(str(path))
    report = importer.import_file(store, str(path), today=TODAY)
    assert (report.rows_read, report.rows_loaded) == (2, 2)
    with store.reader() as cur:
        assert cur.execute("SELECT client_name, order_date, amount FROM transactions WHERE dataset_id = $d "
                           "ORDER BY source_row", {"d": report.dataset_id}).fetchall() == [
            ("华润万家", dt.date(2024, 3, 5), 1234.5), ("永辉", dt.date(2024, 3, 6), 12000)]


def test_duplicate_header_names(store, tmp_path):
    path = _xlsx(tmp_path / "dup.xlsx", [["客户名称", "日期", "金额", "金额"], ["甲", dt.datetime(2024, 1, 5), 10, 99]])
    ins = importer.inspect(store, str(path), path.name, today=TODAY)
    assert ins.labels == ["客户名称", "日期", "金额", "金额_1"]
    assert ins.mapping_labels()["amount"] == "金额"


def test_full_width_and_spaced_names_are_one_client(store, tmp_path):
    path = _xlsx(tmp_path / "names.xlsx", [ORDERS[0], ["ＡＢＣ 超市", dt.datetime(2024, 1, 5), 1],
                                           [" ABC超市 ", dt.datetime(2024, 1, 6), 2], ["abc超市", dt.datetime(2024, 1, 7), 3]])
    importer.import_file(store, str(path), today=TODAY)
    with store.reader() as cur:
        assert cur.execute("SELECT count(*) FROM client_dim WHERE client_key = 'abc超市'").fetchone()[0] == 1
        assert cur.execute("SELECT sum(amount) FROM transactions WHERE client_key = 'abc超市'").fetchone()[0] == 6


def test_future_and_pre_1990_dates_are_rejected(store, tmp_path):
    path = _xlsx(tmp_path / "dates.xlsx", [ORDERS[0], ["甲", dt.datetime(1989, 12, 31), 1], ["甲", dt.datetime(1990, 1, 1), 2],
                                           ["甲", dt.datetime(2025, 1, 10), 3], ["甲", dt.datetime(2025, 1, 11), 4]])
    report = importer.import_file(store, str(path), today=TODAY)
    assert [(r.row, r.code) for r in report.rejects] == [(2, "date_too_old"), (5, "date_in_future")]
    assert report.rows_loaded == 2


def test_negative_and_zero_amounts_load(store, tmp_path):
    path = _xlsx(tmp_path / "signs.xlsx", [ORDERS[0], ["甲", dt.datetime(2024, 1, 5), -50], ["甲", dt.datetime(2024, 1, 6), 0],
                                           ["甲", dt.datetime(2024, 1, 7), "(20)"]])
    report = importer.import_file(store, str(path), today=TODAY)
    assert report.rows_loaded == 3
    with store.reader() as cur:
        assert cur.execute("SELECT sum(amount) FROM transactions WHERE client_key = '甲'").fetchone()[0] == -70


def test_numbers_too_large_for_the_store_are_named_not_crashed_on(store, tmp_path):
    """An account or document number read as money: the amount's row is rejected by name; a profit or a
    store count too large is left empty with a warning; the other rows load."""
    path = _xlsx(tmp_path / "huge.xlsx", [
        ["客户名称", "日期", "金额", "毛利", "门店数"],
        ["甲", dt.datetime(2024, 1, 5), 20251130000012345678, 1, 3],
        ["甲", dt.datetime(2024, 1, 6), 1_234_567_890, 2, 4],
        ["乙", dt.datetime(2024, 1, 7), 10, 6222021234567890123, 5],
        ["乙", dt.datetime(2024, 1, 8), 20, 3, 3_000_000_000]])
    before = state(store)
    report = importer.import_file(store, str(path), today=TODAY)
    assert [(r.row, r.code, r.column) for r in report.rejects] == [(2, "amount_too_large", "金额")]
    assert [(w.column, w.count, w.rows) for w in report.warnings] == [("毛利", 1, [4]), ("门店数", 1, [5])]
    with store.reader() as cur:
        rows = cur.execute("SELECT order_date, amount, profit, store_count FROM transactions WHERE client_key IN "
                           "('甲', '乙') ORDER BY order_date").fetchall()
    assert rows == [(dt.date(2024, 1, 6), 1_234_567_890, 2, 4), (dt.date(2024, 1, 7), 10, None, 5),
                    (dt.date(2024, 1, 8), 20, 3, None)]
    assert state(store)[0] == before[0] + 1


def test_every_row_rejected_names_the_main_reason_and_an_example(store, tmp_path):
    path = _xlsx(tmp_path / "us.xlsx", [["客户名称", "日期", "金额"], ["甲", "3/5/2024", 1], ["乙", "12/6/2024", 2],
                                        ["丙", dt.datetime(2024, 1, 1), "待定"]])
    err = refused(store, path, "nothing_to_load")
    assert err.message("zh") == ("没有任何一行可以导入（3 行被拒绝）。其中 2 行的原因：日期写成“日/月/年”或“月/日/年”，"
                                 "无法区分日和月；请导出为 2024-03-05 这样的格式。例如第 2 行「日期」列：“3/5/2024”。")
    assert err.message("en") == ("Not a single row can be loaded (3 rows rejected). 2 of them: Day and month cannot be "
                                 "told apart in a date written like 3/5/2024; export dates as 2024-03-05. For example "
                                 "row 2, column “日期”: “3/5/2024”.")


def test_unmapped_required_field_is_named_in_the_reader_language_with_the_columns(store, tmp_path):
    path = _xlsx(tmp_path / "no_amount.xlsx", [["客户名称", "日期", "大区"], ["甲", dt.datetime(2024, 1, 5), "华东"]])
    with pytest.raises(ImportRefused) as caught:
        importer.import_file(store, str(path), path.name, kind="orders", today=TODAY)
    err = caught.value
    assert err.code == "missing_roles"
    assert err.message("zh") == ("还缺少必需的字段：金额。文件里的列：客户名称、日期、大区。"
                                 "请在映射中为它指定一列（命令行：--mapping）。")
    assert err.message("en").startswith("Required fields are not mapped: Amount. The file's columns: 客户名称、日期、大区.")


def test_excel_error_cells_are_named_as_the_reason(store, tmp_path):
    """#N/A in the client column and #VALUE! in the amount column: the reject says it is an Excel error
    and shows it, instead of 'no client' with an empty value."""
    path = _xlsx(tmp_path / "errors.xlsx", [ORDERS[0], ["#N/A", dt.datetime(2024, 1, 5), 1],
                                            ["甲", dt.datetime(2024, 1, 6), "#VALUE!"], ["乙", None, 3],
                                            ["乙", dt.datetime(2024, 1, 7), 4]])
    report = importer.import_file(store, str(path), today=TODAY)
    assert [(r.row, r.code, r.column, r.value) for r in report.rejects] == [
        (2, "excel_error", "客户名称", "#N/A"), (3, "excel_error", "金额", "#VALUE!"), (4, "missing_date", "日期", None)]
    assert report.rejects[1].raw == {"客户名称": "甲", "日期": "2024-01-06 00:00:00", "金额": "#VALUE!"}
    assert report.rows_loaded == 1


def test_text_file_named_xlsx_is_read_as_csv(store, tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_text("客户名称,日期,金额\n甲,2024-01-05,5\n", encoding="utf-8")
    assert importer.import_file(store, str(path), today=TODAY).rows_loaded == 1


def test_plain_text_named_xlsx_without_a_table_says_it_is_not_a_workbook(store, tmp_path):
    path = tmp_path / "销售明细.xlsx"
    path.write_text("这是一段说明文字。\n请联系管理员获取导出文件。\n", encoding="utf-8")
    err = refused(store, path, "text_named_as_workbook")
    assert err.message("zh").startswith("文件名是 .xlsx，但内容是纯文本，不是 Excel 工作簿")
    assert "first 30 rows" in err.message("en")


@pytest.mark.slow
def test_csv_longer_than_a_worksheet(store, tmp_path):
    """More than 1,048,576 lines: CSV is how portfolios bigger than a worksheet arrive."""
    n = 1_048_576 + 10
    path = tmp_path / "long.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["客户名称", "日期", "金额"])
    for i in range(n):
        writer.writerow([f"客户{i % 5000}", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", i % 1000])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    report = importer.import_file(store, str(path), today=TODAY)
    assert (report.rows_read, report.rows_loaded) == (n, n)
    with store.reader() as cur:
        assert cur.execute("SELECT max(source_row) FROM transactions").fetchone()[0] == n + 1
