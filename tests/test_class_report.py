"""``tfgrade report``: the instructor's page of a class, and the similarity page beside it."""

import re
import subprocess

import nbformat
import pytest

from graders import similarity, submissions
from graders.authoring import reference_sections
from graders.autograde import Batch
from graders.course import load_assignment
from tests.conftest import BIN, make_course, requires_bwrap

pytestmark = requires_bwrap

RENAMED_Q2 = '''class Counter(tf.Module):
    """My counter."""

    def __init__(self):
        super().__init__()
        self.total = tf.Variable(0, dtype=tf.int64, trainable=False)  # renamed, comments changed

    def increment(self, amount):
        """Add."""
        return self.total.assign_add(tf.cast(amount, tf.int64))
'''
OWN_Q2 = '''class Counter(tf.Module):
    def __init__(self):
        super().__init__()
        self.c = tf.Variable(tf.zeros([], tf.int64))

    def increment(self, n):
        self.c.assign(self.c + tf.constant(n, tf.int64))
        return tf.identity(self.c)
'''


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    """A graded class of nine: the fixed mix of six, a renamed copy, an own solution, and eager execution off."""
    course = make_course(tmp_path_factory.mktemp("report"), 6)
    assignment = load_assignment("a00_mini", course)
    eager_off = "tf.compat.v1.disable_eager_execution()\n\n" + reference_sections(assignment)["q1"]
    extra = {"s06": {"q2": RENAMED_Q2}, "s07": {"q2": OWN_Q2}, "s08": {"q1": eager_off}}
    for student, sections in extra.items():
        folder = course / "gradebook" / "submitted" / student / "a00_mini"
        folder.mkdir(parents=True)
        nbformat.write(submissions.with_sections(assignment, sections), folder / "a00_mini.ipynb")
    Batch("a00_mini", course=course, jobs=2).run()
    proc = subprocess.run([str(BIN / "tfgrade"), "report", "a00_mini"], cwd=course, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    folder = course / "gradebook" / "reports" / "a00_mini"
    return course, (folder / "index.html").read_text(), (folder / "similarity.html").read_text()


def test_the_page_is_self_contained_with_plots(reported):
    _, page, _ = reported
    assert len(re.findall(r"<img alt='plot' src='data:image/png;base64,", page)) == 2  # scores, grading times
    assert not re.search(r"(src|href)=['\"]https?:", page), "the page must load nothing from the network"
    assert "9 submissions; 9 in the gradebook" in page
    assert "href='similarity.html'" in page


def test_failed_tests_are_counted_with_their_messages(reported):
    _, page, _ = reported
    section = page.split("<h2>Hidden tests failed most often</h2>")[1].split("<h2>")[0]
    rows = re.findall(r"<tr><td>(q\d)</td><td>(\w+)</td><td>(\d+) of 9</td><td>(.*?)</td></tr>", section)
    counts = {(q, t): int(n) for q, t, n, _ in rows}
    # q1 fails for the two blank notebooks, the two with a wrong q1 and the one with eager execution off
    assert counts[("q1", "test_values_match")] == 5
    assert all(message for *_, message in rows)


def test_flags_name_identical_near_duplicate_and_global_mode_notebooks(reported):
    _, page, _ = reported
    flags = page.split("<h2>Flagged for a human look</h2>")[1].split("<h2>")[0]
    for group in ("s00, s03", "s01, s04", "s02, s05"):
        assert f"byte-identical notebooks: {group}" in flags
    near = dict(re.findall(r"near-duplicate solutions: (s\d\d and s\d\d) \(([^)]*)\)", flags))
    assert "q2 100%" in near["s00 and s06"] and "q2 100%" in near["s03 and s06"], near
    assert not any("q2" in questions for pair, questions in near.items() if "s07" in pair), "own code is no copy"
    assert "s08 changes TensorFlow's global mode: cell" in flags and "disable_eager_execution" in flags


def test_the_similarity_page_shows_pairs_side_by_side(reported):
    course, _, page = reported
    assert "s06" in page and "highlight-red" in page and "highlight-green" in page
    assert "raise NotImplementedError" not in page, "the released scaffold is boilerplate, never shown as shared"
    assignment = load_assignment("a00_mini", course)
    notebooks = {s: course / "gradebook/submitted" / s / "a00_mini/a00_mini.ipynb" for s in ("s00", "s06", "s07")}
    pairs = similarity.compare(assignment, notebooks, threshold=0.6)
    assert {(p.question, frozenset((p.first, p.second))) for p in pairs if p.question == "q2"} == {
        ("q2", frozenset(("s00", "s06")))}
