"""The follow-up log of the watchlist (kam_core/followup.py): statuses, notes, contacts, re-imports."""
from __future__ import annotations

import datetime as dt

import pytest

from kam_core import churn, followup
from kam_core.store import Store
from tests.helpers import import_orders

D = dt.date(2024, 6, 30)
ROWS = [{"client": name, "date": D - dt.timedelta(days=n), "amount": amount, "owner": owner}
        for name, amount, owner in (("华润万家", 1000, "王磊"), ("永辉超市", 10, "李娜")) for n in (55, 45, 35, 25)]


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "kam.duckdb")
    import_orders(store, tmp_path, ROWS, data_through=D)
    yield store
    store.close()


def contacts(store):
    with store.reader() as cur:
        return cur.execute("SELECT client_key, contact_date, kind, who, note, source FROM contacts "
                           "ORDER BY contact_id").fetchall()


def test_status_owner_and_next_step(store):
    followup.set_status(store, "华润万家", "contacted", next_step="约采购总监面谈")
    assert followup.status_of(store, "华润万家") | {"updated_at": None} == {
        "status": "contacted", "owner": "王磊", "next_step": "约采购总监面谈", "updated_at": None}
    # owner and next step stay unless given
    followup.set_status(store, "华润万家", "recovering")
    assert followup.status_of(store, "华润万家")["next_step"] == "约采购总监面谈"
    followup.set_status(store, "华润万家", "saved", owner="陈静", next_step="  ")
    state = followup.status_of(store, "华润万家")
    assert (state["status"], state["owner"], state["next_step"]) == ("saved", "陈静", "约采购总监面谈")
    assert followup.status_of(store, "永辉超市") is None


def test_bad_status_or_client(store):
    with pytest.raises(ValueError, match="status"):
        followup.set_status(store, "华润万家", "won")
    with pytest.raises(ValueError, match="unknown client"):
        followup.set_status(store, "nobody", "open")
    with pytest.raises(ValueError, match="text"):
        followup.add_note(store, "华润万家", "   ", "王磊", D)
    with pytest.raises(ValueError, match="unknown client"):
        followup.add_note(store, "nobody", "hello", "王磊", D)
    assert followup.board(store).empty and contacts(store) == []


def test_a_note_opens_a_follow_up_and_records_a_contact(store):
    first = followup.add_note(store, "永辉超市", "电话了解到对方在比价", "李娜", dt.date(2024, 7, 2), "call")
    second = followup.add_note(store, "永辉超市", "上门拜访采购", "李娜", dt.date(2024, 7, 9), "visit")
    assert second > first
    assert followup.status_of(store, "永辉超市")["status"] == "open"
    assert followup.status_of(store, "永辉超市")["owner"] == "李娜"
    log = followup.followup_log(store, "永辉超市")
    assert log[["note_date", "kind", "author", "text"]].values.tolist() == [
        [dt.date(2024, 7, 9), "visit", "李娜", "上门拜访采购"],
        [dt.date(2024, 7, 2), "call", "李娜", "电话了解到对方在比价"]]
    assert contacts(store) == [
        ("永辉超市", dt.date(2024, 7, 2), "call", "李娜", "电话了解到对方在比价", "followup"),
        ("永辉超市", dt.date(2024, 7, 9), "visit", "李娜", "上门拜访采购", "followup")]
    board = followup.board(store).iloc[0]
    assert (board["client_name"], board["notes"], board["last_note_date"], board["last_note"]) == (
        "永辉超市", 2, dt.date(2024, 7, 9), "上门拜访采购")
    # a note on a client already followed up keeps its status
    followup.set_status(store, "永辉超市", "recovering")
    followup.add_note(store, "永辉超市", "已下试单", None, dt.date(2024, 7, 20))
    assert followup.status_of(store, "永辉超市")["status"] == "recovering"
    assert contacts(store)[-1][2] is None


def test_the_log_survives_reimports(store, tmp_path):
    followup.set_status(store, "华润万家", "contacted", next_step="季度回顾")
    followup.add_note(store, "华润万家", "拜访，对方换了采购负责人", "王磊", dt.date(2024, 7, 1), "visit")
    before_board = followup.board(store).drop(columns=["updated_at"])
    before_log = followup.followup_log(store, "华润万家")

    # delete the orders and import them again, then replace an overlapping range with a new file
    store.delete_datasets(store.datasets()["dataset_id"].tolist())
    assert store.query("unit_names", level="client").empty
    import_orders(store, tmp_path, ROWS, name="again.csv", data_through=D)
    import_orders(store, tmp_path, ROWS[:4] + [{"client": "华润 万家", "date": D - dt.timedelta(days=25), "amount": 5}],
                  name="replace.csv", on_overlap="replace", data_through=D)

    assert followup.board(store).drop(columns=["updated_at"]).equals(before_board)
    assert followup.followup_log(store, "华润万家").equals(before_log)
    assert [c[5] for c in contacts(store)] == ["followup"]
    # and the watchlist shows it beside the client
    listed = churn.watchlist(store, scope="all", model="off", lang="zh")
    sheet = churn.export_frame(listed, "zh", store).set_index("客户")
    assert sheet.loc["华润万家", "跟进状态"] == "已联系" and sheet.loc["华润万家", "下一步"] == "季度回顾"


def test_export_sheets(store):
    followup.set_status(store, "华润万家", "lost", next_step="=HYPERLINK(\"x\")")
    followup.add_note(store, "华润万家", "客户转向竞品", "王磊", D, "meeting")
    en = followup.export_frame(store, "en")
    assert en.iloc[0][["Client", "Follow-up", "Next step", "Notes"]].tolist() == ["华润万家", "Lost", '=HYPERLINK("x")', 1]
    notes = followup.notes_frame(store, "zh")
    assert notes.iloc[0].tolist() == ["华润万家", D, "会议", "王磊", "客户转向竞品"]
    unknown_kind = followup.log_frame(followup.followup_log(store, "华润万家").assign(kind="电话拜访"), "en")
    assert unknown_kind.iloc[0]["Kind"] == "电话拜访"


def test_a_note_for_several_clients_is_all_or_nothing(store):
    version = store.version()
    with pytest.raises(ValueError):
        followup.add_notes(store, ["华润万家", "没有这个客户"], "统一返利方案", None, D, kind="meeting")
    assert store.version() == version and contacts(store) == [] and followup.status_of(store, "华润万家") is None
    ids = followup.add_notes(store, ["华润万家", "永辉超市"], "统一返利方案", None, D, kind="meeting")
    assert len(ids) == 2 and [row[0] for row in contacts(store)] == ["华润万家", "永辉超市"]
    assert store.version() == version + 1
