"""Settings that let several graders share one SQLite gradebook without losing a grade.

nbgrader opens the gradebook with SQLAlchemy's defaults, under which two processes writing at once can fail with
"database is locked" (a deferred transaction that reads and then wants to write gives up at once when another writer
got there first). ``install`` adds, for SQLite connections only:

- write-ahead logging, so readers never block the writer and the writer never blocks readers;
- a busy timeout, so a writer waits for the lock instead of failing;
- ``BEGIN IMMEDIATE`` for every transaction (SQLAlchemy's documented recipe for pysqlite), so a transaction takes the
  write lock when it starts, and waits for it there, instead of failing half-way.

PostgreSQL needs none of this and is left alone. ``nbgrader_config.py`` calls ``install``, so every nbgrader command
of the course and ``tfgrade autograde`` get it.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 60_000
_installed = False


def _on_connect(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below), not the driver
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()


def _on_begin(connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def install() -> None:
    """Registers the SQLite settings for every SQLAlchemy engine of this process (once)."""
    global _installed
    if not _installed:
        event.listen(Engine, "connect", _on_connect)
        event.listen(Engine, "begin", _on_begin)
        _installed = True
