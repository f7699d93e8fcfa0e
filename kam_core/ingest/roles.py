"""Column roles per import kind, their header synonyms, and the mapping proposal.

The proposal reads the header first (Chinese and English synonyms, as real ERP,
POS and CRM exports spell them) and the values second, for required roles the
header did not name: a column of dates, the numeric column with the largest sum,
a text column that repeats like client names do.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kam_core.ingest import clean

KINDS = ("orders", "clients", "targets", "contacts")

ROLES: dict[str, tuple[str, ...]] = {
    "orders": ("client", "client_id", "date", "amount", "profit", "quantity", "unit_price", "order_id",
               "category", "region", "city", "chain_scope", "store_count", "owner", "channel", "group"),
    "clients": ("client", "client_id", "group", "chain_scope", "store_count", "owner", "region", "city",
                "service_level", "potential", "note"),
    "targets": ("client", "owner", "period", "target"),
    "contacts": ("date", "client", "kind", "who", "note"),
}

# Required roles per kind; orders may derive amount from quantity x unit price.
REQUIRED: dict[str, tuple[str, ...]] = {
    "orders": ("client", "date", "amount"),
    "clients": ("client",),
    "targets": ("period", "target"),
    "contacts": ("date", "client"),
}

# Roles whose column holds money (a unit in the header scales them).
MONEY_ROLES = {"amount", "profit", "unit_price", "potential", "target"}
NUMBER_ROLES = MONEY_ROLES | {"quantity", "store_count"}
DATE_ROLES = {"date"}

SYNONYMS: dict[str, tuple[str, ...]] = {
    "client": ("客户名称", "客户", "客户名", "客户全称", "客户简称", "单位名称", "购货单位", "购买方", "购方名称",
               "往来单位", "往来单位名称", "经销商", "经销商名称", "商户名称", "商家名称", "采购方", "门店客户",
               "终端名称", "大客户名称", "客商名称", "订货单位", "结算客户", "买家", "买家会员名", "买家名称", "customer", "customername", "client", "clientname", "account",
               "accountname", "buyer", "company", "companyname"),
    "client_id": ("客户编号", "客户编码", "客户代码", "客户id", "客户号", "会员号", "会员卡号", "社保卡号",
                  "往来单位编码", "customerid", "clientid", "accountid", "customercode", "customerno"),
    "date": ("下单日期", "订单日期", "日期", "销售日期", "单据日期", "开票日期", "交易日期", "发货日期", "业务日期",
             "成交日期", "下单时间", "订单时间", "交易时间", "购药时间", "销售时间", "记账日期", "出库日期", "付款日期",
             "订单付款时间", "订单创建时间", "orderdate",
             "date", "invoicedate", "transactiondate", "saledate", "salesdate"),
    "amount": ("销售额", "销售金额", "金额", "实收金额", "含税金额", "价税合计", "成交金额", "订单金额", "收入",
               "营业额", "应收金额", "销售收入", "实付金额", "货款金额", "含税销售额", "实付款", "实际支付金额", "支付金额",
               "付款金额", "净值", "净额", "净金额", "净销售额", "开票金额", "发票金额", "结算金额", "出库金额", "本币金额",
               "总金额", "amount", "sales", "netvalue", "netamount",
               "salesamount", "revenue", "netsales", "totalamount", "value"),
    "profit": ("毛利", "毛利额", "利润", "毛利润", "毛利金额", "grossprofit", "profit", "margin", "grossmargin"),
    "quantity": ("数量", "销量", "件数", "销售数量", "订货数量", "qty", "quantity", "units"),
    "unit_price": ("单价", "含税单价", "售价", "销售单价", "unitprice", "price"),
    "order_id": ("订单号", "订单编号", "单据编号", "单据号", "单号", "发票号", "发票号码", "销售单号", "出库单号", "开票凭证", "凭证号",
                 "凭证编号", "销售凭证", "交货单号", "销售订单号", "orderid", "orderno",
                 "ordernumber", "invoiceno", "invoicenumber"),
    "category": ("品类", "类别", "商品类别", "产品类别", "产品线", "产品", "商品名称", "品名", "产品名称", "大类",
                 "物料名称", "物料分类", "物料类别", "存货名称", "存货分类", "商品分类", "货品名称", "商品", "货品",
                 "category", "productcategory", "product", "productline", "sku"),
    "region": ("大区", "区域", "片区", "销售区域", "所属区域", "region", "area", "salesregion"),
    "city": ("城市", "所在城市", "地市", "所属城市", "city"),
    "chain_scope": ("连锁类型", "连锁范围", "连锁属性", "客户类型", "连锁级别", "chainscope", "chaintype", "scope"),
    "store_count": ("门店数", "门店数量", "店数", "门店总数", "storecount", "stores", "numberofstores"),
    "owner": ("客户经理", "大客户经理", "销售代表", "业务员", "负责人", "销售员", "销售人员", "跟进人", "owner",
              "accountmanager", "salesrep", "salesperson", "kam"),
    "channel": ("渠道", "销售渠道", "渠道类型", "channel", "saleschannel"),
    "group": ("所属集团", "集团", "集团名称", "集团客户", "母公司", "上级单位", "group", "groupname",
              "parentcompany", "parent"),
    "service_level": ("服务等级", "服务级别", "客户等级", "servicelevel", "level"),
    "potential": ("年潜力", "潜力", "年度潜力", "潜在规模", "年采购潜力", "采购潜力", "潜力金额", "potential",
                  "annualpotential"),
    "note": ("备注", "说明", "内容", "拜访内容", "纪要", "note", "notes", "remark", "remarks", "comment"),
    "period": ("期间", "周期", "目标期间", "考核期间", "年度", "季度", "月份", "period"),
    "target": ("目标", "目标金额", "销售目标", "目标额", "任务", "任务额", "指标", "target", "quota", "goal"),
    "kind": ("方式", "类型", "拜访方式", "拜访类型", "联系方式", "活动类型", "kind", "type", "contacttype"),
    "who": ("拜访人", "拜访人员", "联系人员", "执行人", "who", "by", "visitedby"),
}
# The visit log's "who" is often the account manager column; the owner synonyms serve there too.
_EXTRA = {("contacts", "who"): SYNONYMS["owner"], ("contacts", "date"): ("拜访日期", "联系日期", "拜访时间")}
# Headers that name a role only when nothing better does, never over a real date column: a bare 时间 or
# 付款时间 is the order time of a shop export; a month column is the date of a monthly summary (whose
# rows are then rejected as month-only dates, saying why).
_WEAK = {("orders", "date"): ("月份", "年月", "月度", "销售月份", "month", "yearmonth",
                              "时间", "创建时间", "付款时间", "支付时间", "成交时间", "time", "datetime", "createdat",
                              "paidat")}
WEAK_SCORE = 40

_UNIT_PART = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_NOISE = re.compile(r"[\s_\-:：/\\.·*#]+")


def normalize_header(header) -> str:
    """Header text for matching: NFKC, units in brackets dropped, lowercase, no spaces or punctuation."""
    text = clean.nfkc(str(header or ""))
    text = _UNIT_PART.sub("", text)
    return _NOISE.sub("", text).lower()


def synonyms_for(kind: str, role: str) -> tuple[str, ...]:
    return SYNONYMS.get(role, ()) + _EXTRA.get((kind, role), ())


@lru_cache(maxsize=1)
def _exact_names() -> frozenset[str]:
    return frozenset(s for kind in KINDS for role in ROLES[kind] for s in synonyms_for(kind, role))


def is_known_name(header) -> bool:
    """Whether a header is exactly some role's name in some kind (name_score 100)."""
    norm = normalize_header(header)
    return bool(norm) and norm in _exact_names()


