"""``tfgrade report ID``: a self-contained HTML page per assignment for the instructor.

It shows per-question score distributions (matplotlib, embedded as PNG), the hidden tests failed most often with
their messages (what to reteach), the reasons questions were scored with (timeouts, memory, ...), grading times, and
the submissions to look at by hand: grading failures, notebooks nbgrader refused, byte-identical notebooks, near
duplicates (``graders.similarity``, on its own page beside this one) and notebooks that change TensorFlow's global
mode. The data comes from ``graders.class_data``.
"""

from __future__ import annotations

import base64
import html
import io
import statistics
from pathlib import Path

from graders import similarity
from graders.class_data import ClassData, collect

esc = html.escape
STYLE = """body { font-family: system-ui, sans-serif; margin: 2em; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; } td, th { border: 1px solid #ccc; padding: 4px 8px;
text-align: left; vertical-align: top; } th { background: #f0f0f0; } .num { text-align: right; }
.flag { color: #a40000; } img { max-width: 100%; } small { color: #666; }"""


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return "<img alt='plot' src='data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode() + "'>"


def _plots(data: ClassData) -> tuple[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    questions = list(data.assignment.questions)
    columns = min(4, len(questions) + 1)
    rows = (len(questions) + 1 + columns - 1) // columns
    figure, axes = pyplot.subplots(rows, columns, figsize=(3.2 * columns, 2.4 * rows), squeeze=False)
    panels = [(q.title if len(q.title) < 28 else q.id, q.points, [r.questions.get(q.id, 0.0) for r in data.graded],
               q.id) for q in questions]
    panels.append(("total", data.assignment.max_score, [r.score for r in data.graded], "total"))
    for axis, (title, points, scores, qid) in zip(axes.flat, panels, strict=False):
        axis.hist(scores, bins=min(10, max(1, int(points))) if points else 1, range=(0, points or 1),
                  color="#4a7ab5", edgecolor="white")
        axis.set_title(f"{qid}: {title}" if qid != "total" else "total", fontsize=9)
        axis.set_xlabel(f"score (of {points:g})", fontsize=8)
        axis.tick_params(labelsize=7)
    for axis in list(axes.flat)[len(panels):]:
        axis.axis("off")
    figure.tight_layout()
    scores_png = _png(figure)
    pyplot.close(figure)
    times = [r.result.duration_s for r in data.rows if r.result]
    times_png = ""
    if times:
        figure, axis = pyplot.subplots(figsize=(5, 2.4))
        axis.hist(times, bins=min(20, max(1, len(times))), color="#7a9a4a", edgecolor="white")
        axis.set_xlabel("grading time per submission (s)", fontsize=8)
        axis.tick_params(labelsize=7)
        times_png = _png(figure)
        pyplot.close(figure)
    return scores_png, times_png


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def render(data: ClassData, pairs: list, threshold: float, similarity_page: str = "similarity.html") -> str:
    """The report page (HTML text); every value from a submission or the records is escaped."""
    assignment, graded = data.assignment, data.graded
    scores = [r.score for r in graded]
    scores_png, times_png = _plots(data)
    parts = [f"<h1>{esc(assignment.id)}: {esc(assignment.title)}</h1>",
             f"<p>{len(data.rows)} submissions; {len(graded)} in the gradebook"
             + (f"; score min {min(scores):.2f}, median {statistics.median(scores):.2f}, mean "
                f"{statistics.mean(scores):.2f}, max {max(scores):.2f} of {assignment.max_score:g}" if scores else "")
             + ".</p>", "<h2>Score distributions</h2>", scores_png]
    total = len([r for r in data.rows if r.result])
    failed = [[esc(q), esc(t), f"{n} of {total}", "<br>".join(f"{esc(m) or '<i>no message</i>'} <small>({c})</small>"
                                                             for m, c in msgs)]
              for q, t, n, msgs in data.failed_tests()[:20]]
    parts += ["<h2>Hidden tests failed most often</h2>",
              _table(["question", "test", "failed by", "most common messages"], failed) if failed
              else "<p>No hidden test failed.</p>"]
    missing = len(data.rows) - total
    if missing:
        parts.append(f"<p><small>{missing} submission(s) have no stored test details (not graded yet, or graded by "
                     "another version of the tests or engine: run <code>tfgrade autograde</code> again).</small></p>")
    reasons = [[esc(reason), str(len(hits)), esc(", ".join(f"{s} ({q})" for s, q in hits))]
               for reason, hits in data.reasons().items()]
    parts += ["<h2>Questions scored with a reason</h2>",
              _table(["reason", "questions", "students (question)"], reasons) if reasons
              else "<p>None: every question was graded normally.</p>"]
    times = sorted(((r.result.duration_s, r.student) for r in data.rows if r.result), reverse=True)
    if times:
        seconds = [t for t, _ in times]
        parts += ["<h2>Grading times</h2>", times_png,
                  f"<p>min {min(seconds):.1f} s, median {statistics.median(seconds):.1f} s, max {max(seconds):.1f} s; "
                  f"slowest: {esc(', '.join(f'{s} ({t:.1f} s)' for t, s in times[:5]))}</p>"]
    parts += ["<h2>Flagged for a human look</h2>", _flags(data, pairs, threshold, similarity_page)]
    parts += ["<h2>Students</h2>", _students(data)]
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{esc(assignment.id)} report</title>"
            f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>\n")


def _flags(data: ClassData, pairs: list, threshold: float, similarity_page: str) -> str:
    items = [f"grading failed for {esc(r.student)}: {esc(r.error[:300])}" for r in data.rows if r.state == "failed"]
    items += [f"{esc(r.student)}: {esc(r.note)}" for r in data.rows if r.note]
    items += [f"byte-identical notebooks: {esc(', '.join(group))}" for group in data.identical()]
    by_pair: dict[tuple[str, str], list[str]] = {}
    for pair in pairs:
        by_pair.setdefault((pair.first, pair.second), []).append(f"{pair.question} {pair.similarity:.0%}")
    items += [f"near-duplicate solutions: {esc(a)} and {esc(b)} ({esc(', '.join(qs))})"
              for (a, b), qs in sorted(by_pair.items())]
    items += [f"{esc(r.student)} changes TensorFlow's global mode: {esc('; '.join(r.global_changes))}"
              for r in data.rows if r.global_changes]
    items += [f"{esc(r.student)} uses tools that can forge structural evidence (its structural checks failed): "
              f"{esc('; '.join(r.policy_hits[:5]))}" for r in data.rows if r.policy_hits]
    listing = "".join(f"<li class='flag'>{item}</li>" for item in items) or "<li>Nothing to look at.</li>"
    return (f"<ul>{listing}</ul><p>Similarity of solution cells, side by side (pairs above {threshold:.0%}): "
            f"<a href='{esc(similarity_page)}'>{esc(similarity_page)}</a></p>")


def _students(data: ClassData) -> str:
    questions = [q.id for q in data.assignment.questions]
    rows = []
    for r in data.rows:
        cells = [esc(r.student), esc(r.state), f"{r.score:.2f}" if r.score is not None else "",
                 f"{r.late_penalty:.2f}" if r.late_penalty else ""]
        cells += [f"{r.questions[q]:.2f}" if q in r.questions else "" for q in questions]
        cells += [esc(", ".join(f"{q} {why}" for q, why in r.reasons.items())),
                  f"{r.result.duration_s:.1f}" if r.result else ""]
        rows.append(cells)
    return _table(["student", "state", "score", "late penalty", *questions, "reasons", "time (s)"], rows)


def write(assignment_id: str, out: Path, *, course: Path | None = None,
          threshold: float = similarity.DEFAULT_THRESHOLD) -> Path:
    """Writes ``index.html`` (the report) and ``similarity.html`` into ``out``; returns the report's path."""
    data = collect(assignment_id, course)
    pairs = similarity.compare(data.assignment, {r.student: r.path for r in data.rows}, threshold=threshold)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "similarity.html").write_text(similarity.render(data.assignment, pairs, threshold))
    page = out / "index.html"
    page.write_text(render(data, pairs, threshold))
    return page
