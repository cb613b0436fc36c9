"""No points for doing nothing (DESIGN.md, "Done" item 4): junk notebooks score zero in every assignment.

A junk notebook is the release with every graded name (each top-level function, class and global of a question's
reference section) replaced by a function that returns None, its input, or an object that claims to equal anything.
The fast tests check how ``graders.submissions.junk`` builds them, every kind for every assignment; the slow test
grades each assignment's mixed junk notebook (the three kinds in turn over the graded names, so one grading meets
them all) through the real path, with the sweep's stored reference answers (``tests/sweep.py``): one grading in
place of three saves 60 gradings of the suite's budget. An author checks one kind everywhere by grading
``submissions.junk(assignment, kind)``.
"""

import ast
import copy

import pytest

from graders import authoring, submissions
from graders.course import assignment_ids, load_assignment
from graders.notebook import grade_id, read_notebook
from tests.conftest import ROOT, requires_bwrap

ASSIGNMENTS = assignment_ids(ROOT)
KINDS = submissions.JUNK_KINDS


def _solution_cells(notebook) -> dict[str, str]:
    return {grade_id(c).removesuffix("_solution"): c.source for c in notebook.cells
            if (grade_id(c) or "").endswith("_solution")}


def _run_cell(source: str) -> dict:
    """A junk cell is plain Python that needs nothing from the setup cell: run it alone."""
    namespace: dict = {}
    exec(compile(source, "<junk cell>", "exec"), namespace)
    return namespace


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def assignment(request):
    return load_assignment(request.param, ROOT)


@pytest.fixture(scope="module")
def anything():
    cell = submissions.junk_section(["make"], "anything")
    return _run_cell(cell)["make"]()


# -- how junk notebooks are built (fast) ----------------------------------------------------------------------------


def test_graded_names_are_functions_classes_and_globals_in_order():
    section = ("import math\n\nLIMIT: int = 3\n\n\nclass Model:\n    x = 1\n\n\ndef fit(a):\n    inner = 2\n"
               "    return inner\n\n\nA, (B, C) = 1, (2, 3)\nLIMIT += 1\n")
    assert submissions.graded_names(section) == ["LIMIT", "Model", "fit", "A", "B", "C"]


def test_an_unknown_kind_is_refused(assignment):
    with pytest.raises(ValueError, match="unknown junk kind"):
        submissions.junk(assignment, "nothing")
    with pytest.raises(ValueError, match="2 junk kinds for 1 names"):
        submissions.junk_section(["f"], ["none", "none"])


def test_the_mixed_notebook_gives_each_name_its_kind_in_turn(assignment):
    kinds = submissions.junk_kinds(assignment)
    flat = [kind for question in assignment.questions for kind in kinds[question.id]]
    assert set(flat) == set(KINDS), f"the mixed notebook of {assignment.id} misses a kind: {flat}"
    assert all(a != b for a, b in zip(flat, flat[1:], strict=False)), "neighbouring names share a kind"
    cells = _solution_cells(submissions.junk(assignment, submissions.JUNK_MIXED))
    sections = authoring.reference_sections(assignment)
    for question in assignment.questions:
        namespace = _run_cell(cells[question.id])
        for name, kind in zip(submissions.graded_names(sections[question.id]), kinds[question.id], strict=True):
            got = namespace[name](7, "x")
            assert (got is None if kind == "none" else got == 7 if kind == "identity"
                    else type(got).__name__ == "_JunkAnything"), f"{question.id}.{name} is not {kind} junk"


