"""Statements of the write path, run without SQLAlchemy's per-statement machinery on SQLite.

A create under group commit runs a handful of small statements inside the shared write
transaction (its savepoint, the record's `INSERT`, the change-feed row, the webhook
subscription lookup). Through `Connection.execute` each costs more Python time than SQLite
takes to run it — execution context, compiled-cache lookup, parameter processing, result
object, event dispatch — and all of it holds the GIL the event loop needs
(docs/performance.md). On SQLite these helpers hand the statement straight to the driver's
connection, inside the same transaction; elsewhere (PostgreSQL) they go through SQLAlchemy.
Either way a database error reaches the caller as SQLAlchemy's exception
(`sqlalchemy.exc.IntegrityError`, ...), as `Connection.execute` raises it.

    rows = run_sql(conn, "SELECT id FROM webhooks WHERE tenant_id = :tenant", {"tenant": t})
    insert_row(conn, customers, {"id": ..., "tenant_id": ..., "name": ...})

`insert_row` takes the driver's path only where SQLAlchemy would add nothing: every column of
the row has a type without a bind processor for the dialect (on SQLite: strings, text,
integers; not booleans, floats, dates) and no column left out has a Python-side default.
Otherwise it runs the table's `INSERT` through SQLAlchemy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Table, TextClause, text
from sqlalchemy.exc import DBAPIError

__all__ = ["insert_row", "run_sql"]

_TEXTS: dict[str, TextClause] = {}
# (table, column names, dialect) -> the INSERT's SQL on the driver, or None: SQLAlchemy's path.
# Keyed by the table itself, not its id(): a table dropped and another built at its address
# must not find the first one's statement.
_INSERTS: dict[tuple[Table, tuple[str, ...], str], str | None] = {}
_TABLE_INSERTS: dict[Table, Any] = {}


def _driver_sqlite(conn: Connection) -> sqlite3.Connection | None:
    if conn.dialect.name != "sqlite":
        return None
    driver = conn.connection.driver_connection
    return driver if isinstance(driver, sqlite3.Connection) else None


def _on_driver(driver: sqlite3.Connection, sql: str, params: Mapping[str, Any]
               ) -> list[tuple[Any, ...]]:
    try:
        cursor = driver.execute(sql, params)
        try:
            return cursor.fetchall() if cursor.description is not None else []
        finally:
            cursor.close()
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, dict(params), exc, sqlite3.Error) from exc


def run_sql(conn: Connection, sql: str, params: Mapping[str, Any] | None = None
            ) -> list[tuple[Any, ...]]:
    """Run one statement (`:name` parameters) on `conn`, inside its transaction; its rows as
    tuples (none for a statement that returns no rows)."""
    params = params if params is not None else {}
    driver = _driver_sqlite(conn)
    if driver is not None:
        return _on_driver(driver, sql, params)
    clause = _TEXTS.get(sql)
    if clause is None:
        clause = _TEXTS[sql] = text(sql)
    result = conn.execute(clause, dict(params))
    return [tuple(row) for row in result] if result.returns_rows else []


def _insert_sql(conn: Connection, table: Table, names: tuple[str, ...]) -> str | None:
    key = (table, names, conn.dialect.name)
    if key in _INSERTS:
        return _INSERTS[key]
    dialect = conn.dialect
    sql: str | None = None
    columns = table.columns
    plain = all(name in columns
                and columns[name].type.dialect_impl(dialect).bind_processor(dialect) is None
                for name in names)
    defaults_given = all(column.default is None for column in columns
                         if column.name not in names)
    if plain and defaults_given:
        quote = dialect.identifier_preparer.quote
        sql = (f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
               f"({', '.join(quote(name) for name in names)}) "
               f"VALUES ({', '.join(':' + name for name in names)})")
    _INSERTS[key] = sql
    return sql


def insert_row(conn: Connection, table: Table, values: Mapping[str, Any]) -> None:
    """Insert one row of `table` (column name -> value) on `conn`, inside its transaction."""
    driver = _driver_sqlite(conn)
    if driver is not None:
        sql = _insert_sql(conn, table, tuple(values))
        if sql is not None:
            _on_driver(driver, sql, values)
            return
    statement = _TABLE_INSERTS.get(table)
    if statement is None:  # built once: the statement memoizes its cache key
        statement = _TABLE_INSERTS[table] = table.insert()
    conn.execute(statement, dict(values))
