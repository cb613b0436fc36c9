"""The backbone sweep's gradings, planned from the collected tests and run two at a time in the background.

Every assignment costs the sweep the same kinds of work: the reference and the blank release graded, the notebook run
in a real kernel for the public checks, junk notebooks, and the wrong-submission fixtures. On two cores a grading
with stored reference answers keeps about one core busy, so the sweep runs ``SWEEP_JOBS`` of them at once (default
2), in the order the tests will ask for them; a test only waits for its own result.

Fixtures are graded in *rounds*: one notebook holds several fixtures whose questions cannot see each other (no name
one question defines is mentioned by another's section, hidden tests or the probes they call), and only those
questions are graded. That a fixture meets its expectation inside a round is then what grading it alone would give.
A fixture whose own code reaches the notebook's global state (IPython, TensorFlow's configuration, environment
variables, threads, processes, the interpreter) is graded alone: a statement it adds or changes, read without
docstrings and comments, names such state or imports a module that could patch something; what it keeps of the
reference's code does what the reference's full-marks grading already shows harmless. A fixture that misses its
expectation in a round is graded again alone before the test fails.
``SWEEP_SOLO=1`` grades every fixture alone. A question a fixture expects below full marks stops at its first failed
hidden test (``grade_notebook(..., stop_after_failure=...)``): the tests after it could not lift the score to full.
Such a question runs its tests cheapest first, by their seconds in the reference's grading (``test_costs``).
"""

from __future__ import annotations

import ast
import os
import re
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from graders import authoring, grade, submissions, syntax
from graders.course import Assignment, load_assignment

ROOT = Path(__file__).resolve().parent.parent
JOBS = int(os.environ.get("SWEEP_JOBS", "2"))
SOLO = os.environ.get("SWEEP_SOLO", "") not in ("", "0")
# Code that reaches beyond its own question: such a fixture is graded alone.
GLOBAL_EFFECTS = re.compile(r"get_ipython|tf\.config\.|mixed_precision|disable_eager|enable_eager|os\.environ|"
                            r"os\.kill|os\._exit|(?<!tf\.)\bsignal\.|\bsys\.|threading|multiprocessing|"
                            r"subprocess|ctypes|\bbuiltins\.|\bgc\.|__import__|globals\(\)|setattr\(|atexit|"
                            r"\bresource\.", re.MULTILINE)
# Importing these changes nothing another question sees (the names an import binds are in the reach analysis);
# any other module could patch something on import, so a fixture importing it is graded alone.
HARMLESS_IMPORTS = {"numpy", "tensorflow", "math", "time", "functools", "itertools", "collections", "typing",
                    "dataclasses", "string", "json", "re", "operator", "statistics", "heapq", "bisect"}
IMPORTED = re.compile(r"^(?:import|from)\s+([\w.]+)", re.MULTILINE)

# What the suite's time budget (tests/budget.py) reads: each assignment's job wall time, and the time tests waited.
_timing_lock = threading.Lock()
_job_seconds: dict[str, float] = {}
_each_job: dict[str, float] = {}  # "kind assignment [round or fixture]" -> wall seconds, for the budget's report
_waited = [0.0]


def job_seconds() -> dict[str, float]:
    """Wall seconds of the sweep's finished jobs, per assignment."""
    with _timing_lock:
        return dict(_job_seconds)


def slowest_jobs(count: int) -> list[tuple[str, float]]:
    """The sweep's ``count`` longest jobs and their wall seconds."""
    with _timing_lock:
        return sorted(_each_job.items(), key=lambda kv: -kv[1])[:count]


def waited_s() -> float:
    """Seconds the tests have spent blocked on a sweep result, in all."""
    return _waited[0]


def _timed(key: tuple, job):
    def run():
        started = time.monotonic()
        try:
            return job()
        finally:
            seconds = time.monotonic() - started
            with _timing_lock:
                _job_seconds[key[1]] = _job_seconds.get(key[1], 0.0) + seconds
                _each_job[" ".join(map(str, key))] = seconds
    return run


@dataclass(frozen=True)
class Fixture:
    """A wrong-submission fixture: replacement sections and the expected outcome per question."""

    name: str
    sections: dict
    expectations: dict

    @classmethod
    def load(cls, assignment_id: str, name: str) -> Fixture:
        sections, expectations = submissions.load_variant(ROOT / "tests/submissions" / assignment_id / f"{name}.py")
        return cls(name, sections, expectations)

    @property
    def footprint(self) -> set[str]:
        return set(self.sections) | set(self.expectations)


