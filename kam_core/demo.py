"""A realistic synthetic KA portfolio: the shipped demo workbook and the benchmark's data.

Heavy-tailed client revenue (a few chains carry most of it), chains that open
stores, clients that quietly fade, new clients, refunds, and the archive,
targets and visit log a KA team keeps beside its order lines. Deterministic
for a given seed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kam_core import config

REGIONS = {
    "华东": ["上海", "杭州", "南京", "苏州", "宁波", "合肥"],
    "华南": ["广州", "深圳", "东莞", "佛山", "厦门", "南宁"],
    "华北": ["北京", "天津", "石家庄", "太原", "济南", "青岛"],
    "华中": ["武汉", "长沙", "郑州", "南昌"],
    "西南": ["成都", "重庆", "昆明", "贵阳"],
    "西北": ["西安", "兰州", "乌鲁木齐"],
    "东北": ["沈阳", "大连", "哈尔滨", "长春"],
}
OWNERS = {"华东": ["王磊", "陈静"], "华南": ["李娜", "黄伟"], "华北": ["张强", "刘洋"], "华中": ["周敏"],
          "西南": ["吴昊"], "西北": ["赵婷"], "东北": ["孙浩"]}
HQ_TEAM = "KA总部-郑凯"
CATEGORIES = {"冷冻食品": 0.18, "调味品": 0.32, "饮料": 0.24, "米面粮油": 0.12, "乳制品": 0.20, "休闲零食": 0.28,
              "一次性包材": 0.15}
BRANDS = ["海底", "西贝", "老乡", "蜀香", "湘味", "粤来", "鲜丰", "百果", "喜茶", "蜜雪", "华联", "永旺", "物美",
          "大润", "联华", "家乐", "盒马", "钱大", "叮咚", "红旗", "益丰", "一心", "老百", "国大", "大参", "漱玉",
          "九州", "同仁", "金鹰", "银泰", "新华", "德克", "塔斯", "乡村", "真功", "和府", "太二", "九毛", "绿茶",
          "外婆", "小菜", "大龙", "巴奴", "凑凑", "奈雪", "茶颜", "古茗", "沪上", "书亦", "鹿角"]
KINDS = [("餐饮管理有限公司", "餐饮"), ("火锅连锁", "餐饮"), ("超市有限公司", "商超"), ("便利店", "商超"),
         ("大药房连锁", "药房"), ("茶饮", "餐饮"), ("食品有限公司", "食品"), ("酒店管理集团", "酒店")]
GROUPS = ["华润集团", "百联集团", "美团系", "万达集团"]


@dataclass
class Portfolio:
    orders: pd.DataFrame
    archive: pd.DataFrame
    targets: pd.DataFrame
    contacts: pd.DataFrame
    data_end: dt.date


def _names(n: int, rng: np.random.Generator) -> list[str]:
    out, seen = [], set()
    while len(out) < n:
        brand = BRANDS[rng.integers(len(BRANDS))] + BRANDS[rng.integers(len(BRANDS))][0]
        suffix = KINDS[rng.integers(len(KINDS))][0]
        name = brand + suffix
        if name in seen:
            name = f"{brand}{len(out)}{suffix}"
        seen.add(name)
        out.append(name)
    return out


def synth_portfolio(n_clients: int = 160, n_lines: int = 24_000, start: dt.date = dt.date(2023, 1, 1),
                    end: dt.date = dt.date(2026, 10, 31), seed: int = 7, n_prospects: int = 6) -> Portfolio:
    rng = np.random.default_rng(seed)
    days = (end - start).days + 1
    names = _names(n_clients + n_prospects, rng)
    prospects, names = names[n_clients:], names[:n_clients]
    # Zipf-like weights with noise: the top client ~10%, the top 20% of clients ~80% of revenue
    size = np.sort(1 / (np.arange(n_clients) + 5) ** 1.6 * rng.lognormal(0, 0.25, n_clients))[::-1]
    annual = size / size.sum() * 4.0e8 * max(n_clients / 160, 1) ** 0.5
    region_names = list(REGIONS)
    region = rng.choice(region_names, n_clients, p=[.26, .22, .18, .12, .1, .06, .06])
    city = np.array([REGIONS[r][rng.integers(len(REGIONS[r]))] for r in region])
    rank = np.arange(n_clients)
    scope = np.where(rank < n_clients * 0.08, "全国连锁", np.where(rank < n_clients * 0.35, "区域连锁", "单城"))
    stores = np.maximum(1, ((annual / annual.max()) ** 0.7 * 600 * rng.uniform(0.6, 1.4, n_clients)).astype(int))
    stores = np.where(scope == "单城", np.minimum(stores, 12), stores)
    owner = np.array([OWNERS[r][rng.integers(len(OWNERS[r]))] for r in region])
    owner = np.where((scope == "全国连锁") & (rng.random(n_clients) < 0.6), HQ_TEAM, owner)
    # life stories: most steady, some new, some quietly leaving, some expanding fast
    first = np.where(rng.random(n_clients) < 0.22, rng.integers(days // 3, days - 90, n_clients), 0)
    fade_start = np.where(rng.random(n_clients) < 0.12, rng.integers(days // 2, days - 60, n_clients), days)
    fade_start[3] = days - 80          # a top-5 client quietly leaving: the watchlist's headline case
    fade_start[8] = days - 70
    growth = np.where(rng.random(n_clients) < 0.15, rng.uniform(0.3, 1.2, n_clients), rng.uniform(-0.1, 0.15, n_clients))
    growth[[1, 6, 11]] = [0.9, 1.1, 1.4]  # chains opening stores: prepayment candidates
    weights = np.sqrt(annual) * (days - first) / days
    lines_per_client = np.maximum(6, (weights / weights.sum() * n_lines).astype(int))
    group = np.array([None] * n_clients, dtype=object)
    for g, members in zip(GROUPS, np.array_split(rng.choice(np.arange(5, n_clients), 12, replace=False), 4)):
        group[members] = g
    cat_names = list(CATEGORIES)
    frames = []
    for i in range(n_clients):
        n = int(lines_per_client[i])
        u = np.sort(rng.random(n))
        # fading clients: order density falls after fade_start, so their dates thin out
        t = first[i] + u * (days - 1 - first[i])
        fading = t > fade_start[i]
        keep = ~fading | (rng.random(n) < np.exp(-(t - fade_start[i]) / 45.0))
        t = t[keep].astype(int)
        if len(t) == 0:
            continue
        years = t / 365.0
        level = annual[i] * (1 + growth[i]) ** years
        per_line = level * (days - first[i]) / 365.0 / max(len(t), 1)
        amount = per_line * rng.lognormal(-0.18, 0.6, len(t))
        refund = rng.random(len(t)) < 0.012
        amount = np.where(refund, -amount * rng.uniform(0.1, 0.6, len(t)), amount)
        cats = rng.choice(cat_names, len(t), p=_cat_mix(rng, len(cat_names)))
        margin = np.array([CATEGORIES[c] for c in cats]) + rng.normal(0, 0.05, len(t)) - (0.12 if i in (2, 5) else 0)
        price = rng.choice([12.5, 18.0, 26.8, 35.0, 48.5, 66.0, 88.0, 128.0], len(t))
        qty = np.maximum(1, np.round(np.abs(amount) / price))
        amount = np.round(np.sign(amount) * qty * price, 2)
        store_now = stores[i] / (1 + growth[i]) ** ((days - 1 - t) / 365.0)
        frames.append(pd.DataFrame({
            "order_date": pd.to_datetime(start) + pd.to_timedelta(t, unit="D"),
            "client": names[i], "region": region[i], "city": city[i], "chain_scope": scope[i],
            "store_count": np.maximum(1, np.round(store_now)).astype(int), "category": cats, "quantity": qty,
            "unit_price": price, "amount": amount, "profit": np.round(amount * margin, 2), "owner": owner[i],
            "channel": rng.choice(["直营", "经销"], len(t), p=[0.7, 0.3]),
        }))
    orders = pd.concat(frames, ignore_index=True).sort_values(["order_date", "client"], kind="stable")
    orders.insert(1, "order_id", [f"SO{start.year}{i:07d}" for i in range(len(orders))])
    orders = orders.reset_index(drop=True)
    archive = _archive(names, prospects, group, scope, stores, owner, region, city, annual, growth, rng)
    targets = _targets(orders, end, rng)
    contacts = _contacts(orders, names, owner, end, rng)
    return Portfolio(orders, archive, targets, contacts, end)


def _cat_mix(rng, k: int) -> np.ndarray:
    p = rng.dirichlet(np.ones(k) * 0.8)
    return p / p.sum()


def _archive(names, prospects, group, scope, stores, owner, region, city, annual, growth, rng) -> pd.DataFrame:
    ka = min(len(names), 60)
    rows = []
    for i in range(ka):
        level = "A" if i < 12 else "B" if i < 30 else "C"
        rows.append({"client": names[i], "group": group[i], "chain_scope": scope[i], "store_count": int(stores[i]),
                     "owner": owner[i], "region": region[i], "city": city[i], "service_level": level,
                     "potential_wan": round(float(annual[i] * rng.uniform(1.3, 2.5)) / 1e4, 1) if i % 3 == 0 else None,
                     "note": "扩张中：今年计划新开门店" if growth[i] > 0.5 else None})
    for j, name in enumerate(prospects):
        r = list(REGIONS)[j % len(REGIONS)]
        rows.append({"client": name, "group": None, "chain_scope": "区域连锁", "store_count": int(rng.integers(20, 120)),
                     "owner": OWNERS[r][0], "region": r, "city": REGIONS[r][0], "service_level": "C",
                     "potential_wan": round(float(rng.uniform(300, 2500)), 1), "note": "潜在客户：洽谈中"})
    return pd.DataFrame(rows)


def _targets(orders: pd.DataFrame, end: dt.date, rng) -> pd.DataFrame:
    year = end.year
    last = orders[orders["order_date"].dt.year == year - 1]
    by_client = last.groupby("client")["amount"].sum().sort_values(ascending=False).head(40)
    rows = []
    for client, value in by_client.items():
        target = round(float(value) * rng.uniform(1.05, 1.3) / 1e4, 1)
        rows.append({"level_name": client, "owner": None, "period": f"{year}年", "target_wan": target})
        for q in range(1, 5):
            rows.append({"level_name": client, "owner": None, "period": f"{year}年第{q}季度",
                         "target_wan": round(target / 4, 1)})
    by_owner = last.groupby("owner")["amount"].sum()
    for owner, value in by_owner.items():
        rows.append({"level_name": None, "owner": owner, "period": str(year),
                     "target_wan": round(float(value) * 1.15 / 1e4, 1)})
    return pd.DataFrame(rows)


def _contacts(orders: pd.DataFrame, names, owner, end: dt.date, rng) -> pd.DataFrame:
    rows = []
    kinds = ["拜访", "电话", "会议", "经营回顾"]
    for i, name in enumerate(names[:80]):
        every = 20 if i < 12 else 45 if i < 30 else 80
        day = end - dt.timedelta(days=int(rng.integers(0, every * 2)) + (150 if i in (3, 8) else 0))
        while day > end - dt.timedelta(days=540):
            rows.append({"date": day, "client": name, "kind": kinds[int(rng.integers(len(kinds)))],
                         "who": owner[i], "note": "沟通季度订货与新品推广"})
            day -= dt.timedelta(days=int(every * rng.uniform(0.6, 1.5)))
    return pd.DataFrame(rows).sort_values("date").reset_index(drop=True)


# ------------------------------------------------------------------ the demo workbook

ORDER_HEADERS = {"order_date": "订单日期", "order_id": "订单号", "client": "客户名称", "region": "大区",
                 "city": "城市", "chain_scope": "连锁类型", "store_count": "门店数", "category": "品类",
                 "quantity": "数量", "unit_price": "单价", "amount": "销售额（元）", "profit": "毛利（元）",
                 "owner": "客户经理", "channel": "渠道"}


def write_workbook(p: Portfolio, path) -> None:
    """The demo as a sales system would export it: title rows above a header, one sheet per table."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    money_fmt = wb.add_format({"num_format": "#,##0.00"})

    ws = wb.add_worksheet("订单明细")
    ws.merge_range(0, 0, 0, 6, "【演示数据】示例食品公司 大客户销售明细", title)
    ws.write(1, 0, f"导出范围：{p.orders['order_date'].min():%Y-%m-%d} 至 {p.data_end:%Y-%m-%d}")
    cols = list(ORDER_HEADERS)
    for c, key in enumerate(cols):
        ws.write_string(3, c, ORDER_HEADERS[key], head)
    for r, row in enumerate(p.orders[cols].itertuples(index=False), start=4):
        for c, value in enumerate(row):
            key = cols[c]
            if key == "order_date":
                ws.write_datetime(r, c, value.to_pydatetime(), date_fmt)
            elif key in ("amount", "profit", "unit_price"):
                ws.write_number(r, c, float(value), money_fmt)
            elif isinstance(value, (int, float, np.integer, np.floating)):
                ws.write_number(r, c, float(value))
            else:
                ws.write_string(r, c, str(value))
    last = 4 + len(p.orders)
    ws.write_string(last, 0, "合计")
    ws.write_number(last, 10, float(p.orders["amount"].sum()), money_fmt)
    ws.freeze_panes(4, 0)
    ws.set_column(0, 0, 12)
    ws.set_column(2, 2, 26)

    _simple_sheet(wb, "大客户档案", "【演示数据】大客户档案", p.archive.rename(columns={
        "client": "客户名称", "group": "所属集团", "chain_scope": "连锁类型", "store_count": "门店数",
        "owner": "客户经理", "region": "大区", "city": "城市", "service_level": "服务等级",
        "potential_wan": "年潜力（万元）", "note": "备注"}), title, head, date_fmt)
    _simple_sheet(wb, "年度目标", "【演示数据】年度销售目标", p.targets.rename(columns={
        "level_name": "客户名称", "owner": "客户经理", "period": "期间", "target_wan": "目标（万元）"}),
        title, head, date_fmt)
    _simple_sheet(wb, "拜访记录", "【演示数据】拜访记录", p.contacts.rename(columns={
        "date": "拜访日期", "client": "客户名称", "kind": "方式", "who": "拜访人", "note": "内容"}),
        title, head, date_fmt)
    wb.close()


