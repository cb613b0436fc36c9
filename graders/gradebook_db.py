"""Settings that let formgrader, the nbgrader commands and several graders share one SQLite gradebook.

nbgrader opens the gradebook through SQLAlchemy sessions that stay open for a long time: formgrader keeps one session
for the life of the server and opens more while handling a request (the submission page reads through its own session
and through a fresh ``NbGraderAPI.gradebook``), and nbgrader's commands read for a while before they write. So two
rules must hold at once:

1. **A session that only reads holds no lock.** Reads run outside any transaction (each statement sees the latest
   committed data, as with pysqlite's defaults that nbgrader was written for), so a session left open after a read
   never stops anyone else. An earlier version of this module started *every* transaction with ``BEGIN IMMEDIATE``:
   formgrader's long-lived session then held the write lock after its first read, its second session waited 60 s
   for it inside the same request ("database is locked"), and ``nbgrader export`` and ``tfgrade autograde`` waited
   on the server too.
2. **A writer never fails half-way.** A transaction starts at its first write statement (INSERT, UPDATE, DELETE),
   and starts as ``BEGIN IMMEDIATE`` (pysqlite's ``isolation_level = "IMMEDIATE"``): it takes the write lock at once,
   waiting for it up to ``BUSY_TIMEOUT_MS``. Because no read snapshot is open when it asks, SQLite can always grant
   the lock once the other writer commits; the failure that loses grades under plain deferred transactions (a
   transaction that read, then wants to write after another writer committed, gets ``SQLITE_BUSY`` at once, with no
   waiting) cannot happen. Write-ahead logging lets readers and the one writer proceed side by side.

Why not deferred transactions with a retry on ``SQLITE_BUSY``? A retry must replay the whole unit of work, and that
unit lives inside nbgrader (an ORM session with pending objects), which cannot be replayed from here. Taking the lock
at the first write is what SQLite offers for exactly this, and it needs no change to nbgrader.

What is given up: reads made before a session's first write are not isolated from other writers. nbgrader's writers
touch disjoint rows (one student's submission each), so this loses nothing; ``tests/test_gradebook_db.py`` proves
both rules (concurrent writers from several processes, and formgrader's pattern of two sessions in one thread).

PostgreSQL needs none of this and is left alone. ``nbgrader_config.py`` calls ``install``, so every nbgrader command
of the course, formgrader and ``tfgrade autograde`` get it.
"""

from __future__ import annotations

import re
import sqlite3
import tempfile

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 60_000
_installed = False


def _on_connect(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()
        # pysqlite opens a transaction implicitly before the first INSERT/UPDATE/DELETE and not before a SELECT;
        # this makes that implicit BEGIN an IMMEDIATE one (rule 2 of the module docstring).
        dbapi_connection.isolation_level = "IMMEDIATE"


def install() -> None:
    """Registers the SQLite settings for every SQLAlchemy engine of this process (once)."""
    global _installed
    if not _installed:
        event.listen(Engine, "connect", _on_connect)
        _installed = True


def ensure_assignment(api, assignment_id: str) -> str:
    """Makes sure nbgrader's gradebook knows an assignment, its notebook and grade cells; returns a note if it did not.

    ``nbgrader generate_assignment ID`` (without ``--force``) skips an assignment whose ``release/`` folder exists,
    as it does in a clone where ``release/`` is committed, and then records nothing, so every student's autograde
    fails with nbgrader's "No assignment with ID". The entry is made here as ``generate_assignment --force`` makes it
    (nbgrader's own ``SaveCells`` over the source notebook), with the release written to a temporary folder so that
    the committed ``release/`` is left as it is.

    Args:
        api: An ``nbgrader.apps.NbGraderAPI`` on the course.
        assignment_id: The assignment.

    Raises:
        LookupError: the entry could not be made; the message says what to run.
    """
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        try:
            if any(nb.name == assignment_id for nb in gradebook.find_assignment(assignment_id).notebooks):
                return ""
        except MissingEntry:
            pass
    original = api.coursedir.release_directory
    with tempfile.TemporaryDirectory(prefix="tfgrade-release-") as scratch:
        api.coursedir.release_directory = scratch
        try:
            answer = api.generate_assignment(assignment_id, force=True, create=True)
        finally:
            api.coursedir.release_directory = original
    if not answer.get("success"):
        log = (answer.get("error") or answer.get("log") or "").strip()
        found = re.findall(r"^\w*(?:Error|Exception): .+$", log, re.MULTILINE)
        reason = (found[0] if found else log.splitlines()[-1] if log else "no message")[:300]
        raise LookupError(f"{assignment_id} is not in nbgrader's gradebook and recording it failed ({reason}); run "
                          f"`nbgrader generate_assignment {assignment_id} --force` in {api.coursedir.root}, then "
                          "this command again")
    return (f"{assignment_id} was not in nbgrader's gradebook: recorded it from the source notebook, as "
            f"`nbgrader generate_assignment {assignment_id} --force` does")