def _code_statements(source: str) -> set[str]:
    """A section's top-level statements as code: unparsed (no comments), without their docstrings."""
    statements = set()
    for statement in syntax.parse(source).body:
        for node in ast.walk(statement):
            body = getattr(node, "body", None)
            if (isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and body
                    and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                node.body = body[1:] or [ast.Pass()]
        statements.add(ast.unparse(statement))
    return statements


def _reaches_out(code: str) -> bool:
    return bool(GLOBAL_EFFECTS.search(code)) or any(m.split(".")[0] not in HARMLESS_IMPORTS
                                                    for m in IMPORTED.findall(code))


def _defined(source: str) -> set[str]:
    names = set()
    for node in syntax.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def _mentioned(tree: ast.AST) -> set[str]:
    """Identifiers and string constants (a hidden test names the student's globals in strings)."""
    words = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            words.add(node.id)
        elif isinstance(node, ast.Attribute):
            words.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            words |= set(re.findall(r"[A-Za-z_]\w*", node.value))
    return words


class Independence:
    """Which questions of an assignment can see names another question defines."""

    def __init__(self, assignment: Assignment):
        sections = authoring.reference_sections(assignment)
        self.defined = {q: _defined(body) for q, body in sections.items() if q != "setup"}
        self.reference_code = {q: _code_statements(body) for q, body in sections.items()}
        probes = assignment.probes
        probe_defs = ({n.name: n for n in syntax.parse(probes.read_text()).body if isinstance(n, ast.FunctionDef)}
                      if probes.is_file() else {})
        self.mentions = {}
        for question, body in sections.items():
            if question == "setup":
                continue
            words = _mentioned(syntax.parse(body))
            test_file = assignment.hidden_tests / f"test_{question}.py"
            if test_file.is_file():
                words |= _mentioned(syntax.parse(test_file.read_text()))
            reached = set()
            while (more := (words & set(probe_defs)) - reached):  # probes the tests call, and what those call
                reached |= more
                for name in more:
                    words |= _mentioned(probe_defs[name])
            self.mentions[question] = words

    def reaches_out(self, fixture: Fixture) -> bool:
        """Whether code the fixture adds or changes could touch what every question shares (graded alone, then).

        A section that does not parse is graded alone too: nothing can be said of what it reaches.
        """
        try:
            changed = [code for question, source in fixture.sections.items()
                       for code in _code_statements(source) - self.reference_code.get(question, set())]
        except (SyntaxError, ValueError):
            return True
        return "setup" in fixture.sections or any(_reaches_out(code) for code in changed)

    def reach(self, fixture: Fixture) -> set[str]:
        """The questions whose grading could see what the fixture changes."""
        names = set().union(*(_defined(s) for s in fixture.sections.values()),
                            *(self.defined.get(q, set()) for q in fixture.footprint))
        return fixture.footprint | {q for q, words in self.mentions.items() if names & words}


def rounds(assignment: Assignment, fixtures: list[Fixture]) -> list[list[Fixture]]:
    """Packs fixtures into notebooks whose fixtures cannot affect each other's questions (first fit)."""
    independence = Independence(assignment)
    alone = {fixture.name for fixture in fixtures if SOLO or independence.reaches_out(fixture)}
    packed: list[list[Fixture]] = []
    for fixture in fixtures:
        if fixture.name not in alone:
            for group in packed:
                if group[0].name in alone:
                    continue
                reach = independence.reach(fixture)
                if all(not (reach & other.footprint) and not (independence.reach(other) & fixture.footprint)
                       for other in group):
                    group.append(fixture)
                    break
            else:
                packed.append([fixture])
            continue
        packed.append([fixture])
    return packed


@dataclass
class _AssignmentPlan:
    assignment: Assignment
    reference_answers: Path
    round_of: dict = field(default_factory=dict)


class Sweep:
    """Runs the sweep's gradings in a background pool; tests take their results in order."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.pool = ThreadPoolExecutor(max_workers=JOBS, thread_name_prefix="sweep")
        self.futures: dict[tuple, Future] = {}
        self.plans: dict[str, _AssignmentPlan] = {}
        self.lock = threading.Lock()

    def plan(self, assignment_id: str) -> _AssignmentPlan:
        with self.lock:
            if assignment_id not in self.plans:
                self.plans[assignment_id] = _AssignmentPlan(load_assignment(assignment_id, ROOT),
                                                            self.workdir / "answers" / assignment_id)
            return self.plans[assignment_id]

    def submit(self, key: tuple, job) -> None:
        with self.lock:
            if key not in self.futures:
                self.futures[key] = self.pool.submit(_timed(key, job))

    def result(self, key: tuple, job=None):
        """The result of a planned job (submitting it now if it was not planned)."""
        if key not in self.futures:
            self.submit(key, job or self.job(key))
        started = time.monotonic()
        try:
            return self.futures[key].result()
        finally:
            _waited[0] += time.monotonic() - started

    # -- jobs -------------------------------------------------------------------------------------------------------

    def grading(self, assignment_id: str, notebook_factory, name: str, questions=None, fixtures=()):
        plan = self.plan(assignment_id)
        # A question a fixture expects below full marks stops at its first failed test: the rest cannot change that.
        settled = [q for f in fixtures for q, want in f.expectations.items() if want == "below_full"]
        return lambda: grade.grade_notebook(notebook_factory(plan.assignment), plan.assignment, name=name,
                                            reference_answers=plan.reference_answers, questions=questions,
                                            stop_after_failure=settled,
                                            test_costs=self.test_costs(assignment_id) if settled else None)

    def test_costs(self, assignment_id: str) -> dict[str, float]:
        """Each hidden test's seconds in the reference's grading, once that grading is done.

        The reference is planned before any fixture round, so it almost always is; a fixture's question then runs its
        cheapest tests first.
        """
        future = self.futures.get(("source", assignment_id))
        if future is None or not future.done() or future.exception() is not None:
            return {}
        return {f"{q}::{t.name}": t.duration_s for q, r in future.result().questions.items() for t in r.tests}

    def job(self, key: tuple):
        kind, assignment_id, *rest = key
        plan = self.plan(assignment_id)
        if kind == "source":
            return self.grading(assignment_id, lambda a: a.source_notebook, "source")
        if kind == "release":
            return self.grading(assignment_id, lambda a: a.release_notebook, "release")
        if kind == "junk":
            return self.grading(assignment_id, lambda a: submissions.junk(a, rest[0]), f"junk-{rest[0]}")
        if kind == "round":
            fixtures = plan.round_of[rest[0]]
            sections = {q: s for f in fixtures for q, s in f.sections.items()}
            questions = sorted({q for f in fixtures for q in f.expectations})
            return self.grading(assignment_id, lambda a: submissions.with_sections(a, sections),
                                "+".join(f.name for f in fixtures), questions, fixtures)
        if kind == "solo":
            fixture = Fixture.load(assignment_id, rest[0])
            return self.grading(assignment_id, lambda a: submissions.with_sections(a, fixture.sections),
                                fixture.name, sorted(fixture.expectations), [fixture])
        if kind == "public":
            from tests.test_assignments import run_public_checks

            return lambda: run_public_checks(plan.assignment, Path(tempfile.mkdtemp(dir=self.workdir)))
        raise KeyError(key)

    def fixture_round(self, assignment_id: str, names: list[str]) -> None:
        """Packs an assignment's collected fixtures into rounds (once)."""
        plan = self.plan(assignment_id)
        if plan.round_of:
            return
        fixtures = [Fixture.load(assignment_id, name) for name in names]
        for index, group in enumerate(rounds(plan.assignment, fixtures)):
            plan.round_of[index] = group
            for fixture in group:
                plan.round_of[fixture.name] = index

    def fixture_result(self, assignment_id: str, name: str):
        """``(result, fixture, graded_alone)`` for one fixture: its round's grade, or its own if the round missed."""
        plan = self.plan(assignment_id)
        index = plan.round_of[name]
        fixture = next(f for f in plan.round_of[index] if f.name == name)
        result = self.result(("round", assignment_id, index))
        if len(plan.round_of[index]) > 1 and not meets_all(result, fixture):
            return self.result(("solo", assignment_id, name)), fixture, True
        return result, fixture, len(plan.round_of[index]) == 1

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def meets_all(result, fixture: Fixture) -> bool:
    return all(q in result.questions and submissions.meets(result.questions[q].score, result.questions[q].max_score,
                                                          want) for q, want in fixture.expectations.items())


def planned_keys(items, sweep: Sweep) -> list[tuple]:
    """The sweep's jobs for the collected tests, in the order the tests will ask for them."""
    fixtures: dict[str, list[str]] = {}
    for item in items:
        params = getattr(item, "callspec", None) and item.callspec.params
        if params and item.originalname == "test_wrong_submission_scores_as_expected":
            fixtures.setdefault(params["assignment_id"], []).append(params["variant"])
    for assignment_id, names in fixtures.items():
        sweep.fixture_round(assignment_id, names)
    keys: list[tuple] = []
    for item in items:
        params = getattr(item, "callspec", None) and item.callspec.params
        if not params:
            continue
        assignment_id = params.get("assignment") or params.get("assignment_id")
        name = item.originalname
        if name == "test_public_checks_pass_for_the_reference_and_fail_for_the_blank":
            keys.append(("public", assignment_id))
        elif name == "test_reference_full_marks_and_release_zero":
            keys += [("source", assignment_id), ("release", assignment_id)]
        elif name == "test_junk_scores_zero":
            keys.append(("junk", assignment_id, submissions.JUNK_MIXED))
        elif name == "test_wrong_submission_scores_as_expected":
            keys.append(("round", assignment_id, sweep.plans[assignment_id].round_of[params["variant"]]))
    return list(dict.fromkeys(keys))
