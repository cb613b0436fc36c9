"""Where things live in the course repository, and the assignment manifests."""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


FEEDBACK_DETAIL = ("messages", "values")


class UnknownAssignment(LookupError):
    """No assignment has that id."""


@dataclass(frozen=True)
class Question:
    """One graded question, as the assignment's manifest defines it."""

    id: str
    title: str
    points: float
    prompt: str = ""
    thresholds: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Budget:
    """Time and memory a worker may use."""

    cell_timeout_s: float = 120.0
    call_timeout_s: float = 60.0
    memory_mb: int = 4096
    judge_timeout_s: float = 900.0
    scratch_mb: int = 0  # > 0 gives each worker a scratch folder that survives restarts


@dataclass(frozen=True)
class Assignment:
    """An assignment: its manifest plus the paths of its parts."""

    id: str
    title: str
    intro: str
    questions: tuple[Question, ...]
    budget: Budget
    root: Path
    # What a student's feedback shows of a failed check: "messages" (what failed and what to fix) or "values" (also
    # the expected values and hidden inputs behind it, which a student who can resubmit could hard-code).
    feedback: str = "messages"

    @property
    def source_dir(self) -> Path:
        return self.root / "assignments" / self.id

    @property
    def source_notebook(self) -> Path:
        return self.source_dir / f"{self.id}.ipynb"

    @property
    def release_notebook(self) -> Path:
        return self.root / "release" / self.id / f"{self.id}.ipynb"

    @property
    def reference_module(self) -> Path:
        return self.root / "reference" / f"{self.id}.py"

    @property
    def hidden_tests(self) -> Path:
        return self.root / "hidden_tests" / self.id

    @property
    def probes(self) -> Path:
        """The worker-side half of the hidden suite: the only file of ``hidden_tests/`` a sandbox sees."""
        return self.hidden_tests / "probes.py"

    @property
    def max_score(self) -> float:
        return float(sum(q.points for q in self.questions))

    def fingerprint(self) -> str:
        """A digest of everything a grade depends on besides the submission.

        The manifest, the reference, the hidden tests and their probes, the source notebook and the engine's own code:
        a stored result or reference answer is reused only while all of them are unchanged. Nothing of another
        assignment counts, so editing one assignment keeps every other's stored grades.
        """
        digest = hashlib.sha256(self.id.encode())
        engine = Path(__file__).resolve().parent
        files = [self.source_dir / "manifest.toml", self.reference_module, self.source_notebook,
                 *sorted(self.hidden_tests.rglob("*.py")), *sorted(engine.rglob("*.py"))]
        for path in files:
            digest.update(str(path.name).encode() + b"\0")
            digest.update(path.read_bytes() if path.is_file() else b"<absent>")
        return digest.hexdigest()

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)


def course_root() -> Path:
    """The course repository that ``tfgrade`` works on.

    ``$TFGRADE_COURSE`` if set; else the current directory when it holds ``assignments/`` (run ``tfgrade`` from the
    course root, as nbgrader is run); else the repository this package was installed from.
    """
    if os.environ.get("TFGRADE_COURSE"):
        return Path(os.environ["TFGRADE_COURSE"]).resolve()
    here = Path.cwd()
    return here.resolve() if (here / "assignments").is_dir() else REPO_ROOT.resolve()


def assignment_ids(root: Path | None = None) -> list[str]:
    """Every assignment that has a manifest, in order."""
    root = root or course_root()
    return sorted(p.parent.name for p in (root / "assignments").glob("a*/manifest.toml"))


def load_assignment(assignment_id: str, root: Path | None = None) -> Assignment:
    """Reads ``assignments/<id>/manifest.toml``."""
    root = root or course_root()
    path = root / "assignments" / assignment_id / "manifest.toml"
    if not path.is_file():
        known = ", ".join(assignment_ids(root)) or "none"
        raise UnknownAssignment(f"no assignment {assignment_id!r} (known: {known})")
    data = tomllib.loads(path.read_text())
    if data.get("id") != assignment_id:
        raise ValueError(f"{path}: id is {data.get('id')!r}, expected {assignment_id!r}")
    questions = tuple(
        Question(id=q["id"], title=q["title"], points=float(q["points"]), prompt=q.get("prompt", ""),
                 thresholds=dict(q.get("thresholds", {})))
        for q in data["questions"])
    feedback = data.get("feedback", "messages")
    if feedback not in FEEDBACK_DETAIL:
        raise ValueError(f"{path}: feedback is {feedback!r}, expected one of {', '.join(FEEDBACK_DETAIL)}")
    return Assignment(id=assignment_id, title=data["title"], intro=data.get("intro", ""), questions=questions,
                      budget=Budget(**data.get("budget", {})), root=root, feedback=feedback)
