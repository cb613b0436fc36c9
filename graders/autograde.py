"""``tfgrade autograde``: grade every submission of an assignment, N at a time, resumably, into nbgrader's gradebook.

The work is split so that nothing is lost and nothing is graded twice:

1. Grading, in parallel: each submission is graded in its own judge process with its own sandboxed workers
   (``graders.grade``), on this machine or on a Dask cluster. Each grade is stored durably under a digest of what it
   depends on (``graders.store``), and the reference worker's answers are stored once and replayed for every later
   submission (``graders.judge.replay``).
2. Recording, one submission at a time, as grades arrive: nbgrader's own ``autograde`` of that one student, whose
   grading step finds the stored grade instead of grading again. So the gradebook, the autograded notebook and later
   ``generate_feedback`` and ``export`` are exactly nbgrader's.

A ledger keeps one record per student (the submission's digest and how far it got). A batch killed at any moment and
started again skips what was recorded, records what was graded, and grades the rest; ``--force`` grades afresh.
"""

from __future__ import annotations

import glob
import os
import re
import statistics
import sys
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from graders import notebook
from graders.course import Assignment, load_assignment
from graders.grade import GradeResult, grade_notebook, results_key
from graders.judge import launcher
from graders.judge.plugin import GradingError
from graders.store import JsonStore, digest

STATE_DIR = Path("gradebook") / ".tfgrade"
_SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,120}$")


@dataclass
class Submission:
    """One student's submitted notebook."""

    student: str
    path: Path
    digest: str = ""


@dataclass
class Outcome:
    """What the batch did with one submission."""

    student: str
    status: str  # recorded, skipped (already recorded), failed
    score: float | None = None
    max_score: float | None = None
    reasons: dict[str, str] = field(default_factory=dict)
    error: str = ""
    reused: bool = False
    note: str = ""


@dataclass
class Summary:
    """The end of a batch: per-student outcomes and how long it took."""

    assignment: str
    outcomes: list[Outcome]
    seconds: float
    graded_now: int = 0
    notes: list[str] = field(default_factory=list)  # about the batch as a whole

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def render(self) -> str:
        """The closing summary: counts, failures with their reason, the score distribution."""
        done = [o for o in self.outcomes if o.status in ("recorded", "skipped")]
        stored = sum(o.status == "recorded" and o.reused for o in self.outcomes)
        lines = [f"{self.assignment}: {len(self.outcomes)} submissions in {self.seconds:.1f} s: "
                 f"{self.graded_now} graded now, {stored} recorded from stored grades (graded before, or identical "
                 f"to another), {sum(o.status == 'skipped' for o in self.outcomes)} already recorded, "
                 f"{len(self.failed)} failed"]
        lines += [f"  NOTE {note}" for note in self.notes]
        for outcome in self.failed:
            lines.append(f"  FAILED {outcome.student}: {outcome.error}")
        for outcome in self.outcomes:
            if outcome.note:
                lines.append(f"  NOTE {outcome.student}: {outcome.note}")
        reasons: dict[str, int] = {}
        for outcome in done:
            for reason in outcome.reasons.values():
                reasons[reason] = reasons.get(reason, 0) + 1
        if reasons:
            counts = ", ".join(f"{r} {n}" for r, n in sorted(reasons.items()))
            lines.append(f"  questions scored with a reason: {counts}")
        scores = [o.score for o in done if o.score is not None]
        if scores:
            top = max(o.max_score or 0 for o in done) or 1.0
            lines.append(f"  scores: min {_num(min(scores))}  median {_num(statistics.median(scores))}  "
                         f"mean {statistics.mean(scores):.2f}  max {_num(max(scores))}  (out of {_num(top)})")
            buckets = [0] * 5
            for score in scores:
                buckets[min(int(5 * score / top), 4)] += 1
            for k, count in enumerate(buckets):
                low, high = top * k / 5, top * (k + 1) / 5
                lines.append(f"    {low:5.0f}-{high:<5.0f}{'#' * count} {count}")
        return "\n".join(lines)


