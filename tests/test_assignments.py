"""The backbone sweep: every assignment meets the "done" list of DESIGN.md, through the real grading path."""

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from graders import authoring, grade, submissions
from graders.course import assignment_ids, load_assignment
from graders.judge.launcher import environ_snapshot
from graders.notebook import grade_id, read_notebook
from tests.conftest import ROOT, requires_bwrap

ASSIGNMENTS = assignment_ids(ROOT)
VARIANTS = [(a, p.stem) for a in ASSIGNMENTS for p in sorted((ROOT / "tests/submissions" / a).glob("*.py"))]


@pytest.fixture(params=ASSIGNMENTS)
def assignment(request):
    return load_assignment(request.param, ROOT)


def test_there_are_assignments():
    assert "a01_tensorflow_fundamentals" in ASSIGNMENTS


def test_the_engine_holds_nothing_of_one_assignment():
    named = [str(p.relative_to(ROOT)) for p in (ROOT / "graders").rglob("*")
             if any(a in p.name or a.split("_")[0] + "_" in p.name for a in ASSIGNMENTS)]
    assert not named, f"per-assignment code belongs in hidden_tests/<id>/: {named}"


def test_editing_one_assignment_keeps_the_others_fingerprints(tmp_path):
    course = tmp_path / "course"
    for folder in ("assignments", "hidden_tests", "reference"):
        shutil.copytree(ROOT / folder, course / folder, ignore=shutil.ignore_patterns("*.ipynb", "tests"))
    before = {a: load_assignment(a, course).fingerprint() for a in ASSIGNMENTS}
    edited, *others = ASSIGNMENTS
    for name in ("probes.py", "test_q1.py"):
        with open(course / "hidden_tests" / edited / name, "a") as handle:
            handle.write("\n# edited\n")
        after = {a: load_assignment(a, course).fingerprint() for a in ASSIGNMENTS}
        assert after[edited] != before[edited], f"editing {name} must invalidate {edited}'s stored grades"
        assert {a: after[a] for a in others} == {a: before[a] for a in others}
        before = after


def test_source_notebook_is_built_from_the_reference(assignment):
    committed = assignment.source_notebook.read_text()
    assert committed == authoring.render(authoring.build_source_notebook(assignment)), (
        f"run `tfgrade build {assignment.id}`: the source notebook and reference/{assignment.id}.py have drifted")


def test_notebook_solutions_are_the_reference_sections(assignment):
    sections = authoring.reference_sections(assignment)
    cells = {grade_id(c): c.source for c in read_notebook(assignment.source_notebook).cells}
    for question in assignment.questions:
        assert cells[f"{question.id}_solution"] + "\n" == sections[question.id]


@pytest.fixture(scope="session")
def fresh_releases(tmp_path_factory) -> Path:
    """Every assignment's release as nbgrader generates it now: one run for all (its start-up is most of the cost),
    without the gradebook (``--no-db``), which changes nothing in what is released."""
    course = tmp_path_factory.mktemp("releases")
    (course / "assignments").mkdir()
    for assignment_id in ASSIGNMENTS:
        shutil.copytree(ROOT / "assignments" / assignment_id, course / "assignments" / assignment_id)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    proc = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "generate_assignment", "*", "--no-db"],
                          cwd=course, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return course / "release"


def test_committed_release_is_current(assignment, fresh_releases):
    fresh, committed = fresh_releases / assignment.id, ROOT / "release" / assignment.id
    names = sorted(str(p.relative_to(fresh)) for p in fresh.rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(committed)) for p in committed.rglob("*") if p.is_file())
    for name in names:
        assert (fresh / name).read_bytes() == (committed / name).read_bytes(), (
            f"release/{assignment.id}/{name} is stale: run `nbgrader generate_assignment {assignment.id} --force`")


def test_release_hides_solutions_and_hidden_tests(assignment):
    release = ROOT / "release" / assignment.id
    text = (release / f"{assignment.id}.ipynb").read_text()
    assert "BEGIN SOLUTION" not in text
    assert not (release / "manifest.toml").exists()
    assert not any("hidden" in str(p) for p in release.rglob("*"))


def _test_functions(path: Path, decorator: str | None = None) -> list[str]:
    tree = ast.parse(path.read_text())
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef)
            and (node.name.startswith("test_") if decorator is None else
                 any(decorator in ast.unparse(d) for d in node.decorator_list))]


def test_every_question_has_three_hidden_tests_and_a_public_test(assignment):
    for question in assignment.questions:
        hidden = _test_functions(assignment.hidden_tests / f"test_{question.id}.py")
        public = _test_functions(assignment.source_dir / "tests" / f"{question.id}.py", decorator="test_case")
        assert len(hidden) >= 3, f"{question.id}: {len(hidden)} hidden tests"
        assert len(public) >= 1, f"{question.id}: no public test"


