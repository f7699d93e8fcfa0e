"""Strings of the overview (landing) page."""

STRINGS = {
    "ov.caption": ("{window} 对比 {prev}（上一可比期间）", "{window} against {prev} (the previous comparable window)"),
    "ov.help.title": ("口径说明", "How these figures are defined"),
    "ov.help.body": (
        "- **上一可比期间**：上一个月、季度或年；自定义期间则取紧挨在它之前、天数相同的一段。\n"
        "- **销售额**：期间内全部订单行金额之和，含退款（负数行）。**毛利**同理，仅在映射了毛利列时显示。\n"
        "- **活跃{units}**：期间内销售额 > 0。下方各占比的分母都是活跃{units}的销售额合计。\n"
        "- **KA{units}（关键 + 重点）**：按期间结束日的当前等级（截至该日最近一个完整季度的分级，含手工锁定）。\n"
        "- **前 20% 占比**：销售额最高的 ⌈0.2 × 活跃数⌉ 个{units}的销售额占比。\n"
        "- **新增{units}**：本期活跃，且本期开始之前从未有过正金额的订单行（首次成交在本期内）。\n"
        "- **流失{units}**：上期活跃、本期不活跃（本期销售额 ≤ 0 或没有订单）。\n"
        "- **净收入留存 NRR**：上期活跃{units}本期销售额之和 ÷ 它们上期销售额之和（含增购，可超过 100%）。\n"
        "- **毛收入留存 GRR**：同一批{units}，每个取 min(max(本期, 0), 上期) 求和 ÷ 上期之和（不计增购，最高 100%）。\n"
        "- 箭头是与上一可比期间的变化：金额为相对变化，个数为差值，比例为百分点。",
        "- **Previous comparable window**: the previous month, quarter or year; before a custom window, as many "
        "days just before it.\n"
        "- **Revenue**: the sum of every order line in the window, refunds (negative lines) included. **Profit** "
        "the same, shown only where a profit column is mapped.\n"
        "- **Active {units}**: revenue > 0 in the window. The shares below are shares of the revenue of active {units}.\n"
        "- **KA {units} (key + important)**: by current tier at the window's end (the latest complete quarter "
        "ending on or before that day, pins included).\n"
        "- **Top 20% share**: the revenue share of the ⌈0.2 × active⌉ largest {units}.\n"
        "- **New {units}**: active in the window, with no positive order line before it started (first sale inside "
        "the window).\n"
        "- **Lost {units}**: active in the previous window, not active in this one (revenue ≤ 0 or no orders).\n"
        "- **Net revenue retention (NRR)**: the previous window's active {units}: their revenue now ÷ their revenue "
        "then (expansion counts, so it can pass 100%).\n"
        "- **Gross revenue retention (GRR)**: the same {units}, each counted as min(max(now, 0), then), summed ÷ "
        "their revenue then (no expansion, at most 100%).\n"
        "- The arrows compare with the previous window: relative change for money, a difference for counts, "
        "percentage points for ratios."),
    # headline figures
    "ov.m.revenue": ("销售额", "Revenue"),
    "ov.m.profit": ("毛利", "Profit"),
    "ov.m.active": ("活跃{units}", "Active {units}"),
    "ov.m.ka_clients": ("KA{units}", "KA {units}"),
    "ov.m.ka_share": ("KA 销售额占比", "KA share of revenue"),
    "ov.m.top20_share": ("前 20% {units}占比", "Top 20% share"),
    "ov.m.new": ("新增{units}", "New {units}"),
    "ov.m.lost": ("流失{units}", "Lost {units}"),
    "ov.m.nrr": ("净收入留存 NRR", "NRR"),
    "ov.m.grr": ("毛收入留存 GRR", "GRR"),
    "ov.mhelp.revenue": ("期间内全部订单行金额之和（含退款）。上期：{prev}", "All order lines in the window, refunds included. Previous: {prev}"),
    "ov.mhelp.profit": ("期间内全部订单行毛利之和。上期：{prev}", "Profit of all order lines in the window. Previous: {prev}"),
    "ov.mhelp.active": ("期间内销售额 > 0 的{units}数。上期：{prev}", "How many {units} had revenue > 0 in the window. Previous: {prev}"),
    "ov.mhelp.ka_clients": ("期间结束日当前等级为关键或重点的{units}数。上期：{prev}",
                            "How many {units} are key or important by current tier at the window's end. Previous: {prev}"),
    "ov.mhelp.ka_share": ("KA{units}的销售额 ÷ 活跃{units}销售额合计。上期：{prev}",
                          "Revenue of KA {units} ÷ revenue of all active {units}. Previous: {prev}"),
    "ov.mhelp.top20_share": ("销售额最高的 ⌈0.2 × 活跃数⌉ 个{units}的占比。上期：{prev}",
                             "Revenue share of the ⌈0.2 × active⌉ largest {units}. Previous: {prev}"),
    "ov.mhelp.new": ("本期活跃、此前从未成交的{units}。上期：{prev}", "Active now, no sale before the window. Previous: {prev}"),
    "ov.mhelp.lost": ("上期活跃、本期不活跃的{units}。上期：{prev}", "Active in the previous window, not in this one. Previous: {prev}"),
    "ov.mhelp.nrr": ("上期活跃{units}：本期销售额合计 ÷ 上期销售额合计。上期：{prev}",
                     "Net revenue retention of the previous window's active {units}: revenue now ÷ revenue then. Previous: {prev}"),
    "ov.mhelp.grr": ("同一批{units}：Σ min(max(本期, 0), 上期) ÷ 上期合计。上期：{prev}",
                     "Gross revenue retention of the same {units}: Σ min(max(now, 0), then) ÷ revenue then. Previous: {prev}"),
    # trend
    "ov.trend.title": ("月度趋势", "Monthly trend"),
    "ov.trend.window": ("本期", "This window"),
    "ov.trend.previous": ("上期", "Previous window"),
    "ov.trend.other": ("更早", "Earlier"),
    "ov.trend.active": ("活跃数", "Active"),
    "ov.trend.axis": ("销售额", "Revenue"),
    # movers and lists
    "ov.movers.title": ("变化最大的{units}（对比 {prev}）", "Top movers among {units} (against {prev})"),
    "ov.movers.none": ("两期之间没有销售额变化。", "No revenue changed between the two windows."),
    "ov.movers.prev": ("上期", "Previous"),
    "ov.movers.now": ("本期", "Now"),
    "ov.movers.pct": ("变化率", "Change %"),
    "ov.movers.axis": ("销售额变化", "Change in revenue"),
    "ov.movers.rose": ("增长最多", "Rose most"),
    "ov.movers.fell": ("下降最多", "Fell most"),
    "ov.lists.title": ("明细：变化最大、新增 {new} 个、流失 {lost} 个{units}", "Lists: top movers, {new} new and {lost} lost {units}"),
    "ov.new": ("新增{units}", "New {units}"),
    "ov.lost": ("流失{units}", "Lost {units}"),
    "ov.first_sale": ("首次成交", "First sale"),
    "ov.prev_revenue": ("{prev} 销售额", "Revenue {prev}"),
}
