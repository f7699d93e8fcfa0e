"""The command line's human-readable output (without --json) in Chinese and English, on one small portfolio
whose every figure can be checked by hand."""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from kam_core import advances, archive, coverage, followup, periods, plan, tiers
from kam_core.__main__ import main
from kam_core.i18n import STRINGS
from kam_core.ingest import importer
from kam_core.migration import FROM_STATES, TO_STATES
from kam_core.ranks import LEVELS, MEASURES, TIERS
from tests.helpers import ROOT, TODAY, store_with_orders

D = dt.date(2024, 6, 30)


def _days_before(n: int) -> dt.date:
    return D - dt.timedelta(days=n)


# 2024Q1: 甲 500, 乙 300, 丙 150, 丁 50 (total 1,000), 戊 a refund of 20.
# 2024Q2: 甲 4 x 250 every 10 days, silent for the last 25 (the churn silence signal: risk 0.4 x 1,500);
#         丙 3 x 20; 乙 and 丁 buy nothing (乙 stays 关键: pinned).
ORDERS = ([{"client": "甲超市", "date": "2024-01-10", "amount": 500, "owner": "王磊"}]
          + [{"client": "甲超市", "date": _days_before(n), "amount": 250, "owner": "王磊"} for n in (55, 45, 35, 25)]
          + [{"client": "乙便利店", "date": "2024-01-20", "amount": 300, "owner": "李娜"},
             {"client": "丙餐饮", "date": "2024-02-05", "amount": 150, "owner": "李娜"}]
          + [{"client": "丙餐饮", "date": _days_before(n), "amount": 20, "owner": "李娜"} for n in (90, 80, 10)]
          + [{"client": "丁商贸", "date": "2024-03-05", "amount": 50, "owner": "张强"},
             {"client": "戊酒店", "date": "2024-03-10", "amount": -20, "owner": "张强"}])
# client, amount, start, months, rule: 甲 recoups 1,000 of 2,000 by the term end; 丙 all of 50;
# 乙 buys nothing after the start, so at no run rate the advance is never recouped.
ADVANCES = [("甲超市", 2000, dt.date(2024, 4, 1), 3, "refund"), ("丙餐饮", 50, dt.date(2024, 4, 1), 3, "extend"),
            ("乙便利店", 100, dt.date(2024, 4, 1), 6, "extend")]

# Words allowed in Chinese output: the product keeps these names in every language.
KEPT = re.compile(r"--[a-z-]+|Gini|HHI|BG/NBD|P10|P50|P90")


def _targets(store, folder: Path) -> None:
    """甲超市 4,000 and 李娜 (乙 + 丙) 1,000 for 2024, through the real import path."""
    path = folder / "targets.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["客户名称", "客户经理", "期间", "目标"])
        writer.writerows([["甲超市", "", "2024", 4000], ["", "李娜", "2024", 1000]])
    importer.import_file(store, str(path), path.name, kind="targets", today=TODAY)


@pytest.fixture
def db(tmp_path) -> str:
    store = store_with_orders(tmp_path, ORDERS, data_through=D)
    tiers.pin(store, "乙便利店", "key", "行业标杆", who="李娜")
    coverage.add_contact(store, "甲超市", dt.date(2024, 5, 20), "visit", "王磊", None)   # 41 days before D
    coverage.add_contact(store, "丙餐饮", dt.date(2024, 6, 1), "call", "李娜", None)     # 29 days before D
    followup.set_status(store, "甲超市", "contacted")
    archive.update_clients(store, {"甲超市": {"potential": 5000}})
    _targets(store, tmp_path)
    for client, amount, start, months, rule in ADVANCES:
        advances.add_advance(store, client, amount, start, months, rule)
    store.close()
    return str(tmp_path / "kam.duckdb")


def _run(capsys, *argv: str) -> list[str]:
    assert main(list(argv)) == 0
    return capsys.readouterr().out.rstrip("\n").split("\n")


def _zh(capsys, *argv: str) -> list[str]:
    """The Chinese output, after checking no English word is left in it."""
    lines = _run(capsys, *argv, "--lang", "zh")
    words = re.findall(r"[A-Za-z]{2,}", KEPT.sub("", "\n".join(lines)))
    assert words == [], words
    return lines


