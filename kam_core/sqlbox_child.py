"""The SQL box's child process: one read-only query on the snapshot, inside DuckDB's sandbox settings.

Run as `python -I kam_core/sqlbox_child.py` with a JSON request on stdin. It needs
nothing of kam_core (isolated mode, no project path): the statement check lives
here and the parent imports it from here. Output on stdout: one JSON status line,
then (when ok) the result as an Arrow IPC stream.

Layers, each enough on its own for its part:
- the text must be one SELECT (or WITH ... SELECT) naming only the exposed tables,
  no qualified names and no table functions beyond a short list (checked on
  DuckDB's own parse tree);
- DuckDB runs in memory with the snapshot attached READ_ONLY, views of the
  canonical tables over it, then external access off (no files, no ATTACH, no
  COPY, no extensions), no spilling to disk, a memory limit, and the
  configuration locked;
- the parent kills this process at the time limit, and the result is capped at
  row_cap rows (the query is wrapped in a LIMIT through the relation API).
"""
from __future__ import annotations

import json
import sys

import duckdb

# The canonical tables the box exposes, as views of the same name.
TABLES = ("transactions", "clients", "targets", "contacts", "advances", "datasets", "client_dim")
TABLE_FUNCTIONS = ("range", "generate_series", "unnest")


class Refused(Exception):
    """The text is not something the box runs: code (machine word) and detail (what was found)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def _walk(node, ctes: set[str], found: dict) -> None:
    """Collect the table references and table functions of a serialized parse tree."""
    if isinstance(node, dict):
        cte_map = node.get("cte_map")
        if isinstance(cte_map, dict):
            ctes |= {entry.get("key", "").lower() for entry in cte_map.get("map", []) if isinstance(entry, dict)}
        kind = node.get("type")
        if kind == "BASE_TABLE":
            found["tables"].append((node.get("catalog_name", ""), node.get("schema_name", ""),
                                    node.get("table_name", "")))
        elif kind == "TABLE_FUNCTION":
            function = node.get("function") or {}
            found["functions"].append(str(function.get("function_name", "")).lower())
        elif kind == "SHOW_REF" and node.get("query") is None:
            found["show"].append(str(node.get("table_name", "")))
        for value in node.values():
            _walk(value, ctes, found)
    elif isinstance(node, list):
        for value in node:
            _walk(value, ctes, found)


def check_select(text: str, con: duckdb.DuckDBPyConnection, tables=TABLES) -> None:
    """Refuse anything but one SELECT over the exposed tables. Raises Refused(code, detail)."""
    if not text or not text.strip():
        raise Refused("empty")
    try:
        statements = duckdb.extract_statements(text)
    except duckdb.Error as exc:
        raise Refused("syntax", str(exc).splitlines()[0]) from None
    if not statements:
        raise Refused("empty")
    if len(statements) > 1:
        raise Refused("multiple", str(len(statements)))
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise Refused("not_select", kind.name)
    tree = json.loads(con.execute("SELECT json_serialize_sql($q)", {"q": text}).fetchall()[0][0])
    if tree.get("error"):
        raise Refused("not_select", str(tree.get("error_message", ""))[:200])
    ctes: set[str] = set()
    found: dict = {"tables": [], "functions": [], "show": []}
    _walk(tree.get("statements", []), ctes, found)
    if found["show"]:
        raise Refused("not_select", "SHOW")
    allowed = {name.lower() for name in tables}
    for catalog, schema, name in found["tables"]:
        if catalog or schema:
            raise Refused("qualified", ".".join(p for p in (catalog, schema, name) if p))
        if name.lower() not in allowed and name.lower() not in ctes:
            raise Refused("table", name)
    for function in found["functions"]:
        if function not in TABLE_FUNCTIONS:
            raise Refused("function", function)


def open_sandbox(snapshot: str, memory_limit: str = "512MB", threads: int = 1,
                 tables=TABLES) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with read-only views of the snapshot's tables and external access off, locked."""
    con = duckdb.connect(":memory:", config={
        "autoload_known_extensions": False, "autoinstall_known_extensions": False,
        "memory_limit": memory_limit, "threads": threads, "temp_directory": "",
        "allow_community_extensions": False})
    con.execute("ATTACH $path AS snapshot (READ_ONLY)", {"path": snapshot})
    present = {row[0] for row in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'snapshot'").fetchall()}
    for name in tables:
        if name in present:
            # A view per exposed table; names come from the fixed list above, never from the user.
            con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM snapshot.main."{name}"')
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def run(request: dict):
    """(status dict, Arrow table or None) for one request: snapshot, sql, row_cap, memory_limit, threads."""
    try:
        con = open_sandbox(request["snapshot"], request.get("memory_limit", "512MB"), int(request.get("threads", 1)))
    except duckdb.Error as exc:
        return {"ok": False, "code": "no_snapshot", "detail": str(exc).splitlines()[0]}, None
    try:
        check_select(request["sql"], con)
        cap = int(request["row_cap"])
        relation = con.sql(request["sql"]).limit(cap + 1)
        table = relation.to_arrow_table()
    except Refused as exc:
        return {"ok": False, "code": exc.code, "detail": exc.detail}, None
    except duckdb.OutOfMemoryException as exc:
        return {"ok": False, "code": "memory", "detail": str(exc).splitlines()[0]}, None
    except duckdb.PermissionException as exc:
        return {"ok": False, "code": "permission", "detail": str(exc).splitlines()[0]}, None
    except duckdb.Error as exc:
        return {"ok": False, "code": "error", "detail": str(exc).strip()[:500]}, None
    truncated = table.num_rows > cap
    if truncated:
        table = table.slice(0, cap)
    return {"ok": True, "rows": table.num_rows, "truncated": truncated}, table


def main() -> int:
    import pyarrow as pa

    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    status, table = run(request)
    out = sys.stdout.buffer
    out.write(json.dumps(status).encode("utf-8") + b"\n")
    if table is not None:
        with pa.ipc.new_stream(out, table.schema) as writer:
            writer.write_table(table)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
