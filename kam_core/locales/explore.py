"""Explore (自由探索): the pivot and the SQL box."""

STRINGS = {
    "exp.tab.pivot": ("透视表", "Pivot"),
    "exp.tab.sql": ("SQL 查询", "SQL"),
    "exp.intro": ("按任意维度汇总分析期间 {window} 的订单行：选择行、列和指标，按需筛选。",
                  "Summarise the order lines of the window {window} by any dimension: pick rows, columns and a "
                  "measure, and filter as needed."),
    "exp.rows": ("行", "Rows"),
    "exp.cols": ("列", "Columns"),
    "exp.filters": ("筛选", "Filters"),
    "exp.filter_all": ("全部", "All"),
    "exp.top_series": ("图中画出最大的 {shown} 列（共 {n} 列），全部数字见下表。",
                       "The chart draws the {shown} largest columns of {n}; the table below has them all."),
    "exp.empty": ("所选期间和筛选条件下没有订单。", "No order lines in the chosen window and filters."),
    "exp.shape": ("{rows:,} 行 × {cols:,} 列（另含合计）。", "{rows:,} rows × {cols:,} columns (plus totals)."),
    "exp.shape_rows": ("{rows:,} 行（另含合计）。", "{rows:,} rows (plus the total)."),
    "exp.dim.none": ("（无）", "(none)"),
    "exp.dim.region": ("大区", "Region"),
    "exp.dim.city": ("城市", "City"),
    "exp.dim.owner": ("客户经理", "Owner"),
    "exp.dim.category": ("品类", "Category"),
    "exp.dim.chain_scope": ("连锁范围", "Chain scope"),
    "exp.dim.channel": ("渠道", "Channel"),
    "exp.dim.client": ("客户", "Client"),
    "exp.dim.group": ("集团", "Group"),
    "exp.dim.month": ("月", "Month"),
    "exp.dim.quarter": ("季度", "Quarter"),
    "exp.dim.year": ("年", "Year"),
    "exp.measure.revenue": ("销售额", "Revenue"),
    "exp.measure.profit": ("毛利", "Profit"),
    "exp.measure.clients": ("客户数", "Clients"),
    "exp.measure.lines": ("订单行数", "Order lines"),
    # SQL box
    "sql.intro": ("面向熟悉 SQL 的用户：对标准化数据的只读视图执行一条 SELECT。最多返回 {cap:,} 行，超过 {seconds} 秒自动停止；"
                  "不能写入、不能连接其他数据库、不能读取文件。数据为最近一次导入后的快照。",
                  "For SQL users: one SELECT over read-only views of the canonical data. At most {cap:,} rows come "
                  "back and a query stops after {seconds} s; it cannot write, attach databases or read files. The "
                  "data is the snapshot written after the latest import."),
    "sql.tables": ("可查询的表", "Tables you can query"),
    "sql.table.transactions": ("订单行（每行一条）", "order lines, one row each"),
    "sql.table.clients": ("大客户档案", "the KA archive"),
    "sql.table.targets": ("目标", "targets"),
    "sql.table.contacts": ("拜访与联系记录", "visits and contacts"),
    "sql.table.advances": ("预付款台账", "the advance ledger"),
    "sql.table.datasets": ("每次导入", "one row per import"),
    "sql.table.client_dim": ("每个客户的汇总信息（名称、客户经理、集团、首末单）", "per-client facts (name, owner, group, "
                             "first and last order)"),
    "sql.query": ("SQL", "SQL"),
    "sql.example": ("SELECT client_name, sum(amount) AS revenue\nFROM transactions\nGROUP BY client_name\n"
                    "ORDER BY revenue DESC\nLIMIT 20",
                    "SELECT client_name, sum(amount) AS revenue\nFROM transactions\nGROUP BY client_name\n"
                    "ORDER BY revenue DESC\nLIMIT 20"),
    "sql.run": ("执行", "Run"),
    "sql.running": ("正在执行…", "Running…"),
    "sql.done": ("返回 {rows:,} 行，用时 {seconds} 秒。", "{rows:,} rows in {seconds} s."),
    "sql.truncated": ("结果超过 {cap:,} 行，只显示前 {cap:,} 行。", "The result has more than {cap:,} rows; only the first "
                      "{cap:,} are shown."),
    "sql.err.empty": ("请先输入一条 SELECT 查询。", "Type a SELECT query first."),
    "sql.err.syntax": ("SQL 语法错误：{detail}", "SQL syntax error: {detail}"),
    "sql.err.multiple": ("一次只能执行一条语句（这里有 {detail} 条）。", "Only one statement runs at a time (this text has "
                         "{detail})."),
    "sql.err.not_select": ("只能执行 SELECT（或 WITH … SELECT）查询；{detail} 语句不允许。",
                           "Only a SELECT (or WITH … SELECT) query can run; a {detail} statement is not allowed."),
    "sql.err.qualified": ("只能查询上面列出的表（不带库名或模式名）：{detail} 不可用。",
                          "Only the tables listed above can be queried, without a database or schema name: "
                          "{detail} is not available."),
    "sql.err.table": ("没有可查询的表 {detail}；可用的表见上方列表（不能读取文件）。",
                      "There is no table {detail} to query; see the list above (files cannot be read)."),
    "sql.err.function": ("表函数 {detail} 不可用：SQL 查询不能读取文件或其他数据源。",
                         "The table function {detail} is not available: queries cannot read files or other sources."),
    "sql.err.permission": ("查询被拒绝：不能访问文件或外部资源。", "Refused: queries cannot reach files or anything outside "
                           "the data."),
    "sql.err.timeout": ("查询超过 {detail} 秒，已停止。请缩小范围或加上筛选。", "The query ran past {detail} s and was "
                        "stopped. Narrow it down or add filters."),
    "sql.err.memory": ("查询所需内存超过上限，已停止。请缩小范围或先汇总。", "The query needed more memory than allowed "
                       "and was stopped. Narrow it down or aggregate first."),
    "sql.err.crashed": ("查询进程意外结束（{detail}）。请缩小查询范围后重试。", "The query process ended unexpectedly "
                        "({detail}). Try a smaller query."),
    "sql.err.no_snapshot": ("还没有可查询的数据快照；请先导入数据。", "There is no data snapshot to query yet; import data "
                            "first."),
    "sql.err.error": ("查询出错：{detail}", "The query failed: {detail}"),
}