_NET_OF_TAX = re.compile(r"不含税|无税|未税|去税|除税")


def name_score(header, kind: str, role: str) -> int:
    """How well a header names a role: 100 exact, 60 a synonym inside the header, 40 a weak name, 0 none."""
    norm = normalize_header(header)
    if not norm:
        return 0
    best = WEAK_SCORE if norm in _WEAK.get((kind, role), ()) else 0
    for synonym in synonyms_for(kind, role):
        if norm == synonym:
            return 100
        if len(synonym) >= 2 and synonym in norm:
            best = max(best, 60 + min(len(synonym), 10))
    if best and role in ("amount", "target") and _NET_OF_TAX.search(norm):
        best -= 5       # 金额 over 含税 | 不含税: revenue is the tax-inclusive one, whichever comes first
    return best


@dataclass(frozen=True)
class ColumnProfile:
    """What a column's values look like, from a sample (for value-based guessing)."""

    index: int
    non_empty: int
    dates: int         # values that read as dates
    numbers: int       # values that read as numbers
    distinct: int
    total: float       # sum of absolute numeric values
    text: int          # non-numeric, non-date text values


def propose(headers: list[str], kind: str, profiles: list[ColumnProfile] | None = None) -> dict[str, int]:
    """role -> column index: header synonyms first, then values for the required roles still missing."""
    candidates = []
    for role in ROLES[kind]:
        for index, header in enumerate(headers):
            score = name_score(header, kind, role)
            if score:
                candidates.append((score, _role_priority(kind, role), index, role))
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for score, _, index, role in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if role in mapping or index in used:
            continue
        mapping[role] = index
        used.add(index)
    if profiles:
        _guess_from_values(kind, mapping, used, profiles, headers)
    return mapping


