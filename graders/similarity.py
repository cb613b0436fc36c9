"""Near-duplicate solutions across a class, with copydetect, the released scaffold excluded as boilerplate.

Why copydetect (PyPI) and not Dolos (npm): both fingerprint code by winnowing; Dolos tokenises through tree-sitter
and is the more actively maintained of the two, but it is a Node.js program (its CLI and its web viewer), so it would
bring a second language runtime and package lock into the course and a separate process to drive. copydetect is a
Python library pinned in ``requirements/lock.txt`` like everything else: it runs in this process, offline, and its
Pygments tokenizer renames identifiers and drops comments and strings, so renaming variables or rewording comments
does not hide a copy. Its own HTML report loads Bootstrap from a CDN, so the page here is our own, self-contained.

What is compared: per question, the code cells of the student's part of the notebook for that question (the solution
cell and any cells the student added there), never the locked setup cell or the checks. The release notebook's
solution cells (signatures, docstrings, ``raise NotImplementedError()``) are boilerplate: code every student was given
does not count as shared.
"""

from __future__ import annotations

import html
import tempfile
from dataclasses import dataclass
from pathlib import Path

from graders.course import Assignment
from graders.notebook import InvalidNotebook, executable_cells, read_notebook

DEFAULT_THRESHOLD = 0.6  # the share of a solution's fingerprinted tokens found in the other's


@dataclass
class Pair:
    """Two students whose solutions of one question share much code."""

    question: str
    first: str
    second: str
    similarity: float  # the larger of the two one-sided shares
    first_share: float
    second_share: float
    first_html: str  # the code, escaped, with the shared parts marked
    second_html: str


def solutions(notebook_path: Path, assignment: Assignment, source=None) -> dict[str, str]:
    """The student's code per question: every executable cell in that question's part of the notebook."""
    source = source or read_notebook(assignment.source_notebook)
    try:
        submitted = read_notebook(notebook_path)
    except InvalidNotebook:
        return {}
    found: dict[str, list[str]] = {}
    for cell in executable_cells(submitted, source):
        if cell.question:
            found.setdefault(cell.question, []).append(cell.source.rstrip() + "\n")
    return {question: "\n".join(parts) for question, parts in found.items()}


def compare(assignment: Assignment, notebooks: dict[str, Path], *, threshold: float = DEFAULT_THRESHOLD,
            noise: int = 20, guarantee: int = 25) -> list[Pair]:
    """Every pair of students whose code for a question is at least ``threshold`` shared, most similar first.

    Args:
        assignment: The assignment (its release notebook is the boilerplate).
        notebooks: ``{student: submitted notebook}``.
        threshold: The share (0 to 1) above which a pair is listed.
        noise: copydetect's noise threshold: shorter matches (in filtered characters) are ignored.
        guarantee: copydetect's guarantee threshold: longer matches are always found.
    """
    from copydetect import CopyDetector

    source = read_notebook(assignment.source_notebook)
    scaffold = solutions(assignment.release_notebook, assignment, source)
    pairs: list[Pair] = []
    with tempfile.TemporaryDirectory(prefix="tfgrade-similarity-") as scratch:
        root = Path(scratch)
        students = sorted(notebooks)
        for number, student in enumerate(students):
            folder = root / "students" / f"{number:05d}"  # students' ids never become paths
            folder.mkdir(parents=True)
            for question, code in solutions(notebooks[student], assignment, source).items():
                (folder / f"{question}.py").write_text(code)
        boilerplate = root / "boilerplate"
        boilerplate.mkdir()
        for question, code in scaffold.items():
            (boilerplate / f"{question}.py").write_text(code)
        detector = CopyDetector(test_dirs=[str(root / "students")], boilerplate_dirs=[str(boilerplate)],
                                extensions=["py"], noise_t=noise, guarantee_t=guarantee, display_t=threshold,
                                same_name_only=True, ignore_leaf=True, autoopen=False, silent=True)
        detector.run()
        if len(detector.similarity_matrix) == 0:
            return []
        for first_share, second_share, first, second, first_html, second_html, _ in detector.get_copied_code_list():
            a, b = Path(first), Path(second)
            if students[int(a.parent.name)] > students[int(b.parent.name)]:  # each pair in one order
                a, b, first_share, second_share = b, a, second_share, first_share
                first_html, second_html = second_html, first_html
            pairs.append(Pair(question=a.stem, first=students[int(a.parent.name)], second=students[int(b.parent.name)],
                              similarity=float(max(first_share, second_share)), first_share=float(first_share),
                              second_share=float(second_share), first_html=first_html, second_html=second_html))
    return sorted(pairs, key=lambda p: (-p.similarity, p.question, p.first, p.second))


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 1400px; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: 4px 8px; text-align: left; }}
.side {{ display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }}
pre {{ background: #f6f8fa; padding: 8px; overflow-x: auto; font-size: 12px; }}
.highlight-red {{ background: #ffc8c8; }} .highlight-green {{ background: #c8f0c8; }}
</style></head><body>
<h1>{title}</h1>
<p>{intro}</p>
{body}
</body></html>
"""


def render(assignment: Assignment, pairs: list[Pair], threshold: float) -> str:
    """The self-contained HTML page: the list of pairs, then each pair side by side with the shared code marked."""
    esc = html.escape
    intro = (f"Solutions of each question compared with copydetect (winnowed fingerprints of the tokenised code; "
             f"identifiers renamed, comments and strings dropped), the released scaffold excluded. Pairs sharing at "
             f"least {threshold:.0%} of one side's code are listed: {len(pairs)}. Similar code is a reason to look, "
             "not a finding: short or standard solutions look alike.")
    rows = "".join(f"<tr><td><a href='#pair{k}'>{esc(p.question)}</a></td><td>{esc(p.first)}</td>"
                   f"<td>{esc(p.second)}</td><td>{p.first_share:.0%} / {p.second_share:.0%}</td></tr>"
                   for k, p in enumerate(pairs))
    table = ("<table><tr><th>question</th><th>student</th><th>student</th><th>shared (each side)</th></tr>"
             f"{rows}</table>") if pairs else "<p>No pair above the threshold.</p>"
    views = "".join(f"<h2 id='pair{k}'>{esc(p.question)}: {esc(p.first)} and {esc(p.second)} "
                    f"({p.similarity:.0%})</h2><div class='side'><div><h3>{esc(p.first)}</h3><pre>{p.first_html}</pre>"
                    f"</div><div><h3>{esc(p.second)}</h3><pre>{p.second_html}</pre></div></div>"
                    for k, p in enumerate(pairs))
    return PAGE.format(title=esc(f"{assignment.id}: similar solutions"), intro=esc(intro), body=table + views)
