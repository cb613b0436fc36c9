"""Gradebook databases: a real PostgreSQL server through nbgrader's ``db_url`` (``TFGRADE_DB_URL``), and SQLite
shared by formgrader, the nbgrader commands and concurrent graders (``graders/gradebook_db.py``).

The test run starts its own server (Debian's ``postgresql``: ``initdb`` and ``pg_ctl``) on a private Unix socket,
with no TCP listener, and stops it afterwards. Concurrent graders on SQLite are in ``test_autograde.py``.
"""

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from graders.autograde import Batch
from tests.conftest import EXPECTED, ROOT, make_course, requires_bwrap

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


# -- SQLite: formgrader's sessions beside the nbgrader commands and concurrent graders --------------------------------

WRITER = """
import sys
from nbgrader.api import Gradebook
from graders import gradebook_db
gradebook_db.install()
url, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for k in range(count):
    with Gradebook(url) as gb:
        gb.find_assignment("a00")                      # a read first, then the writes, as nbgrader's autograde does
        gb.update_or_create_student(f"{prefix}{k}")
        submission = gb.add_submission("a00", f"{prefix}{k}")
        for grade in submission.notebooks[0].grades:
            grade.auto_score = 1.0
        gb.db.commit()
print("done")
"""


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory):
    """A gradebook with one assignment, notebook, grade cell and submission, made once (alembic is slow)."""
    from nbgrader.api import Gradebook

    from graders import gradebook_db

    gradebook_db.install()
    path = tmp_path_factory.mktemp("sqlite") / "gradebook.db"
    old_path = os.environ["PATH"]
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), old_path])  # nbgrader runs `alembic`
    try:
        with Gradebook(f"sqlite:///{path}") as gb:
            gb.add_assignment("a00")
            gb.add_notebook("a00", "a00")
            gb.add_grade_cell("q1", "a00", "a00", max_score=4, cell_type="code")
            gb.add_student("alice")
            gb.add_submission("a00", "alice")
    finally:
        os.environ["PATH"] = old_path
    return path


@pytest.fixture
def sqlite_gradebook(sqlite_template, tmp_path, monkeypatch):
    from graders import gradebook_db

    monkeypatch.setattr(gradebook_db, "BUSY_TIMEOUT_MS", 5000)  # fail in seconds, not a minute, if a lock is held
    shutil.copy(sqlite_template, tmp_path / "gradebook.db")
    return f"sqlite:///{tmp_path / 'gradebook.db'}"


def test_formgrader_second_session_in_one_thread_does_not_wait(sqlite_gradebook):
    """Formgrader's submission page: one session has read and stays open while a second one reads and writes."""
    from nbgrader.api import Gradebook

    long_lived = Gradebook(sqlite_gradebook)  # formgrader keeps this one for the life of the server
    try:
        notebook_id = long_lived.find_submission_notebook("a00", "a00", "alice").id
        assert long_lived.find_submission_notebook_by_id(notebook_id).student.id == "alice"
        started = time.monotonic()
        with Gradebook(sqlite_gradebook) as second:  # NbGraderAPI.gradebook, opened inside the same request
            second.update_or_create_student("bob")
            second.add_submission("a00", "bob")
            assert len(second.notebook_submissions("a00", "a00")) == 2
        assert time.monotonic() - started < 3, "the second session waited for a lock the first one held"
        grade = long_lived.find_grade("q1", "a00", "a00", "alice")  # a manual grade, saved by the first session
        grade.manual_score = 3.5
        long_lived.db.commit()
        assert {s.id for s in long_lived.students} == {"alice", "bob"}, "the long-lived session reads fresh data"
    finally:
        long_lived.close()
    with Gradebook(sqlite_gradebook) as check:
        assert check.find_grade("q1", "a00", "a00", "alice").manual_score == 3.5


def test_an_open_reader_does_not_block_other_processes(sqlite_gradebook):
    """While a formgrader-like session sits on a read, nbgrader commands in other processes write and finish."""
    from nbgrader.api import Gradebook

    reader = Gradebook(sqlite_gradebook)
    try:
        reader.find_submission_notebook("a00", "a00", "alice")
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        proc = subprocess.run([sys.executable, "-c", WRITER, sqlite_gradebook, "w", "3"], env=env,
                              capture_output=True, text=True, timeout=30)
        assert proc.returncode == 0 and "done" in proc.stdout, proc.stderr[-2000:]
        assert len(reader.notebook_submissions("a00", "a00")) == 4
    finally:
        reader.close()


def test_concurrent_writers_lose_nothing(sqlite_gradebook):
    """Four processes, each reading then writing 10 submissions at once: every submission and score lands."""
    from nbgrader.api import Gradebook

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, sqlite_gradebook, f"p{n}_", "10"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(4)]
    outputs = [w.communicate(timeout=120) for w in writers]
    assert [w.returncode for w in writers] == [0, 0, 0, 0], [err[-2000:] for _, err in outputs]
    with Gradebook(sqlite_gradebook) as gb:
        submissions = gb.notebook_submissions("a00", "a00")
        assert len(submissions) == 1 + 4 * 10
        assert sum(s.score for s in submissions) == 4 * 10