@pytest.mark.parametrize("kind", KINDS)
def test_every_graded_name_of_every_question_is_a_junk_function(assignment, kind):
    sections = authoring.reference_sections(assignment)
    cells = _solution_cells(submissions.junk(assignment, kind))
    assert sorted(cells) == sorted(q.id for q in assignment.questions)
    for question in assignment.questions:
        names = submissions.graded_names(sections[question.id])
        assert names, f"{question.id}: the reference section defines no names"
        defined = {n.name for n in ast.parse(cells[question.id]).body if isinstance(n, ast.FunctionDef)}
        assert set(names) <= defined, f"{question.id}: not redefined: {sorted(set(names) - defined)}"
        namespace = _run_cell(cells[question.id])
        for name in names:
            junk = namespace[name]
            assert callable(junk) and type(junk).__name__ == "function", f"{question.id}: {name} is not a function"
            for args, kwargs in (((), {}), ((7, "x"), {}), ((), {"only": 5}), ((8,), {"more": 9})):
                got = junk(*args, **kwargs)
                if kind == "none":
                    assert got is None
                elif kind == "identity":
                    assert got is (args[0] if args else kwargs.get("only"))
                else:
                    assert type(got).__name__ == "_JunkAnything" and got == object()


@pytest.mark.parametrize("kind", KINDS)
def test_cells_other_than_solutions_are_the_release_cells(assignment, kind):
    release = read_notebook(assignment.release_notebook)
    before = copy.deepcopy(release)
    junk = submissions.junk(assignment, kind)
    assert release == before, "junk() must not change the release notebook it starts from"
    assert len(junk.cells) == len(release.cells)
    setup = [c for c in junk.cells if grade_id(c) == "setup"]
    assert len(setup) == 1, "the release has one setup cell"
    for mine, theirs in zip(junk.cells, release.cells, strict=True):
        assert mine.metadata == theirs.metadata and mine.cell_type == theirs.cell_type
        if not (grade_id(mine) or "").endswith("_solution"):
            assert mine.source == theirs.source, f"cell {grade_id(mine)} changed"


def test_the_anything_object_equals_everything(anything):
    for other in (None, 0, 1.5, "text", [1, 2], {"a": 1}, object(), anything):
        assert anything == other and other == anything
        assert not (anything != other)
    assert anything in {anything} and 3 in anything and "key" in anything
    assert bool(anything) and len(anything) == 0 and list(anything) == []
    assert int(anything) == 0 and float(anything) == 0.0 and [1, 2][anything] == 1
    assert f"{anything:.3f}" == repr(anything) == "<anything>"


def test_every_operation_on_the_anything_object_returns_it(anything):
    a = anything
    results = [a.shape, a.numpy(), a.fit(1, epochs=2).history["loss"], a(1, 2, k=3), a[0], a[1:, None],
               a + 1, 1 + a, a - 1, 1 - a, a * 2, 2 * a, a / 2, 2 / a, a // 2, 2 // a, a % 2, 2 % a, a ** 2, 2 ** a,
               a @ a, -a, +a, abs(a), ~a, a & 1, 1 | a, a ^ 1, a << 1, a >> 1, round(a), a < 1, a <= 1, a > 1,
               a >= 1, 1 < a]
    assert all(r is a for r in results)
    b = a
    b += 1
    b *= 2
    assert b is a
    a["key"] = 1
    del a["key"]
    with a as entered:
        assert entered is a


def test_the_anything_object_leaves_protocols_alone(anything):
    assert not hasattr(anything, "__array_interface__") and not hasattr(anything, "__deepcopy__")
    assert type(copy.copy(anything)) is type(anything) and type(copy.deepcopy(anything)) is type(anything)
    assert isinstance(hash(anything), int)


# -- grading (slow) --------------------------------------------------------------------------------------------------


@pytest.mark.slow
@requires_bwrap
@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_junk_scores_zero(assignment_id, sweep):
    """The mixed junk notebook scores zero; the sweep grades it in the background beside the other gradings."""
    kinds = submissions.junk_kinds(load_assignment(assignment_id, ROOT))
    result = sweep.result(("junk", assignment_id, submissions.JUNK_MIXED))
    passing = {}
    for question, outcome in result.questions.items():
        passed = [t.name for t in outcome.tests if t.passed]
        if outcome.score or passed:
            passing[f"{question} ({'/'.join(kinds[question])}: {outcome.score:g}/{outcome.max_score:g})"] = passed
    assert not passing, f"the junk notebook of {assignment_id} earns points from: {passing}"