def test_pareto(db, capsys):
    window = ("--start", "2024-01-01", "--end", "2024-03-31")
    # k 2 of 4 active; Gini (-3·50 - 150 + 300 + 3·500) / (4 · 1,000) = 0.375; HHI 50² + 30² + 15² + 5² = 3,650
    assert _zh(capsys, "pareto", "--db", db, *window) == [
        "4 个活跃客户中，前 2 个（50.0%）累计达到阈值；合计 1,000.00 元；Gini 0.375；HHI 3,650",
        "   1              500.00    50.0%  甲超市",
        "   2              300.00    80.0%  乙便利店",
        "   3              150.00    95.0%  丙餐饮",
        "   4               50.00   100.0%  丁商贸",
        "金额 ≤ 0 的 1 个（不参与排名）：",
        "                  -20.00  戊酒店"]
    assert _zh(capsys, "pareto", "--db", db, "--start", "2030-01-01") == ["所选期间没有数据：活跃 0 个，k = 0，合计 0"]


def test_pareto_english_is_unchanged(db, capsys):
    assert _run(capsys, "pareto", "--db", db, "--start", "2024-01-01", "--end", "2024-03-31") == [
        "2 of 4 active (50.0%) reach the threshold; total 1,000.00; Gini 0.375; HHI 3,650",
        "   1              500.00    50.0%  甲超市",
        "   2              300.00    80.0%  乙便利店",
        "   3              150.00    95.0%  丙餐饮",
        "   4               50.00   100.0%  丁商贸",
        "1 with value <= 0 (not ranked):",
        "                  -20.00  戊酒店"]


def test_tiers(db, capsys):
    # Q1: 甲 关键, 乙 重点 pinned to 关键, 丙 一般 (from 80%), 丁 维持 (from 95%).
    # Q2: 甲 关键, 乙 pinned, 丙 一般 (from 1,000 / 1,060 = 94.3%); 丁 流失.
    lines = _zh(capsys, "tiers", "--db", db)
    assert lines == [
        "按季度分级，口径为销售额，分析单位为客户，累计占比切点 50% / 80% / 95%；数据截至 2024-06-30",
        "期间                 关键         重点         一般         维持",
        "2024Q1                  2            0            1            1",
        "2024Q2                  2            0            1            0",
        "战略锁定：乙便利店 → 关键（行业标杆）",
        "",
        "升降级 2024Q1 → 2024Q2（客户数）",
        "                     关键        重点        一般        维持        流失      未活跃",
        "关键                    2           0           0           0           0           0",
        "重点                    0           0           0           0           0           0",
        "一般                    0           0           1           0           0           0",
        "维持                    0           0           0           0           1           0",
        "新增                    0           0           0           0           0           0",
        "未活跃                  0           0           0           0           0           0"]
    # By group (no pins) over 2024, not over yet: 甲 1,500 关键, 乙 300 重点 (from 72.8%), 丙 210 一般 (from 87.4%),
    # 丁 50 维持 (from 97.6%).
    year = _zh(capsys, "tiers", "--db", db, "--period", "year", "--level", "group")
    assert year[0] == "按年分级，口径为销售额，分析单位为集团，累计占比切点 50% / 80% / 95%；数据截至 2024-06-30"
    assert year[2] == "2024                    1            1            1            1（未完结）"
    month = _zh(capsys, "tiers", "--db", db, "--period", "month", "--level", "group")
    assert month[10] == "升降级 2024-01 → 2024-02（集团数）"


