"""Strings of the command line's human-readable output (without --json). The English side is what scripts and
habits already read; codes inside it (key, on_track, refund) stay codes, the Chinese side names them."""

STRINGS = {
    # ---- shared
    "cli.none": ("—", "-"),
    "cli.yuan": ("{x:,.2f} 元", "{x:,.2f}"),
    "cli.sep": ("；", "; "),
    "cli.list_sep": ("、", ", "),
    "cli.more": ("……另有 {n:,} 个（加 --json 查看全部）", "… {n:,} more (use --json)"),
    # ---- pareto
    "cli.pareto.empty": ("所选期间没有数据：活跃 0 个，k = 0，合计 0", "empty window: active 0, k 0, total 0"),
    "cli.pareto.answer": ("{n:,} 个活跃客户中，前 {k:,} 个（{share:.1%}）累计达到阈值；合计 {total}；"
                          "Gini {gini:.3f}；HHI {hhi:,.0f}",
                          "{k:,} of {n:,} active ({share:.1%}) reach the threshold; total {total}; "
                          "Gini {gini:.3f}; HHI {hhi:,.0f}"),
    "cli.pareto.nonpositive": ("金额 ≤ 0 的 {n:,} 个（不参与排名）：", "{n:,} with value <= 0 (not ranked):"),
    # ---- tiers
    "cli.tiers.head": ("按{period}分级，口径为{measure}，分析单位为{level}，{how}；数据截至 {data_end}",
                       "tiers per {period} by {measure} ({level} level, {how}); data through {data_end}"),
    "cli.tiers.cuts": ("累计占比切点 {cuts}", "cuts {cuts}"),
    "cli.tiers.fixed": ("固定金额门槛", "fixed thresholds"),
    "cli.tiers.no_data": ("所选期间没有销售数据", "no data"),
    "cli.tiers.period": ("期间", "period"),
    "cli.tiers.pinned": ("战略锁定：{pins}", "pinned: {pins}"),
    "cli.tiers.pin": ("{client} → {tier}（{reason}）", "{client} -> {tier} ({reason})"),
    "cli.tiers.migration": ("升降级 {p} → {q}（{units}数）", "migration {p} -> {q} (clients)"),
    # ---- churn
    "cli.churn.head": ("截至 {as_of} 的流失预警名单：{n} 个（{model}）",
                       "churn watchlist as of {as_of} (model: {model}): {n} on the list"),
    "cli.churn.model.used": ("已使用 BG/NBD 模型", "used"),
    "cli.churn.model.fallback": ("BG/NBD 模型未能拟合，风险按规则信号计算", "fallback"),
    "cli.churn.model.off": ("模型已关闭，风险只按规则信号计算", "off"),
    "cli.churn.entry": ("{i:>3}. {client}  风险 {risk:.0%}  风险金额 {at_risk}",
                        "{i:>3}. {client}  risk {risk:.0%}  at risk {at_risk}"),
    "cli.churn.follow_up": ("跟进状态：{status}", "{status}"),
    # ---- plan
    "cli.plan.head": ("{period}（截至 {as_of}）：时间进度 {progress:.1%}（已过 {elapsed} 天 / 共 {days} 天）",
                      "{period} as of {as_of}: time progress {progress:.1%} ({elapsed} of {days} days)"),
    "cli.plan.no_targets": ("这个期间没有目标", "no targets for this period"),
    "cli.plan.target": ("{level} {name}：目标 {target}，实际 {actual}，达成率 {attainment}，进度差 {gap}",
                        "{level} {name}: target {target}, actual {actual}, attainment {attainment}, gap to pace {gap}"),
    "cli.plan.behind": ("落后进度", "behind pace"),
    "cli.plan.potential": ("潜力：{total} 个客户中 {n} 个有潜力（档案填写 {entered} 个，同类估算 {estimated} 个）",
                           "potential: {n} of {total} clients (entered {entered}, estimated {estimated})"),
    "cli.plan.headroom": ("{client}：年潜力 {potential}（{source}），近12个月销售额 {t12m}，增长空间 {headroom}",
                          "{client}: potential {potential} ({source}), t12m {t12m}, headroom {headroom}"),
    # ---- coverage
    "cli.coverage.head": ("截至 {as_of}（分级期间 {tier_period}；拜访频率 {cadence}）：{total} 个客户中 {n} 个逾期未联系",
                          "as of {as_of} (tiers of {tier_period}; cadence {cadence}): {n} of {total} clients "
                          "overdue for contact"),
    "cli.coverage.cadence": ("{level}每 {days} 天", "{level} {days}d"),
    "cli.coverage.client": ("[{level}] {client}：{since}（周期 {cadence} 天）",
                            "[{level}] {client}: {since} (cadence {cadence})"),
    "cli.coverage.since": ("上次联系 {last}，已 {days} 天", "{days} days since {last}"),
    "cli.coverage.never": ("从未联系", "never contacted"),
    # ---- prepay
    "cli.prepay.forecast": ("{term} 个月期内渠道销售（门店 {now} → {target} 家，{paths:,} 条模拟路径）："
                            "P10 {p10}  P50 {p50}  P90 {p90}",
                            "Channel sales over {term} months ({now} -> {target} stores, {paths:,} paths): "
                            "P10 {p10}  P50 {p50}  P90 {p90}"),
    "cli.prepay.recommended": ("建议预付款（{p:.0%} 把握收回）：{amount}",
                               "Recommended advance (recouped with probability {p:.0%}): {amount}"),
    "cli.prepay.advance": ("预付 {amount}（{rule}）：期内收回概率 {p:.1%}",
                           "Advance {amount} ({rule} rule): recouped with probability {p:.1%}"),
    "cli.prepay.shortfall": ("预期差额（期末退款）{shortfall}；延期规则下预期延长 {months:.2f} 个月",
                             "expected shortfall (refund) {shortfall}; expected extension {months:.2f} months"),
    "cli.prepay.margin": ("佣金收入 {income} − 资金成本 {cost} = {margin}",
                          "commission income {income} - financing cost {cost} = margin {margin}"),
    # ---- advance
    "cli.advance.signed": ("已登记预付款 #{id}", "advance #{id} signed"),
    "cli.advance.head": ("截至 {as_of} 的预付款：{n} 笔", "advances as of {as_of}: {n}"),
    "cli.advance.row": ("#{id} {client} 预付 {amount}，{start} 至 {end}（{rule}）：已回收 {recouped}，待回收 {remaining}，"
                        "预计到期累计 {projected}，{owed}；状态：{status}",
                        "#{id} {client} {amount} {start}..{end} ({rule}): recouped {recouped}, remaining {remaining}, "
                        "projected {projected}, {owed} — {status}"),
    "cli.advance.refund_due": ("到期应退 {amount}", "refund due {amount}"),
    "cli.advance.extension": ("需延期 {months} 个月", "extension {months} months"),
    # ---- errors in the arguments (exit 2); the English ones as the command line has always printed them
    "cli.err.date": ("不是 ISO 日期（YYYY-MM-DD）：{text}", "not an ISO date (YYYY-MM-DD): {text}"),
    "cli.err.amount": ("--amount 必须是正数，收到 {value}", "--amount must be a positive amount, got {value}"),
    "cli.err.top": ("--top 至少为 1", "--top must be at least 1"),
    "cli.err.mapping_unreadable": ("无法读取映射文件 {path}：{error}", "cannot read mapping file {path}: {error}"),
    "cli.err.mapping_shape": ("映射文件 {path} 必须是「字段 -> 列名」的 JSON 对象",
                              "mapping file {path} must be a JSON object of role -> column header"),
    "cli.err.no_file": ("找不到文件：{path}", "no such file: {path}"),
    "cli.err.threshold": ("--threshold 必须是 (0, 1] 之间的数，例如 0.8；收到 {text}",
                          "--threshold must be a number in (0, 1], e.g. 0.8; got {text}"),
    "cli.err.end_before_start": ("--end {end} 早于 --start {start}", "--end {end} is before --start {start}"),
    "cli.err.no_profit": ("--measure profit：已导入的数据没有映射毛利列",
                          "--measure profit: no profit column is mapped in the loaded data"),
    "cli.err.advance": ("--advance 必须是不小于 0 的有限金额，收到 {value}", "--advance must be a finite amount >= 0, got {value}"),
    "cli.err.from_to": ("--from 和 --to 要一起给，例如 --from 2024Q1 --to 2024Q2",
                        "--from and --to go together, e.g. --from 2024Q1 --to 2024Q2"),
    "cli.err.from_to_period": ("--from {p} / --to {q} 不是按{period_name}划分的期间（--period {period}）",
                               "--from {p} / --to {q} are not {period}s (--period {period})"),
}