def run_public_checks(assignment, workdir: Path) -> dict[str, dict[str, str]]:
    """Runs the blank notebook and then the reference as a student does, in one real kernel beside the public tests
    (one kernel start instead of two; every name the blank defines, the reference defines again); returns each
    question's check output for ``"blank"`` and ``"full"``."""
    runs = {"blank": submissions.blank(assignment), "full": submissions.with_sections(assignment)}
    both = nbformat.v4.new_notebook(metadata=runs["full"].metadata)
    both.cells = [cell for notebook in runs.values() for cell in notebook.cells]
    work = workdir / "student"
    shutil.copytree(ROOT / "release" / assignment.id, work)
    client = NotebookClient(both, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(work)}})
    # A sweep thread runs this while pytest's thread edits PYTEST_CURRENT_TEST: copy the environment safely.
    client.execute(env=dict(environ_snapshot(), TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3"))
    outputs, cells = {}, iter(both.cells)
    for which, notebook in runs.items():
        outputs[which] = {}
        for cell in (next(cells) for _ in notebook.cells):
            gid = grade_id(cell) or ""
            if any(gid == q.id for q in assignment.questions):
                outputs[which][gid] = "".join(o.get("data", {}).get("text/plain", "") + o.get("text", "")
                                              for o in cell.outputs)
    return outputs


@pytest.mark.slow
def test_public_checks_pass_for_the_reference_and_fail_for_the_blank(assignment, sweep):
    checked = sweep.result(("public", assignment.id))
    for question in assignment.questions:
        assert "All test cases passed" in checked["full"][question.id], (
            f"{question.id}: {checked['full'][question.id][-800:]}")
    for question in assignment.questions:
        assert "All test cases passed" not in checked["blank"][question.id], question.id


@pytest.mark.slow
@requires_bwrap
def test_reference_full_marks_and_release_zero(assignment, sweep):
    full = sweep.result(("source", assignment.id))
    failures = {q: [(t.name, t.message) for t in r.tests if not t.passed] for q, r in full.questions.items()}
    assert full.score == assignment.max_score, json.dumps(failures, indent=1)
    blank = sweep.result(("release", assignment.id))
    assert blank.score == 0, {q: r.score for q, r in blank.questions.items()}


# Regraded five times: the assignment the red team attacks, whose q6 times graph against eager execution.
REGRADED = [("a01_tensorflow_fundamentals", "q4_python_float_state")]


@pytest.mark.slow
@requires_bwrap
@pytest.mark.parametrize("assignment_id, variant", REGRADED)
def test_five_regrades_of_one_submission_are_identical(assignment_id, variant, sweep):
    """Every test's verdict and every score, speed checks included: medians of interleaved trials do not flip."""
    assignment = load_assignment(assignment_id, ROOT)
    sections, _ = submissions.load_variant(ROOT / "tests/submissions" / assignment_id / f"{variant}.py")
    notebook = submissions.with_sections(assignment, sections)
    outcomes = []
    for _ in range(5):
        result = grade.grade_notebook(notebook, assignment, name=variant,
                                      reference_answers=sweep.plan(assignment_id).reference_answers)
        outcomes.append({q: (r.score, r.reason, [(t.name, t.passed) for t in r.tests])
                         for q, r in result.questions.items()})
    assert 0 < result.score < assignment.max_score
    for k, outcome in enumerate(outcomes[1:], start=2):
        changed = {q: (outcomes[0][q], v) for q, v in outcome.items() if v != outcomes[0][q]}
        assert not changed, f"grading {k} differs from the first: {changed}"


@pytest.mark.slow
@requires_bwrap
@pytest.mark.parametrize("assignment_id, variant", VARIANTS, ids=[f"{a}-{v}" for a, v in VARIANTS])
def test_wrong_submission_scores_as_expected(assignment_id, variant, sweep):
    """The questions a fixture breaks score as it expects.

    Only those questions' hidden tests run (the whole notebook still runs), in a notebook shared with fixtures whose
    questions cannot see this one's (``tests/sweep.py``); every other section is the reference's, which the
    full-marks test grades, and that one broken question costs no other is the engine's own test.
    """
    result, fixture, _ = sweep.fixture_result(assignment_id, variant)
    assert fixture.expectations, "a fixture must name the questions it breaks"
    for question_id, want in fixture.expectations.items():
        got = result.questions[question_id]
        assert submissions.meets(got.score, got.max_score, want), (
            f"{question_id}: expected {want}, got {got.score}/{got.max_score} "
            f"{[(t.name, t.message) for t in got.tests if not t.passed]}")
