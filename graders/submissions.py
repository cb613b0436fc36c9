"""Building submissions from the source notebook: the correct one, a blank one, or one with some sections replaced.

Used by the wrong-submission fixtures of the tests, the demo and the benchmarks, so that every fabricated submission
goes through the same notebook structure a student would hand in.
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Sequence
from pathlib import Path

import nbformat

from graders import syntax
from graders.authoring import _SECTION, reference_sections
from graders.course import Assignment
from graders.notebook import grade_id, read_notebook

_EXPECT = re.compile(r"^# expect: (\{.*\})\s*$", re.MULTILINE)


def load_variant(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Reads a wrong-submission fixture: ``# expect: {...}`` and ``# %% [qK]`` replacement sections.

    Returns:
        ``(sections, expectations)``: replacement source per question, and the expected outcome per question
        (``full``, ``zero``, ``partial`` or ``below_full``; questions not named are expected to be ``full``).
    """
    text = Path(path).read_text()
    match = _EXPECT.search(text)
    expectations = ast.literal_eval(match.group(1)) if match else {}
    parts = _SECTION.split(text)
    sections = {name: body.strip("\n") + "\n" for name, body in zip(parts[1::2], parts[2::2], strict=True)}
    return sections, expectations


def with_sections(assignment: Assignment, sections: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """The release notebook as a student hands it in.

    Every solution cell is filled with the reference's section, except the questions in ``sections``, which get that
    code instead.
    """
    answers = dict(reference_sections(assignment), **(sections or {}))
    notebook = copy.deepcopy(read_notebook(assignment.release_notebook))
    for cell in notebook.cells:
        gid = grade_id(cell) or ""
        question = gid.removesuffix("_solution")
        if gid.endswith("_solution") and question in answers:
            cell.source = answers[question].rstrip("\n")
    return notebook


def blank(assignment: Assignment) -> nbformat.NotebookNode:
    """The unmodified release notebook, as a student who did nothing would submit it."""
    return read_notebook(assignment.release_notebook)


def meets(score: float, max_score: float, expectation: str) -> bool:
    """Whether a question's score matches an expectation word of a fixture."""
    return {"full": abs(score - max_score) < 1e-9, "zero": score == 0, "partial": 0 < score < max_score,
            "below_full": score < max_score - 1e-9}[expectation]


# -- junk submissions ------------------------------------------------------------------------------------------------

JUNK_KINDS = ("none", "identity", "anything")
JUNK_MIXED = "mixed"  # the kinds in turn over the graded names, all three in one notebook

# Source of the "anything" object, put into every solution cell of a junk notebook of that kind (each cell stands alone,
# so that a question whose cell is graded by itself still gets it).
_ANYTHING = '''\
class _JunkAnything:
    """Claims to be anything: equal to everything, and every operation on it returns it."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):  # protocols (copy, pickle, numpy) keep their defaults
            raise AttributeError(name)
        return self

    def __call__(self, *args, **kwargs):
        return self

    def __getitem__(self, key):
        return self

    def __setitem__(self, key, value):
        pass

    def __delitem__(self, key):
        pass

    def __contains__(self, item):
        return True

    def __bool__(self):
        return True

    def __len__(self):
        return 0

    def __iter__(self):
        return iter(())

    def __int__(self):
        return 0

    def __index__(self):
        return 0

    def __float__(self):
        return 0.0

    def __complex__(self):
        return 0j

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __repr__(self):
        return "<anything>"

    def __format__(self, spec):
        return "<anything>"

    def _itself(self, *args, **kwargs):
        return self

    for _name in ("lt le gt ge add radd sub rsub mul rmul matmul rmatmul truediv rtruediv floordiv rfloordiv mod rmod "
                  "divmod rdivmod pow rpow lshift rlshift rshift rrshift and rand or ror xor rxor iadd isub imul "
                  "imatmul itruediv ifloordiv imod ipow ilshift irshift iand ior ixor neg pos abs invert round "
                  "floor ceil trunc").split():
        locals()[f"__{_name}__"] = _itself
    del _name
'''

_JUNK_RETURNS = {
    "none": "return None",
    "identity": "return args[0] if args else next(iter(kwargs.values()), None)",
    "anything": "return _JunkAnything()",
}


def graded_names(section: str) -> list[str]:
    """The names a question's reference section defines at top level, in order: functions, classes and globals.

    Args:
        section: The source of a ``# %% [qK]`` section of a reference module.

    Returns:
        Each name once, in the order the section first defines it (imports are not graded names).
    """
    names: list[str] = []
    for node in syntax.parse(section).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found = [node.name]
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found = [n.id for target in targets for n in ast.walk(target) if isinstance(n, ast.Name)]
        else:
            found = []
        names += [name for name in found if name not in names]
    return names


def junk_section(names: list[str], kind: str | Sequence[str]) -> str:
    """A solution cell that defines every one of ``names`` as a junk function.

    Args:
        names: The graded names to define.
        kind: One of ``JUNK_KINDS`` for every name, or one per name: ``"none"`` (returns None), ``"identity"``
            (returns its first argument, or the first keyword argument's value, or None) or ``"anything"`` (returns
            an object that equals everything and whose attributes, items, calls, arithmetic and comparisons all
            return itself).

    Returns:
        The cell's source.

    Raises:
        ValueError: a kind is not one of ``JUNK_KINDS``, or there is not one per name.
    """
    kinds = [kind] * len(names) if isinstance(kind, str) else list(kind)
    if len(kinds) != len(names):
        raise ValueError(f"{len(kinds)} junk kinds for {len(names)} names")
    for each in kinds:
        if each not in _JUNK_RETURNS:
            raise ValueError(f"unknown junk kind {each!r}; expected one of {JUNK_KINDS}")
    label = kinds[0] if len(set(kinds)) == 1 else "mixed"
    parts = [f"# A junk submission ({label}): every graded name is a function that does nothing useful.\n"]
    if "anything" in kinds:
        parts.append(_ANYTHING)
    for name, each in zip(names, kinds, strict=True):
        parts.append(f"def {name}(*args, **kwargs):\n    {_JUNK_RETURNS[each]}\n")
    return "\n\n".join(parts)


def junk(assignment: Assignment, kind: str) -> nbformat.NotebookNode:
    """The release notebook with every graded name replaced by a function that does nothing useful.

    A graded name is a top-level name that a question's reference section defines: a function, a class or an assigned
    global. Each question's solution cell is replaced by definitions of the same names, every one a junk function (a
    class becomes a junk function too); setup and all other cells stay as released. Such a notebook must score zero,
    like the blank release (DESIGN.md, "No points for doing nothing").

    Args:
        assignment: The assignment whose release notebook to fill.
        kind: One of ``JUNK_KINDS``: ``"none"`` (every name returns None), ``"identity"`` (returns its first
            argument, or None without arguments) or ``"anything"`` (returns an object that claims to equal anything;
            every attribute, item, call, arithmetic operation and comparison on it returns itself, it is true, has
            length 0 and iterates as empty). The judge sees that object as an opaque handle, never as plain data.
            Or ``JUNK_MIXED``: the kinds in turn over the graded names (``junk_kinds``), all three in one notebook.

    Returns:
        A new notebook; the release notebook on disk is not changed.

    Raises:
        ValueError: ``kind`` is neither one of ``JUNK_KINDS`` nor ``JUNK_MIXED``.
    """
    if kind not in (*JUNK_KINDS, JUNK_MIXED):
        raise ValueError(f"unknown junk kind {kind!r}; expected one of {(*JUNK_KINDS, JUNK_MIXED)}")
    kinds = junk_kinds(assignment) if kind == JUNK_MIXED else None
    sections = {question: junk_section(graded_names(body), kinds[question] if kinds else kind)
                for question, body in reference_sections(assignment).items() if question != "setup"}
    return with_sections(assignment, sections)


def junk_kinds(assignment: Assignment) -> dict[str, list[str]]:
    """The kind each graded name gets in the ``JUNK_MIXED`` notebook, per question.

    The kinds follow each other over the names in notebook order, starting at an offset that moves with the
    assignment's number, so one notebook holds all three kinds, a question with several names meets several, and
    across a course every question position meets every kind.
    """
    position = int(match.group(1)) if (match := re.match(r"a(\d+)", assignment.id)) else 0
    kinds: dict[str, list[str]] = {}
    for question, body in reference_sections(assignment).items():
        if question == "setup":
            continue
        kinds[question] = []
        for _name in graded_names(body):
            kinds[question].append(JUNK_KINDS[position % len(JUNK_KINDS)])
            position += 1
    return kinds