def _role_priority(kind: str, role: str) -> int:
    """Ties between roles for one header go to the earlier (more important) role."""
    return ROLES[kind].index(role)


# Numbers that are not amounts: a guess from values never takes a column whose header says it holds
# a document number, a code, an account, a phone or a limit.
_NOT_AMOUNT = re.compile(r"号|编号|编码|代码|凭证|账户|帐户|账号|帐号|卡号|电话|手机|邮编|税号|额度|限额|行号|项目|序号|"
                         r"(?i:\bid\b|\bno\b|code|number|phone|account|item)")


def _guess_from_values(kind: str, mapping: dict[str, int], used: set[int], profiles: list[ColumnProfile],
                       headers: list[str]) -> None:
    free = [p for p in profiles if p.index not in used and p.non_empty]
    if "date" in REQUIRED[kind] and "date" not in mapping:
        dated = [p for p in free if p.dates >= 0.8 * p.non_empty]
        if dated:
            best = max(dated, key=lambda p: p.dates)
            mapping["date"] = best.index
            free.remove(best)
    amount_role = {"orders": "amount", "targets": "target"}.get(kind)
    if amount_role and amount_role not in mapping and not (kind == "orders" and {"quantity", "unit_price"} <= set(mapping)):
        numeric = [p for p in free if p.numbers >= 0.9 * p.non_empty and p.dates < 0.5 * p.non_empty
                   and not _NOT_AMOUNT.search(str(headers[p.index] or ""))]
        if numeric:
            best = max(numeric, key=lambda p: p.total)
            mapping[amount_role] = best.index
            free.remove(best)
    if "client" in REQUIRED[kind] and "client" not in mapping:
        texts = [p for p in free if p.text >= 0.8 * p.non_empty and 1 < p.distinct < 0.5 * p.non_empty]
        if texts:
            best = max(texts, key=lambda p: (p.non_empty, -p.distinct))
            mapping["client"] = best.index


def missing_required(kind: str, mapping: dict[str, int]) -> list[str]:
    """Required roles the mapping lacks (orders: amount may come from quantity x unit price)."""
    missing = [role for role in REQUIRED[kind] if role not in mapping]
    if kind == "orders" and "amount" in missing and {"quantity", "unit_price"} <= set(mapping):
        missing.remove("amount")
    if kind == "targets" and "client" not in mapping and "owner" not in mapping:
        missing.append("client")
    return missing


_DISTINCTIVE = {"orders": ("amount", "quantity", "unit_price", "order_id", "profit"),
                "clients": ("potential", "service_level", "group", "store_count"),
                "targets": ("target", "period"),
                "contacts": ("kind", "who", "note")}


_VISIT_DATES = frozenset(normalize_header(h) for h in _EXTRA[("contacts", "date")])
_VISITORS = frozenset(normalize_header(h) for h in SYNONYMS["who"])


def _names_a_visit(headers: list[str], mapping: dict[str, int]) -> bool:
    """A visit log names the visit: its kind, what was said, who went (拜访人; an account manager
    column alone is every order export's), or a 拜访日期."""
    def named(role: str, names) -> bool:
        return role in mapping and normalize_header(headers[mapping[role]]) in names
    return ("kind" in mapping or "note" in mapping or named("who", _VISITORS) or named("date", _VISIT_DATES))


def detect_kind(headers: list[str]) -> str:
    """Which kind of sheet this header belongs to: a kind whose required roles are all named
    wins over one that lacks some; then the roles only that kind has; ties go to order lines.
    A visit log must name the visit, and an archive has no order date: order lines without an
    amount column stay order lines, so the missing amount is what the user is told."""
    best_kind, best_score = "orders", -1
    dated = any(name_score(h, "orders", "date") == 100 for h in headers)    # 订单日期, not 建档日期
    for kind in KINDS:
        mapping = propose(headers, kind)
        missing = missing_required(kind, mapping)
        if kind == "contacts" and not _names_a_visit(headers, mapping):
            continue      # a date and a client alone are order lines missing their amount, not visits
        if kind == "clients" and dated:
            continue      # an archive lists clients; a dated row is an order or a visit
        covered = len(REQUIRED[kind]) - len(missing)
        score = 10 * (not missing) + covered + sum(1 for r in _DISTINCTIVE[kind] if r in mapping)
        if score > best_score:
            best_kind, best_score = kind, score
    return best_kind
