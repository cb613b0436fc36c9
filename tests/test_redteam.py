"""The red team: adversarial submissions, handed in as one class, gain nothing and break nothing.

Each case in ``tests/redteam/<assignment>/`` is a wrong-submission fixture with a ``# family:`` line, for attacks on
the notebook file itself a ``# tamper:`` line naming a function of ``tests/redteam/tamper.py``, and optionally a
``# reason:`` line naming the reason the attacked questions must report.

Every case of an assignment is handed in as one student of a class, beside a bystander graded before the batch, and
the class is graded by ``tfgrade autograde --jobs 2``: each submission by the grading engine in its own judge and
sandboxes (``graders.grade.grade_notebook``, what ``tfgrade grade`` runs), then recorded by nbgrader's own
``autograde``. For every case, both the engine's grade and the gradebook's must show the attacked question scoring
what the case expects (``*`` means every question) and every other question full marks, with the manifest's maximum.
The batch must finish; every gradebook row that belongs to no attacker (the bystander's, the assignment's own) must
come out unchanged; no host file the attacks aim at may appear; and nothing may outlive the batch: this process is a
child subreaper, so any process that escaped its sandbox would be re-parented to it. The figures of SECURITY.md come
from ``redteam-report.json``, written by this module.
"""

import ctypes
import dataclasses
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import nbformat
import pytest

from graders import submissions
from graders.course import load_assignment
from graders.judge import launcher
from graders.store import JsonStore
from tests.conftest import ROOT, assignment_course, requires_bwrap
from tests.redteam import tamper

REDTEAM = ROOT / "tests" / "redteam"
CASES = sorted((p.parent.name, p.stem) for p in REDTEAM.glob("a*/*.py"))
REPORT = Path(os.environ.get("TFGRADE_REDTEAM_REPORT", ROOT / "redteam-report.json"))
# Attacks that hang make every call wait for its timeout; a shorter one changes no outcome and saves minutes.
RED_TEAM_CALL_TIMEOUT_S = 5.0
_FIELD = re.compile(r"^# (family|tamper|reason): (.+)$", re.MULTILINE)


class Case(NamedTuple):
    """A red-team case: its sections, expected outcome per question, family, notebook attack and expected reason."""

    sections: dict
    expectations: dict
    family: str
    tamper: str | None
    reason: str | None


def load_case(assignment_id: str, name: str) -> Case:
    path = REDTEAM / assignment_id / f"{name}.py"
    sections, expectations = submissions.load_variant(path)
    fields = dict(_FIELD.findall(path.read_text()))
    return Case(sections, expectations, fields["family"], fields.get("tamper"), fields.get("reason"))


HOST_MARKERS = [Path("/tmp/tfgrade-pickle-pwned"), Path("/tmp/daemon-alive"), Path("/dev/shm/tfgrade-poison"),
                ROOT / "graders" / "x.py"]


def _become_subreaper() -> None:
    """Orphaned descendants are re-parented to this process, so a daemon that escaped its sandbox would show here."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1)


_PR_SET_CHILD_SUBREAPER = 36


def surviving_descendants(grace_s: float = 10.0) -> list[str]:
    """Children of this process still running ``grace_s`` after a grading (a sandbox takes a moment to tear down)."""
    deadline = time.monotonic() + grace_s
    while True:
        alive = _children()
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


def _children() -> list[str]:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
    alive = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if (fields.get("PPid", "").strip() == str(os.getpid()) and not fields.get("State", "").startswith("Z")
                and int(status.parent.name) != launcher.server_pid()):  # this test process's own, if it graded
            alive.append(f"{status.parent.name} {fields.get('Name', '').strip()}")
    return alive


def host_state() -> dict:
    gradebook = ROOT / "gradebook" / "gradebook.db"
    return {"markers": [str(p) for p in HOST_MARKERS if p.exists()],
            "gradebook": gradebook.stat().st_mtime_ns if gradebook.exists() else None,
            "engine": sorted(str(p) for p in (ROOT / "graders").rglob("*") if "pwned" in _head(p))}


def _head(path: Path) -> str:
    try:
        return path.read_text(errors="replace")[-64:] if path.is_file() else ""
    except OSError:
        return ""


def handed_in(assignment, name: str) -> bytes:
    """The file the attacker hands in for a case: the notebook with its sections, tampered with where it says so."""
    case = load_case(assignment.id, name)
    notebook = submissions.with_sections(assignment, case.sections)
    attacked = getattr(tamper, case.tamper)(notebook) if case.tamper else notebook
    return attacked if isinstance(attacked, bytes) else nbformat.writes(attacked).encode()


def judged(assignment, case: Case, scores: dict[str, tuple[float, float, str | None]], entry: dict) -> list:
    """Problems with a case's per-question ``(score, max_score, reason)``; adds its points gained to ``entry``."""
    problems = []
    for question in assignment.questions:
        want = case.expectations.get(question.id, case.expectations.get("*", "full"))
        if question.id not in scores:
            problems.append(f"{question.id}: no score recorded")
            continue
        score, max_score, reason = scores[question.id]
        if max_score != question.points:
            problems.append(f"{question.id}: max score {max_score} is not the manifest's {question.points}")
        if not submissions.meets(score, max_score, want):
            problems.append(f"{question.id}: expected {want}, got {score}/{max_score} ({reason})")
        if want != "full" and case.reason and reason != case.reason:
            problems.append(f"{question.id}: expected the reason {case.reason}, got {reason}")
        if want != "full":
            entry["points_gained"] += score if want == "zero" else max(0.0, score - max_score + 1e-9)
            entry["reason"] = entry["reason"] or reason
    return problems


