"""Strings of the Pareto (二八分析) page and its figures."""

STRINGS = {
    "par.units.client": ("客户", "clients"),
    "par.units.group": ("集团", "groups"),
    "par.word.revenue": ("销售额", "revenue"),
    "par.word.profit": ("毛利", "profit"),
    "par.intro": ("谁在撑起业绩：少数客户贡献了多少销售额或毛利，集中度是在上升还是下降。",
                  "Who carries us: how few clients bring most of the revenue or profit, and whether that concentration "
                  "is rising."),
    "par.help.title": ("口径说明", "How these figures are defined"),
    "par.help.body": (
        "- **活跃**：期间内销售额（或毛利）> 0；只对活跃对象排名，金额相同时按名称键排序。合计 = 活跃对象之和。\n"
        "- **k**：按金额从大到小累加，最少需要几个对象才能达到 阈值 × 合计（精确十进制比较，阈值上的并列每次结果相同）。"
        "占比 = k ÷ 活跃数。\n"
        "- **Gini**：Σ(2i − n − 1)·xᵢ ÷ (n·Σx)，按金额升序、不做小样本修正；0 = 完全平均，越接近 1 越集中。\n"
        "- **HHI**：各对象份额（百分数）的平方和，0–10,000；单一客户为 10,000。\n"
        "- **金额 ≤ 0**（退款大于销售）的对象不参与排名，单独列出。\n"
        "- **对比上期**：上一个月、季度或年；自定义期间取紧挨其前、天数相同的一段。\n"
        "- **压力测试**：若前 n 名离开，销售额按其占活跃合计的比例下降。\n"
        "- **按维度**：区域、城市、连锁范围、客户经理取自客户档案（档案优先，否则取最新订单行）；在每个分组内单独排名。\n"
        "- **服务覆盖**：见「服务覆盖」页签中的规则说明。\n"
        "- 曲线点数超过约 2,000 时抽样显示，标记点与 k 始终精确。",
        "- **Active**: revenue (or profit) > 0 in the window; only active units are ranked, ties by their key. "
        "Total = the sum of the active units.\n"
        "- **k**: the smallest number of top units whose cumulative value reaches threshold × total (exact decimal "
        "comparison, so a tie at the threshold falls the same way every time). Share = k ÷ active.\n"
        "- **Gini**: Σ(2i − n − 1)·xᵢ ÷ (n·Σx) over values sorted ascending, no small-sample correction; 0 = all "
        "equal, towards 1 = concentrated.\n"
        "- **HHI**: the sum of squared shares in percent, 0–10,000; a single client is 10,000.\n"
        "- Units with **value ≤ 0** (refunds larger than sales) are not ranked; they are listed apart.\n"
        "- **Previous window**: the previous month, quarter or year; before a custom window, as many days just "
        "before it.\n"
        "- **Stress test**: if the top n left, revenue falls by their share of the active total.\n"
        "- **By segment**: region, city, chain scope and owner come from the KA archive (else the latest order "
        "line); each segment is ranked on its own.\n"
        "- **Coverage**: the rule is explained on the Coverage tab.\n"
        "- Curves with more than about 2,000 points are thinned for the browser; the marker and k stay exact."),
    "par.threshold": ("阈值（贡献占比）", "Threshold (share of the total)"),
    "par.threshold_help": ("拖动查看：多少客户贡献了这一比例。默认 80%（二八定律）。",
                           "What-if: how many clients bring this share. 80% is the classic 80/20."),
    "par.compare": ("对比上期 {prev}", "Compare with {prev}"),
    "par.no_profit": ("未映射毛利列，只能按销售额分析。", "No profit column is mapped, so only revenue is shown."),
    "par.answer": ("**{k:,}** 个{units}（占 {n:,} 个活跃{units}的 {share}）贡献了 {theta} 的{measure}",
                   "**{k:,}** {units} ({share} of {n:,} active) bring {theta} of {measure}"),
    "par.empty": ("{window} 没有{measure}为正的{units}：活跃 0 个，k = 0，合计 0。",
                  "{window} has no {units} with positive {measure}: active 0, k 0, total 0."),
    "par.prev_empty": ("上期 {prev} 没有数据，无法对比。", "The previous window {prev} has no data to compare with."),
    "par.moved": ("上期 {prev}：{k_prev:,} 个{units}（{n_prev:,} 个中的 {share_prev}）达到阈值；本期 {k:,} 个（{n:,} 个中的 {share}）。{trend}",
                  "In {prev}, {k_prev:,} {units} ({share_prev} of {n_prev:,}) reached the threshold; now {k:,} "
                  "({share} of {n:,}). {trend}"),
    "par.moved.more": ("更少的客户撑起了同样比例：集中度上升。", "Fewer units carry the same share: more concentrated."),
    "par.moved.less": ("需要更多客户才能达到同样比例：集中度下降。", "More units are needed for the same share: less concentrated."),
    "par.moved.same": ("达到阈值的客户数不变。", "The number of units at the threshold did not change."),
    "par.m.active": ("活跃{units}", "Active {units}"),
    "par.m.k_help": ("按金额从大到小，最少几个对象的累计达到阈值 × 合计。",
                     "The fewest top units whose cumulative value reaches threshold × total."),
    "par.m.share": ("k 占比", "k share"),
    "par.m.k": ("k（达到 {theta}）", "k (to reach {theta})"),
    "par.total": ("活跃{units}{measure}合计 {total}", "Total {measure} of active {units}: {total}"),
    "par.total_prev": ("；上期 {prev} {total}（{change}）", "; {prev}: {total} ({change})"),
    "par.m.gini_help": ("0 = 完全平均，越接近 1 越集中。", "0 = all equal; towards 1 = concentrated."),
    "par.m.hhi_help": ("份额平方和（0–10,000）；1,500 以下通常视为不集中，2,500 以上高度集中。",
                       "Sum of squared shares (0–10,000); below 1,500 is usually read as unconcentrated, above 2,500 "
                       "as highly concentrated."),
    "par.tab.curve": ("集中度曲线", "Curve"),
    "par.tab.top": ("排名与导出", "Ranking & export"),
    "par.tab.stress": ("压力测试", "Stress test"),
    "par.tab.segments": ("按维度", "By segment"),
    "par.tab.map": ("地域分布", "Region map"),
    "par.tab.coverage": ("服务覆盖", "Coverage"),
    "par.curve.name": ("{measure} · {window}", "{measure} · {window}"),
    "par.curve.read": ("横轴：按金额从大到小累计的对象占比；纵轴：累计金额占比。曲线越陡、越靠左上，越集中。虚线为对比上期。",
                       "Across: cumulative share of units, largest first; up: cumulative share of value. The steeper "
                       "and higher the curve, the more concentrated. The dashed curve is the previous window."),
    "par.joined": ("新进入头部（对比 {prev}）", "Joined the top set (vs {prev})"),
    "par.left": ("跌出头部（对比 {prev}）", "Left the top set (vs {prev})"),
    "par.in_top": ("在前 {theta} 内", "Within {theta}"),
    "par.top.n": ("显示", "Show"),
    "par.top.top": ("头部（k 个）", "Top set (k)"),
    "par.top.all": ("全部", "All"),
    "par.sheet.ranked": ("排名", "Ranking"),
    "par.sheet.nonpositive": ("金额不大于0", "Value not above 0"),
    "par.nonpos.title": ("{measure} ≤ 0 的{units}（不参与排名）", "Listed apart: {units} with {measure} ≤ 0 (not ranked)"),
    "par.nonpos.why": ("退款或冲销大于销售；这些对象不计入活跃数和合计。",
                       "Refunds or reversals at least as large as sales; they count in neither the active units nor "
                       "the total."),
    "par.stress.line": ("若前 {n} 名{units}离开，{measure}下降 **{drop}**（{value}）",
                        "If the top {n} {units} left, {measure} would fall by **{drop}** ({value})"),
    "par.stress.line_all": ("若前 {n} 名{units}离开（只有 {leaving} 个活跃），{measure}下降 **{drop}**（{value}）",
                            "If the top {n} {units} left (only {leaving} are active), {measure} would fall by "
                            "**{drop}** ({value})"),
    "par.stress.label": ("前 {n} 名", "Top {n}"),
    "par.stress.axis": ("合计下降", "Fall in the total"),
    "par.seg.dimension": ("分组维度", "Segment by"),
    "par.seg.unmapped": ("数据中没有「{dimension}」信息（未映射，也不在客户档案里）。",
                         "The data has no {dimension} (not mapped, not in the KA archive)."),
    "par.seg.missing": ("（未填写）", "(not set)"),
    "par.seg.portfolio_share": ("占整体", "Share of all"),
    "par.seg.top_unit": ("第一大{units}", "Largest of the {units}"),
    "par.seg.more": ("小图只画最大的 {shown} 个分组（共 {n} 个）；表格列出全部。",
                     "The small charts show the {shown} largest segments (of {n}); the table lists all."),
    "par.seg.focus": ("查看某个{dimension}", "Look into one {dimension}"),
    "par.seg.panel": ("{segment} · k {k}/{n}", "{segment} · k {k}/{n}"),
    "par.map.unmapped": ("数据中没有大区和城市信息。", "The data has no region or city."),
    "par.map.read": ("面积 = 金额；标签为该{units}在本城市中的占比。全国看起来不大的客户，可能是某个城市的支柱。",
                     "Area = value; a label gives the share of its city. A client that is small nationally can be the "
                     "anchor of its city."),
    "par.map.others": ("其他 {n} 个{units}", "{n} other {units}"),
    "par.map.city_share": ("本城 {share}", "{share} of city"),
    "par.map.total_share": ("占整体 {share}", "{share} of all"),
    "par.map.of_total": ("占整体", "Share of all"),
    "par.map.anchors": ("城市支柱（不在全国头部）", "Local anchors outside the national top set"),
    "par.map.anchors_why": ("不在全国前 {theta} 内，但占所在城市 30% 以上的{units}。",
                            "Outside the national top {theta}, yet at least 30% of their city."),
    "par.map.col_city_share": ("占本城", "Share of city"),
    "par.map.col_total_share": ("占整体", "Share of all"),
    "par.team.hq": ("总部 KA 团队", "Headquarters KA team"),
    "par.team.regional": ("大区 KA 团队", "Regional KA team"),
    "par.team.city": ("城市团队", "City team"),
    "par.cov.rule": (
        "建议的服务团队按连锁范围：全国连锁 → 总部 KA 团队；区域连锁 → 大区 KA 团队；单城 → 城市团队。"
        "客户经理的覆盖范围从其名下全部客户推断：客户分布在 2 个及以上大区 → 总部；一个大区内 2 个及以上城市 → 大区；"
        "只有一个城市 → 城市团队（只有大区、没有城市信息 → 大区）。名下只有一个客户的经理按该客户推断。",
        "The suggested team follows the chain scope: national chain → headquarters KA team; regional chain → "
        "regional KA team; single city → city team. An owner's reach is read from every client they hold: clients "
        "in two or more regions → headquarters; one region, two or more cities → regional; a single city → city "
        "team (a region but no city known → regional). An owner with one client is read from that client."),
    "par.cov.client_level": ("服务覆盖按客户判断（不按集团合并）。", "Coverage is judged per client, not per group."),
    "par.cov.unmapped": ("需要同时有连锁范围和客户经理（订单或客户档案中）才能判断覆盖是否匹配。",
                         "Judging coverage needs both the chain scope and the owner (in the orders or the KA archive)."),
    "par.cov.fits": ("匹配", "Fits"),
    "par.cov.under": ("覆盖不足", "Under-covered"),
    "par.cov.over": ("覆盖过宽", "Over-covered"),
    "par.cov.unknown": ("无法判断", "Unknown"),
    "par.cov.fits_help": ("经理的覆盖范围与连锁范围一致。", "The owner's reach matches the chain scope."),
    "par.cov.under_help": ("经理的覆盖范围小于连锁范围所需（如全国连锁由单一大区的经理负责）。",
                           "The owner's reach is narrower than the scope needs (e.g. a national chain held by a "
                           "one-region owner)."),
    "par.cov.over_help": ("经理的覆盖范围大于所需（如单城客户由总部团队负责）。",
                          "The owner reaches wider than needed (e.g. a single-city client held by headquarters)."),
    "par.cov.unknown_help": ("缺少连锁范围、客户经理或其地域信息。", "Scope, owner or the owner's places are missing."),
    "par.cov.suggested": ("建议团队", "Suggested team"),
    "par.cov.reach": ("经理覆盖", "Owner's reach"),
    "par.cov.regions": ("经理大区数", "Owner's regions"),
    "par.cov.cities": ("经理城市数", "Owner's cities"),
    "par.cov.clients": ("名下客户", "Clients held"),
    "par.cov.under_title": ("覆盖不足的客户（经理不匹配）", "Under-covered clients (owner does not fit)"),
    "par.cov.over_title": ("覆盖过宽的客户", "Over-covered clients"),
    "par.cov.owners_title": ("客户经理覆盖范围", "Owners' reach"),
    "par.cov.all": ("全部客户", "All clients"),
    # figures
    "par.chart.equal": ("完全平均", "Equal shares"),
    "par.chart.hover": ("前 %{{x:.1%}} 的{units} → %{{y:.1%}}", "Top %{{x:.1%}} of {units} → %{{y:.1%}}"),
    "par.chart.marker": ("k = {k}", "k = {k}"),
    "par.chart.marker_hover": ("前 {k} 个{units}（{n} 个中的 {share}）累计 {reached}",
                               "Top {k} {units} ({share} of {n}) bring {reached}"),
    "par.chart.threshold": ("阈值 {theta}", "Threshold {theta}"),
    "par.chart.x": ("{units}累计占比（从大到小）", "Cumulative share of {units} (largest first)"),
    "par.chart.y": ("累计金额占比", "Cumulative share of value"),
}
