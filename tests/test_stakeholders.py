"""The stakeholder map: validation, editing as a table, and persistence across re-imports."""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kam_core import stakeholders
from kam_core.stakeholders import ATTITUDES, DECISION_ROLES, InvalidStakeholder, clean_row
from tests.helpers import import_orders, store_with_orders

ROWS = [{"client": "甲超市", "date": "2025-01-10", "amount": 100},
        {"client": "乙便利店", "date": "2025-01-11", "amount": 50}]


@pytest.fixture
def store(tmp_path):
    s = store_with_orders(tmp_path, ROWS)
    yield s
    s.close()


@pytest.mark.parametrize("raw, expected", [
    ({"name": " 张总 ", "title": "采购总监", "decision_role": "decision_maker", "attitude": 4},
     ("张总", "采购总监", "decision_maker", 4)),
    ({"name": "李经理", "attitude": "-10"}, ("李经理", None, None, -10)),
    ({"name": "王", "attitude": 3.0, "title": "  "}, ("王", None, None, 3)),
    ({"name": "赵", "attitude": float("nan"), "decision_role": None}, ("赵", None, None, None)),
])
def test_clean_row(raw, expected):
    p = clean_row(raw, 1)
    assert (p.name, p.title, p.decision_role, p.attitude) == expected


@pytest.mark.parametrize("raw, problem", [
    ({"name": "", "title": "总监"}, "no_name"),
    ({"name": "张", "decision_role": "boss"}, "bad_role"),
    ({"name": "张", "attitude": 0}, "bad_attitude"),      # 0 is not on the scale
    ({"name": "张", "attitude": -4}, "bad_attitude"),
    ({"name": "张", "attitude": 6}, "bad_attitude"),
    ({"name": "张", "attitude": "very"}, "bad_attitude"),
])
def test_clean_row_refuses(raw, problem):
    with pytest.raises(InvalidStakeholder) as info:
        clean_row(raw, 3)
    assert info.value.problem == problem and info.value.row == 3


def test_empty_row_is_skipped():
    assert clean_row({"name": None, "title": "", "decision_role": None, "attitude": None, "note": " "}, 1) is None


@settings(max_examples=60, deadline=None)
@given(attitude=st.integers(min_value=-12, max_value=7))
def test_only_the_scale_is_accepted(attitude):
    if attitude in ATTITUDES:
        assert clean_row({"name": "x", "attitude": attitude}, 1).attitude == attitude
    else:
        with pytest.raises(InvalidStakeholder):
            clean_row({"name": "x", "attitude": attitude}, 1)


def test_save_edit_and_delete_as_a_table(store):
    first = pd.DataFrame([
        {"stakeholder_id": None, "name": "张总", "title": "总经理", "decision_role": "decision_maker", "attitude": -3,
         "note": None},
        {"stakeholder_id": None, "name": "李经理", "title": "采购", "decision_role": "influencer", "attitude": 4,
         "note": "老朋友"},
    ])
    assert stakeholders.save_stakeholders(store, "甲超市", first) == 2
    saved = stakeholders.stakeholders(store, "甲超市")
    # Decision makers first.
    assert saved["name"].tolist() == ["张总", "李经理"]
    assert saved["attitude"].tolist() == [-3, 4]
    # Edit: 张总 warms up, 李经理 is removed, 王工 added.
    edited = saved[["stakeholder_id", *stakeholders.EDITABLE]].copy()
    edited.loc[edited["name"] == "张总", "attitude"] = 2
    edited = edited[edited["name"] != "李经理"]
    edited = pd.concat([edited, pd.DataFrame([{"name": "王工", "decision_role": "user", "attitude": 1}])],
                       ignore_index=True)
    assert stakeholders.save_stakeholders(store, "甲超市", edited) == 2
    after = stakeholders.stakeholders(store, "甲超市")
    assert after["name"].tolist() == ["张总", "王工"]
    assert after["attitude"].tolist() == [2, 1]
    # 张总 kept the same id (edited, not replaced).
    zhang_id = saved.loc[saved["name"] == "张总", "stakeholder_id"].iloc[0]
    assert after.loc[after["name"] == "张总", "stakeholder_id"].iloc[0] == zhang_id
    # Another client's map is separate.
    assert stakeholders.stakeholders(store, "乙便利店").empty


def test_invalid_table_changes_nothing(store):
    stakeholders.add_stakeholder(store, "甲超市", "张总", "总经理", "decision_maker", 5)
    bad = pd.DataFrame([{"stakeholder_id": None, "name": "李", "title": None, "decision_role": "boss",
                         "attitude": 1, "note": None}])
    with pytest.raises(InvalidStakeholder):
        stakeholders.save_stakeholders(store, "甲超市", bad)
    assert stakeholders.stakeholders(store, "甲超市")["name"].tolist() == ["张总"]


def test_map_survives_reimports(store, tmp_path):
    stakeholders.add_stakeholder(store, "甲超市", "张总", "总经理", "decision_maker", -10, "倾向竞品")
    stakeholders.add_stakeholder(store, "g:联华集团", "集团采购", None, "gatekeeper", 1)
    # A second import overlapping the first, replacing its lines, then the first import deleted.
    import_orders(store, tmp_path, [{"client": "甲 超市", "date": "2025-01-10", "amount": 130}], name="b.csv",
                  on_overlap="replace")
    store.delete_dataset(1)
    kept = stakeholders.stakeholders(store, "甲超市")
    assert kept[["name", "title", "decision_role", "attitude", "note"]].values.tolist() == [
        ["张总", "总经理", "decision_maker", -10, "倾向竞品"]]
    assert stakeholders.stakeholders(store, "g:联华集团")["name"].tolist() == ["集团采购"]


def test_map_survives_reopening(store, tmp_path):
    stakeholders.add_stakeholder(store, "甲超市", "张总", None, "decision_maker", 3)
    path = store.path
    store.close()
    from kam_core.store import Store

    again = Store(path)
    try:
        assert stakeholders.stakeholders(again, "甲超市")["name"].tolist() == ["张总"]
    finally:
        again.close()


def test_support_balance():
    frame = pd.DataFrame({"decision_role": ["decision_maker", "decision_maker", "influencer", "user"],
                          "attitude": pd.array([3, -2, None, 5], dtype="Int64")})
    assert stakeholders.support_balance(frame) == {"people": 4, "for": 2, "against": 1, "unknown": 1,
                                                   "decision_maker_min": -2}


def test_every_role_and_attitude_has_words():
    from kam_core.i18n import has

    for role in DECISION_ROLES:
        assert has(f"stk.role.{role}")
    for attitude in ATTITUDES:
        assert has(f"stk.att.{attitude}")