PATHS = ("grading engine", "nbgrader gradebook")


@pytest.fixture(scope="module")
def report():
    entries = []
    yield entries
    paths = {}
    for path in PATHS:
        done = [e for e in entries if e["path"] == path]
        paths[path] = {"attacks": len(done),
                       "points_gained": round(sum(e["points_gained"] for e in done), 4),
                       # An escape is seen per class batch (after it, by the subreaper), not per case.
                       "escapes": len({e["case"].split("/")[0] for e in done if e["escaped"]}),
                       "grader_failures": sum(not e["grader_survived"] for e in done),
                       "faults_survived": sum(e["grader_survived"] and e["reason"] is not None for e in done)}
    summary = {"attacks": len({e["case"] for e in entries}), "families": sorted({e["family"] for e in entries}),
               **{k: max((p[k] for p in paths.values()), default=0)
                  for k in ("points_gained", "escapes", "grader_failures", "faults_survived")},
               "paths": paths, "cases": entries}
    REPORT.write_text(json.dumps(summary, indent=1) + "\n")


# -- the class ---------------------------------------------------------------------------------------------------------

BYSTANDER = "bystander"
BATCH_TIMEOUT_S = 3600


def attacker(name: str) -> str:
    return f"rt-{name.replace('_', '-')}"


# Who owns a row of each nbgrader table: a student's id, or '' for the course's own rows (assignments, cells).
_OWNER_SQL = {
    "student": "SELECT id, * FROM student",
    "submitted_assignment": "SELECT student_id, * FROM submitted_assignment",
    "submitted_notebook": "SELECT sa.student_id, sn.* FROM submitted_notebook sn "
                          "JOIN submitted_assignment sa ON sn.assignment_id = sa.id",
    "grade": "SELECT sa.student_id, g.* FROM grade g JOIN submitted_notebook sn ON g.notebook_id = sn.id "
             "JOIN submitted_assignment sa ON sn.assignment_id = sa.id",
    "comment": "SELECT sa.student_id, c.* FROM comment c JOIN submitted_notebook sn ON c.notebook_id = sn.id "
               "JOIN submitted_assignment sa ON sn.assignment_id = sa.id",
}


def gradebook_rows(db: Path) -> dict[str, set[tuple]]:
    """Every row of every table of an nbgrader SQLite gradebook, each tagged with the student who owns it."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: {tuple(map(repr, row)) for row in connection.execute(
                    _OWNER_SQL.get(table, f"SELECT '', * FROM {table}"))} for table in tables}


def _owner(row: tuple) -> str:
    return row[0].strip("'")


def others_checksum(rows: dict[str, set[tuple]]) -> str:
    """A digest of the rows that belong to no attacker."""
    kept = sorted((table, row) for table, table_rows in rows.items() for row in table_rows
                  if not _owner(row).startswith("rt-"))
    return hashlib.sha256(repr(kept).encode()).hexdigest()


@dataclasses.dataclass
class ClassBatch:
    """What grading one assignment's red-team corpus as a class did."""

    assignment: object
    course: Path
    returncode: int
    log: str
    host_before: dict
    host_after: dict
    rows_before: dict
    rows_after: dict
    survivors: list

    def grades(self, name: str) -> tuple[dict, dict | None]:
        """``(engine, gradebook)`` per-question ``(score, max_score, reason)`` of a case's submission."""
        record = JsonStore(self.course / "gradebook/.tfgrade/ledger" / self.assignment.id).get(attacker(name)) or {}
        reasons = record.get("reasons", {})
        engine = {q: (float(s), float(m), reasons.get(q)) for q, (s, m) in record.get("questions", {}).items()}
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(f"sqlite:///{self.course / 'gradebook' / 'gradebook.db'}") as gradebook:
            try:
                notebook = gradebook.find_submission_notebook(self.assignment.id, self.assignment.id, attacker(name))
            except MissingEntry:
                return engine, None
            recorded = {g.name: (float(g.score), float(g.max_score), reasons.get(g.name)) for g in notebook.grades}
        return engine, recorded


