"""Gradebook databases: a real PostgreSQL server through nbgrader's ``db_url`` (``TFGRADE_DB_URL``).

The test run starts its own server (Debian's ``postgresql``: ``initdb`` and ``pg_ctl``) on a private Unix socket,
with no TCP listener, and stops it afterwards. Concurrent graders on SQLite are in ``test_autograde.py``.
"""

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest

from graders.autograde import Batch
from tests.conftest import EXPECTED, make_course, requires_bwrap

PORT = 54329


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found if isinstance(found, str) else (found[-1] if found else None)


def _as_postgres(argv: list[str]) -> list[str]:
    # The server refuses to run as root: as root, run it as Debian's `postgres` user.
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@pytest.fixture(scope="module")
def postgres_url():
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.fail("PostgreSQL is not installed: `make setup` installs Debian's postgresql")
    base = Path(tempfile.mkdtemp(prefix="tfgrade-pg-"))
    base.chmod(0o777)
    data, socket_dir = base / "data", base / "socket"
    socket_dir.mkdir()
    socket_dir.chmod(0o777)
    subprocess.run(_as_postgres([initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
                   check=True, capture_output=True)
    subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-w", "-l", str(base / "server.log"), "-o",
                                 f"-k {socket_dir} -p {PORT} -c listen_addresses=''", "start"]),
                   check=True, capture_output=True)
    try:
        with psycopg.connect(host=str(socket_dir), port=PORT, user="postgres", dbname="postgres",
                             autocommit=True) as connection:  # CREATE DATABASE cannot run inside a transaction
            connection.execute("CREATE DATABASE gradebook")
        yield f"postgresql://postgres@/gradebook?host={socket_dir}&port={PORT}", socket_dir
    finally:
        subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]), capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@requires_bwrap
def test_a_batch_records_into_postgresql(postgres_url, tmp_path, monkeypatch):
    url, socket_dir = postgres_url
    monkeypatch.setenv("TFGRADE_DB_URL", url)
    course = make_course(tmp_path, 3)
    summary = Batch("a00_mini", course=course, jobs=2).run()
    assert not summary.failed
    assert not (course / "gradebook" / "gradebook.db").exists(), "the grades went to SQLite, not PostgreSQL"
    with psycopg.connect(host=str(socket_dir), port=PORT, user="postgres", dbname="gradebook") as connection:
        cursor = connection.execute("SELECT s.student_id, SUM(g.auto_score) FROM grade g "
                       "JOIN submitted_notebook n ON g.notebook_id = n.id "
                       "JOIN submitted_assignment s ON n.assignment_id = s.id GROUP BY s.student_id")
        totals = {student: float(score) for student, score in cursor.fetchall()}
    assert totals == {f"s{k:02d}": EXPECTED[k] for k in range(3)}
