"""The red team: adversarial submissions graded through the real path gain nothing and break nothing.

Each case in ``tests/redteam/<assignment>/`` is a wrong-submission fixture with a ``# family:`` line and, for attacks
on the notebook file itself, a ``# tamper:`` line naming a function of ``tests/redteam/tamper.py``. For every case:
the attacked question scores what the case expects (``*`` means every question), every other question full marks,
the grader returns normally, and nothing outlives the job or reaches the host: this process is a child subreaper, so
any process that escaped its sandbox would be re-parented to it, and the files the attacks aim at must not appear.
The figures of SECURITY.md come from ``redteam-report.json``, written by this module.
"""

import ctypes
import dataclasses
import json
import os
import re
import time
from pathlib import Path

import nbformat
import pytest

from graders import grade, submissions
from graders.course import load_assignment
from tests.conftest import ROOT, requires_bwrap
from tests.redteam import tamper

REDTEAM = ROOT / "tests" / "redteam"
CASES = sorted((p.parent.name, p.stem) for p in REDTEAM.glob("a*/*.py"))
REPORT = Path(os.environ.get("TFGRADE_REDTEAM_REPORT", ROOT / "redteam-report.json"))
# Attacks that hang make every call wait for its timeout; a shorter one changes no outcome and saves minutes.
RED_TEAM_CALL_TIMEOUT_S = 5.0
_FIELD = re.compile(r"^# (family|tamper): (.+)$", re.MULTILINE)


def load_case(assignment_id: str, name: str):
    path = REDTEAM / assignment_id / f"{name}.py"
    sections, expectations = submissions.load_variant(path)
    fields = dict(_FIELD.findall(path.read_text()))
    return sections, expectations, fields["family"], fields.get("tamper")


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
        if fields.get("PPid", "").strip() == str(os.getpid()) and not fields.get("State", "").startswith("Z"):
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


@pytest.fixture(scope="module")
def report():
    entries = []
    yield entries
    families = sorted({e["family"] for e in entries})
    summary = {"attacks": len(entries), "families": families,
               "points_gained": round(sum(e["points_gained"] for e in entries), 4),
               "escapes": sum(e["escaped"] for e in entries),
               "grader_failures": sum(not e["grader_survived"] for e in entries),
               "faults_survived": sum(e["grader_survived"] and e["reason"] is not None for e in entries),
               "cases": entries}
    REPORT.write_text(json.dumps(summary, indent=1) + "\n")


@pytest.mark.slow
@requires_bwrap
@pytest.mark.parametrize("assignment_id, name", CASES, ids=[f"{a}-{n}" for a, n in CASES])
def test_an_attack_gains_nothing_and_breaks_nothing(assignment_id, name, tmp_path, report):
    assignment = load_assignment(assignment_id, ROOT)
    assignment = dataclasses.replace(assignment, budget=dataclasses.replace(
        assignment.budget, call_timeout_s=RED_TEAM_CALL_TIMEOUT_S))
    sections, expectations, family, tamper_name = load_case(assignment_id, name)
    notebook = submissions.with_sections(assignment, sections)
    handed_in = getattr(tamper, tamper_name)(notebook) if tamper_name else notebook
    path = tmp_path / f"{assignment_id}.ipynb"
    if isinstance(handed_in, bytes):
        path.write_bytes(handed_in)
    else:
        nbformat.write(handed_in, path)
    _become_subreaper()
    before = host_state()
    entry = {"case": f"{assignment_id}/{name}", "family": family, "grader_survived": False, "escaped": False,
             "points_gained": 0.0, "reason": None}
    report.append(entry)
    result = grade.grade_notebook(path, assignment, name=name)
    entry["grader_survived"] = True
    problems = []
    for question in assignment.questions:
        want = expectations.get(question.id, expectations.get("*", "full"))
        got = result.questions[question.id]
        if got.max_score != question.points:
            problems.append(f"{question.id}: max score {got.max_score} is not the manifest's {question.points}")
        if not submissions.meets(got.score, got.max_score, want):
            problems.append(f"{question.id}: expected {want}, got {got.score}/{got.max_score} ({got.reason})")
        if want != "full":
            entry["points_gained"] += got.score if want == "zero" else max(0.0, got.score - got.max_score + 1e-9)
            entry["reason"] = entry["reason"] or got.reason
    after = host_state()
    escaped = [f"{kind} changed on the host: {before[kind]} -> {after[kind]}" for kind in after
               if after[kind] != before[kind]]
    alive = surviving_descendants()
    if alive:
        escaped.append(f"processes outlived the job: {alive[:5]}")
    entry["escaped"] = bool(escaped)
    assert not problems and not escaped, problems + escaped