def test_churn(db, capsys):
    # 甲: silent 25 days after a 10-day rhythm, silence 2/3 x weight 0.6 = 40% of 1,500 over 12 months;
    # 乙 (关键 by its pin) bought 300 in January and nothing since.
    assert _zh(capsys, "churn", "--db", db) == [
        "截至 2024-06-30 的流失预警名单：2 个（BG/NBD 模型未能拟合，风险按规则信号计算）",
        "  1. 甲超市  风险 40%  风险金额 600.00 元",
        "       - 最近一次下单在 25 天前；通常每 10 天一单",
        "       - 超期未联系：上次联系在 41 天前，应每 30 天联系一次",
        "       - 预付款 #1 回收落后：按近期月均 ¥338，到期预计回收 ¥1,000，差 ¥1,000",
        "       > 跟进状态：已联系",
        "  2. 乙便利店  风险 70%  风险金额 210.00 元",
        "       - 近 90 天销售额较前 90 天 -100%",
        "       - 近 90 天下单 0 天；以往平均每 90 天 0.2 天",
        "       - 超期未联系：从未联系，应每 30 天联系一次",
        "       - 预付款 #3 回收落后：近 90 天没有计入销售，到期预计只回收 ¥0，差 ¥100"]
    assert _zh(capsys, "churn", "--db", db, "--model", "off", "--top", "1")[0] == (
        "截至 2024-06-30 的流失预警名单：1 个（模型已关闭，风险只按规则信号计算）")


def test_plan(db, capsys):
    # 182 of 366 days; 甲: 1,500 - 4,000 x 182 / 366 = -489.07; 李娜 (乙 300 + 丙 210): 510 - 1,000 x 182 / 366 = 12.73
    assert _zh(capsys, "plan", "--db", db) == [
        "2024（截至 2024-06-30）：时间进度 49.7%（已过 182 天 / 共 366 天）",
        "  客户   甲超市：目标 4,000.00 元，实际 1,500.00 元，达成率 37.5%，进度差 -489.07 元  落后进度",
        "  客户经理 李娜：目标 1,000.00 元，实际 510.00 元，达成率 51.0%，进度差 12.73 元",
        "潜力：5 个客户中 1 个有潜力（档案填写 1 个，同类估算 0 个）",
        "  甲超市：年潜力 5,000.00 元（档案填写），近12个月销售额 1,500.00 元，增长空间 3,500.00 元"]
    assert _zh(capsys, "plan", "--db", db, "--period", "2023")[1] == "这个期间没有目标"


def test_coverage(db, capsys):
    # Q2 tiers: 甲 and 乙 (pinned) 关键 -> A, 丙 一般 -> C (contacted 29 days before, within 90).
    assert _zh(capsys, "coverage", "--db", db) == [
        "截至 2024-06-30（分级期间 2024Q2；拜访频率 A 级每 30 天、B 级每 60 天、C 级每 90 天）：3 个客户中 2 个逾期未联系",
        "  [A 级] 甲超市：上次联系 2024-05-20，已 41 天（周期 30 天）",
        "  [A 级] 乙便利店：从未联系（周期 30 天）"]
    assert _zh(capsys, "coverage", "--db", db, "--as-of", "2024-02-01")[0].startswith("截至 2024-02-01（分级期间 —；")


def test_advance(db, capsys):
    assert _zh(capsys, "advance", "add", "--db", db, "--client", "丁商贸", "--amount", "10", "--start", "2024-03-01",
               "--term-months", "1") == ["已登记预付款 #4"]
    assert _zh(capsys, "advance", "list", "--db", db, "--as-of", "2024-06-30")[:4] == [
        "截至 2024-06-30 的预付款：4 笔",
        "  #1 甲超市 预付 2,000.00 元，2024-04-01 至 2024-06-30（到期退差额）：已回收 1,000.00 元，待回收 1,000.00 元，"
        "预计到期累计 1,000.00 元，到期应退 1,000.00 元；状态：落后",
        "  #2 丙餐饮 预付 50.00 元，2024-04-01 至 2024-06-30（延期至回收）：已回收 50.00 元，待回收 0.00 元，"
        "预计到期累计 60.00 元，需延期 0.0 个月；状态：已回收",
        "  #3 乙便利店 预付 100.00 元，2024-04-01 至 2024-09-30（延期至回收）：已回收 0.00 元，待回收 100.00 元，"
        "预计到期累计 0.00 元，按当前速度无法回收；状态：落后"]