def _simple_sheet(wb, name, caption, frame: pd.DataFrame, title, head, date_fmt) -> None:
    ws = wb.add_worksheet(name)
    ws.write(0, 0, caption, title)
    for c, column in enumerate(frame.columns):
        ws.write_string(2, c, column, head)
    for r, row in enumerate(frame.itertuples(index=False), start=3):
        for c, value in enumerate(row):
            if value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            if isinstance(value, (dt.date, pd.Timestamp)):
                ws.write_datetime(r, c, pd.Timestamp(value).to_pydatetime(), date_fmt)
            elif isinstance(value, (int, float, np.integer, np.floating)):
                ws.write_number(r, c, float(value))
            else:
                ws.write_string(r, c, str(value))
    ws.set_column(0, 0, 26)


DEMO_SHEETS = [("订单明细", "orders"), ("大客户档案", "clients"), ("年度目标", "targets"), ("拜访记录", "contacts")]


def load_demo(store, path=None) -> list[int]:
    """Import the shipped demo workbook, every sheet with its kind, marked as demo."""
    from kam_core.ingest import importer

    ids = []
    for sheet, kind in DEMO_SHEETS:
        report = importer.import_file(store, str(path or config.DEMO_WORKBOOK), config.DEMO_WORKBOOK.name, kind=kind,
                                      sheet=sheet, is_demo=True)
        ids.append(report.dataset_id)
    return ids


if __name__ == "__main__":
    write_workbook(synth_portfolio(), config.DEMO_WORKBOOK)
    print(f"wrote {config.DEMO_WORKBOOK}")