def _autograde(course: Path, assignment_id: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, TFGRADE_COURSE=str(course), PYTHONPATH=str(ROOT))
    return subprocess.run([str(Path(sys.executable).parent / "tfgrade"), "autograde", assignment_id, *args],
                          env=env, capture_output=True, text=True, timeout=BATCH_TIMEOUT_S)


def grade_the_class(base: Path, assignment_id: str) -> ClassBatch:
    """A course where a bystander was graded first, then every red-team case was handed in and graded in one batch."""
    assignment = load_assignment(assignment_id, ROOT)
    course = assignment_course(base, assignment)
    # Attacks that hang make every call wait for its timeout; a shorter one changes no outcome and saves minutes.
    manifest = course / "assignments" / assignment.id / "manifest.toml"
    manifest.write_text(re.sub(r"(?m)^call_timeout_s = .*$", f"call_timeout_s = {RED_TEAM_CALL_TIMEOUT_S}",
                               manifest.read_text()))
    assignment = load_assignment(assignment_id, course)
    submitted = course / "gradebook" / "submitted"
    bystander = submitted / BYSTANDER / assignment.id
    bystander.mkdir(parents=True)
    nbformat.write(submissions.with_sections(assignment), bystander / f"{assignment.id}.ipynb")
    first = _autograde(course, assignment.id, "--student", BYSTANDER)
    assert first.returncode == 0, first.stderr[-3000:]
    db = course / "gradebook" / "gradebook.db"
    rows_before = gradebook_rows(db)
    for assignment_of, name in CASES:
        if assignment_of == assignment.id:
            folder = submitted / attacker(name) / assignment.id
            folder.mkdir(parents=True)
            (folder / f"{assignment.id}.ipynb").write_bytes(handed_in(assignment, name))
    _become_subreaper()
    host_before = host_state()
    proc = _autograde(course, assignment.id, "--jobs", "2")
    return ClassBatch(assignment, course, proc.returncode, proc.stdout + proc.stderr, host_before, host_state(),
                      rows_before, gradebook_rows(db), surviving_descendants())


@pytest.fixture(scope="module")
def classes(tmp_path_factory):
    """The graded class of each assignment with red-team cases, graded once when first asked for."""
    graded: dict[str, ClassBatch] = {}

    def of(assignment_id: str) -> ClassBatch:
        if assignment_id not in graded:
            graded[assignment_id] = grade_the_class(tmp_path_factory.mktemp(f"class-{assignment_id}"), assignment_id)
        return graded[assignment_id]

    return of


ASSIGNMENTS = sorted({assignment_id for assignment_id, _ in CASES})
# Notebooks that nbgrader itself refuses; they are recorded through its gradebook API, and the summary says so.
REFUSED_BY_NBGRADER = {"tamper_invalid_json", "tamper_duplicate_grade_ids"}


@pytest.mark.slow
@requires_bwrap
@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_the_class_is_graded_and_every_other_row_is_left_alone(assignment_id, classes):
    batch = classes(assignment_id)
    assert batch.returncode == 0, batch.log[-3000:]
    notes = dict(re.findall(r"^  NOTE (rt-[\w.-]+): (.+)$", batch.log, re.MULTILINE))
    assert set(notes) == {attacker(n) for a, n in CASES if a == assignment_id and n in REFUSED_BY_NBGRADER}, notes
    assert all("nbgrader refused the notebook" in note for note in notes.values()), notes
    changed = set().union(*batch.rows_before.values()) ^ set().union(*batch.rows_after.values())
    assert others_checksum(batch.rows_after) == others_checksum(batch.rows_before), (
        f"rows that belong to no attacker changed: {sorted(r for r in changed if not _owner(r).startswith('rt-'))[:5]}")
    assert all(_owner(row).startswith("rt-") for row in changed), "a row changed that no attacker owns"
    assert batch.host_after == batch.host_before, "the batch changed the host"
    assert batch.survivors == [], f"processes outlived the batch: {batch.survivors[:5]}"


@pytest.mark.slow
@requires_bwrap
@pytest.mark.parametrize("assignment_id, name", CASES, ids=[f"{a}-{n}" for a, n in CASES])
def test_an_attack_gains_nothing(assignment_id, name, classes, report):
    batch = classes(assignment_id)
    case = load_case(assignment_id, name)
    engine, recorded = batch.grades(name)
    problems = []
    for path, scores in zip(PATHS, (engine, recorded), strict=True):
        entry = {"case": f"{assignment_id}/{name}", "path": path, "family": case.family, "points_gained": 0.0,
                 "reason": None, "grader_survived": batch.returncode == 0 and bool(scores),
                 "escaped": batch.host_after != batch.host_before or bool(batch.survivors)}
        report.append(entry)
        if not scores:
            problems.append(f"{path}: no grade recorded for {attacker(name)}")
            continue
        problems += [f"{path}: {p}" for p in judged(batch.assignment, case, scores, entry)]
    assert not problems, problems