class Batch:
    """Grades an assignment's submissions in an nbgrader course.

    Args:
        assignment_id: The assignment.
        course: The course root (holding ``nbgrader_config.py``); default the configured course.
        jobs: Submissions graded at once (default: the machine's cores).
        students: Only these students (default: everyone who submitted).
        force: Grade again even what the ledger says is recorded.
        scheduler: A Dask scheduler address (``tcp://host:port``): grade on that cluster instead of here.
        sandboxed: Run submissions under bubblewrap.
        progress: Show a progress bar (default: when stderr is a terminal).
    """

    def __init__(self, assignment_id: str, *, course: Path | None = None, jobs: int | None = None,
                 students: list[str] | None = None, force: bool = False, scheduler: str | None = None,
                 sandboxed: bool = True, progress: bool | None = None):
        self.assignment: Assignment = load_assignment(assignment_id, course)
        self.course = self.assignment.root
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.only = set(students or ())
        self.force = force
        self.scheduler = scheduler
        self.sandboxed = sandboxed
        self.progress = sys.stderr.isatty() if progress is None else progress
        self.fingerprint = self.assignment.fingerprint()
        state = self.course / STATE_DIR
        self.ledger = JsonStore(state / "ledger" / self.assignment.id)
        self.results = JsonStore(state / "results")
        self.reference_answers = state / "reference" / self.assignment.id / self.fingerprint[:24]
        self._gradebook = None

    # -- what there is to do ------------------------------------------------------------------------------------

    def submissions(self) -> list[Submission]:
        """Every submitted notebook of the assignment, in nbgrader's submitted folder."""
        coursedir = self.gradebook().coursedir
        pattern = coursedir.format_path(coursedir.submitted_directory, "*", self.assignment.id)
        found = []
        for folder in sorted(Path(p) for p in glob.glob(pattern)):
            student = folder.parent.name
            if self.only and student not in self.only:
                continue
            path = folder / f"{self.assignment.id}.ipynb"
            found.append(Submission(student, path))
        missing = self.only - {s.student for s in found}
        if missing:
            raise LookupError(f"no submission of {self.assignment.id} from: {', '.join(sorted(missing))}")
        return found

    def _ledger_key(self, student: str) -> str:
        return student if _SAFE_KEY.match(student) else digest(student)

    def _is_recorded(self, submission: Submission) -> bool:
        entry = self.ledger.get(self._ledger_key(submission.student))
        return (entry is not None and entry.get("state") == "recorded" and entry.get("digest") == submission.digest
                and entry.get("student") == submission.student)

    # -- running --------------------------------------------------------------------------------------------------

    def run(self) -> Summary:
        """Grades and records everything that is not recorded yet; returns the summary."""
        started = time.monotonic()
        if not self.scheduler:
            launcher.warm_up()  # its imports overlap nbgrader's, which come next
        notes = [self.ensure_in_gradebook()]
        submissions = self.submissions()
        for submission in submissions:
            submission.digest = digest(self.fingerprint, str(self.sandboxed), _read_bytes(submission.path))
        outcomes: dict[str, Outcome] = {}
        todo = []
        for submission in submissions:
            if not self.force and self._is_recorded(submission):
                entry = self.ledger.get(self._ledger_key(submission.student))
                outcomes[submission.student] = Outcome(submission.student, "skipped", entry.get("score"),
                                                       entry.get("max_score"), entry.get("reasons", {}))
            else:
                todo.append(submission)
        graded_now = 0
        bar = tqdm(total=len(todo), unit="nb", desc=self.assignment.id, disable=not self.progress, file=sys.stderr,
                   smoothing=0)
        with bar, self._executor() as submit:
            pending: dict[Future, Submission] = {submit(s): s for s in todo}
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    submission = pending.pop(future)
                    outcome = self._finish(submission, future)
                    graded_now += outcome.status == "recorded" and not outcome.reused
                    outcomes[submission.student] = outcome
                    bar.update(1)
                    if self.progress:
                        bar.write(_line(outcome), file=sys.stderr)
                    else:
                        print(_line(outcome), file=sys.stderr, flush=True)
        ordered = [outcomes[s.student] for s in submissions]
        return Summary(self.assignment.id, ordered, time.monotonic() - started, graded_now, [n for n in notes if n])

    def ensure_in_gradebook(self) -> str:
        """Makes sure nbgrader's gradebook knows the assignment (see ``gradebook_db.ensure_assignment``)."""
        from graders.gradebook_db import ensure_assignment

        return ensure_assignment(self.gradebook(), self.assignment.id)

    def _executor(self):
        if self.scheduler:
            from graders.dask_grading import DaskExecutor

            return DaskExecutor(self.scheduler, self)
        return _LocalExecutor(self)

    def grade_here(self, submission: Submission) -> GradeResult:
        """Grades one submission on this machine (or reads back its stored grade)."""
        results = None if self.force else self.results
        result = grade_notebook(submission.path, self.assignment, sandboxed=self.sandboxed,
                                name=f"{submission.student}/{self.assignment.id}", results=results,
                                reference_answers=self.reference_answers)
        if self.force:
            key = self.result_key(submission)
            if key:
                self.results.put(key, result.to_json())
        return result

    def result_key(self, submission: Submission) -> str | None:
        """The stored-grade key of a submission, or None when it is not a readable notebook."""
        try:
            submitted = notebook.read_notebook(submission.path)
        except notebook.InvalidNotebook:
            return None
        cells = notebook.executable_cells(submitted, notebook.read_notebook(self.assignment.source_notebook))
        return results_key(self.assignment, cells, self.sandboxed)

    def _finish(self, submission: Submission, future: Future) -> Outcome:
        """Records a graded submission in the gradebook (nbgrader's autograde of that one student)."""
        key = self._ledger_key(submission.student)
        try:
            result: GradeResult = future.result()
        except (GradingError, OSError, ValueError, RuntimeError) as exc:
            self.ledger.put(key, {"student": submission.student, "digest": submission.digest, "state": "failed",
                                  "error": str(exc)[:2000]})
            return Outcome(submission.student, "failed", error=_first_line(exc))
        reasons = {q: r.reason for q, r in result.questions.items() if r.reason}
        entry = {"student": submission.student, "digest": submission.digest, "score": result.score,
                 "max_score": result.max_score, "reasons": reasons,
                 "questions": {q: [r.score, r.max_score] for q, r in result.questions.items()}}
        self.ledger.put(key, dict(entry, state="graded"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbgrader's own SQLAlchemy chatter, the same in `nbgrader autograde`
            answer = self.gradebook().autograde(self.assignment.id, submission.student, force=True, create=True)
        note = ""
        if answer.get("success"):
            # Our grading step logs "(stored grade)" when it read the grade back; otherwise nbgrader graded it again.
            entry["regraded_by_nbgrader"] = "(stored grade)" not in answer.get("log", "")
        else:
            # nbgrader refuses some notebooks outright (unreadable JSON, corrupted cell metadata) before any grading
            # step runs. The grade from the submitted file stands, so it is recorded through nbgrader's gradebook API:
            # the student keeps what each question earned, and the instructor is told why there is no autograded copy.
            error = (answer.get("error") or answer.get("log") or "nbgrader autograde failed").strip()
            note = "nbgrader refused the notebook (" + _nbgrader_reason(error) + "); grades recorded without it"
            try:
                self._record_without_nbgrader(submission.student, result)
            except Exception as exc:  # the gradebook itself failed: nothing was recorded, say so
                return Outcome(submission.student, "failed", error=f"recording in the gradebook failed: {exc}; "
                               f"nbgrader: {_nbgrader_reason(error)}")
            entry["recorded_without_nbgrader"] = note
        self.ledger.put(key, dict(entry, state="recorded"))
        return Outcome(submission.student, "recorded", result.score, result.max_score, reasons,
                       reused=result.reused, note=note)

    def _record_without_nbgrader(self, student: str, result: GradeResult) -> None:
        """Writes each question's score into the student's grade cells, one transaction, as nbgrader would."""
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.gradebook().coursedir.db_url) as gradebook:
            gradebook.update_or_create_student(student)
            try:
                submission = gradebook.find_submission(self.assignment.id, student)
            except MissingEntry:
                submission = gradebook.add_submission(self.assignment.id, student)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    question = result.questions.get(grade.name)
                    grade.auto_score = question.score if question is not None else 0.0
            gradebook.db.commit()

    def gradebook(self):
        """The nbgrader API on this course, configured so that its grading step reads the stored grades."""
        if self._gradebook is None:
            from nbgrader.apps import NbGraderAPI
            from nbgrader.coursedir import CourseDirectory
            from traitlets.config.loader import PyFileConfigLoader

            config = PyFileConfigLoader("nbgrader_config.py", path=str(self.course)).load_config()
            config.SandboxedGrade.results_store = str(self.results.folder)
            config.SandboxedGrade.sandbox = self.sandboxed
            coursedir = CourseDirectory(config=config)
            self._gradebook = NbGraderAPI(coursedir, config=config)
        return self._gradebook


class _LocalExecutor:
    """Grades on this machine, ``jobs`` at a time: each job is a judge process with its own sandboxed workers."""

    def __init__(self, batch: Batch):
        self.batch = batch
        self.pool = ThreadPoolExecutor(max_workers=batch.jobs, thread_name_prefix="tfgrade-job")

    def __enter__(self):
        return lambda submission: self.pool.submit(self.batch.grade_here, submission)

    def __exit__(self, *exc):
        self.pool.shutdown(wait=True, cancel_futures=True)


def _num(value: float | None) -> str:
    """A score as people read it: at most two decimals."""
    return "-" if value is None else f"{round(value, 2):g}"


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception): .+$", re.MULTILINE)


def _nbgrader_reason(log: str) -> str:
    """The first exception nbgrader reported (its last line is often generic advice), else its last line."""
    found = _EXCEPTION_LINE.search(log)
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    return (found.group(0) if found else lines[-1] if lines else "no message")[:300]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def _line(outcome: Outcome) -> str:
    if outcome.status == "failed":
        return f"  {outcome.student}: FAILED {outcome.error}"
    reasons = ", ".join(f"{q} {r}" for q, r in outcome.reasons.items())
    return (f"  {outcome.student}: {_num(outcome.score)}/{_num(outcome.max_score)}"
            f"{' (' + reasons + ')' if reasons else ''}{' [same as an earlier grade]' if outcome.reused else ''}"
            f"{' [' + outcome.note + ']' if outcome.note else ''}")