def test_prepay(capsys):
    argv = ("prepay", "--stores-now", "17", "--stores-target", "40", "--paths", "500", "--advance", "7e7",
            "--rule", "extend", "--commission", "0.02")
    assert main([*argv, "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    f = r["forecast"]
    assert _zh(capsys, *argv) == [
        f"12 个月期内渠道销售（门店 17 → 40 家，500 条模拟路径）：P10 {f['p10']:,.2f} 元  P50 {f['p50']:,.2f} 元  "
        f"P90 {f['p90']:,.2f} 元",
        f"建议预付款（80% 把握收回）：{r['recommended_advance']:,.2f} 元",
        f"预付 70,000,000.00 元（延长期限直至收回）：期内收回概率 {r['recoup_probability']:.1%}",
        f"  预期差额（期末退款）{r['expected_shortfall']:,.2f} 元；延期规则下预期延长 {r['expected_extra_months']:.2f} 个月",
        f"  佣金收入 {r['commission_income']:,.2f} 元 − 资金成本 0.00 元 = {r['deal_margin']:,.2f} 元"]


def test_pack_prints_the_files_it_wrote(db, tmp_path, capsys):
    assert main(["pack", "--db", db, "--out", str(tmp_path / "pack"), "--lang", "zh"]) == 0
    files = [Path(line) for line in capsys.readouterr().out.split()]
    assert [f.suffix for f in files] == [".html", ".xlsx"] and all(f.exists() for f in files)


def test_json_does_not_follow_the_language(db, capsys):
    # (churn's reasons are sentences, worded in --lang by the watchlist itself)
    for argv in (["pareto"], ["tiers"], ["plan"], ["coverage"], ["advance", "list"]):
        assert main([*argv, "--db", db, "--json"]) == 0
        english = capsys.readouterr().out
        assert main([*argv, "--db", db, "--json", "--lang", "zh"]) == 0
        assert capsys.readouterr().out == english


def test_every_string_of_the_output_exists_in_both_languages():
    """Keys written out in kam_core/cli/*.py, and the codes the output names through term()."""
    used = set()
    for path in (ROOT / "kam_core" / "cli").glob("*.py"):
        used |= set(re.findall(r'''\bt\(\s*["']([a-z0-9_.]+)["']''', path.read_text(encoding="utf-8")))
    named = {"tier": TIERS, "state": {*FROM_STATES, *TO_STATES} - set(TIERS), "period": periods.KINDS, "w": MEASURES,
             "side.level": LEVELS, "cli.churn.model": ("used", "fallback", "off"), "churn.status": followup.STATUSES,
             "plan.level": plan.PLAN_LEVELS, "plan.src": ("entered", "estimated"), "cov.level": coverage.LEVELS,
             "pp.rule": advances.RULES, "adv.rule": advances.RULES, "adv.status": advances.STATUSES}
    used |= {f"{prefix}.{code}" for prefix, codes in named.items() for code in codes}
    assert len([k for k in used if k.startswith("cli.")]) > 40
    assert sorted(k for k in used if k not in STRINGS) == []
    assert all(zh and en for key, (zh, en) in STRINGS.items() if key.startswith("cli."))


@pytest.mark.parametrize("argv,zh,en", [
    (["pareto", "--threshold", "2"], "--threshold 必须是 (0, 1] 之间的数，例如 0.8；收到 '2'",
     "--threshold must be a number in (0, 1], e.g. 0.8; got '2'"),
    (["pareto", "--start", "2024-02-01", "--end", "2024-01-01"], "--end 2024-01-01 早于 --start 2024-02-01",
     "--end 2024-01-01 is before --start 2024-02-01"),
    (["churn", "--top", "0"], "--top 至少为 1", "--top must be at least 1"),
    (["plan", "--as-of", "2024-13-01"], "不是 ISO 日期（YYYY-MM-DD）：'2024-13-01'",
     "not an ISO date (YYYY-MM-DD): '2024-13-01'"),
    (["tiers", "--period", "month", "--from", "2024Q1", "--to", "2024Q2"],
     "--from 2024Q1 / --to 2024Q2 不是按月划分的期间（--period month）",
     "--from 2024Q1 / --to 2024Q2 are not months (--period month)"),
])
def test_argument_errors_follow_the_language(db, capsys, argv, zh, en):
    """A bad argument: exit 2 and one line on stderr, in --lang (English as it always read)."""
    for lang, expected in (("zh", zh), ("en", en)):
        assert main([*argv, "--db", db, "--lang", lang]) == 2
        assert capsys.readouterr().err.strip() == expected
