"""The documentation: every relative link resolves inside the repository, and nothing points outside a clone."""

import re
from pathlib import Path

from tests.conftest import ROOT

DOCS = [ROOT / "README.md", ROOT / "SECURITY.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def _links(path: Path) -> list[str]:
    text = FENCE.sub("", path.read_text())
    return [target for target in LINK.findall(text) if not re.match(r"^[a-z][a-z0-9+.-]*:", target)]


def _anchors(path: Path) -> set[str]:
    anchors = set()
    for heading in re.findall(r"^#+\s+(.+)$", FENCE.sub("", path.read_text()), re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


def test_every_relative_link_resolves_inside_the_repository():
    broken = []
    for doc in DOCS:
        for target in _links(doc):
            file_part, _, anchor = target.partition("#")
            resolved = (doc.parent / file_part).resolve() if file_part else doc
            if not resolved.is_relative_to(ROOT) or not resolved.exists():
                broken.append(f"{doc.relative_to(ROOT)}: {target}")
            elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
                broken.append(f"{doc.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, broken
    assert sum(len(_links(doc)) for doc in DOCS) >= 10, "the link pattern found (almost) nothing: is it still right?"


def test_nothing_refers_to_files_outside_a_clone():
    outside = [f"{doc.relative_to(ROOT)}:{n}" for doc in DOCS
               for n, line in enumerate(doc.read_text().splitlines(), 1) if "../shared" in line]
    assert not outside, outside


def test_the_docs_the_readme_promises_exist_and_are_linked():
    readme = ROOT.joinpath("README.md").read_text()
    for name in ("docs/design.md", "docs/authoring.md", "docs/instructors.md", "docs/students.md"):
        assert (ROOT / name).is_file() and f"]({name})" in readme, name


def test_the_student_requirements_are_current_and_hold_no_instructor_tools():
    from scripts.student_requirements import render

    text = (ROOT / "requirements" / "student.txt").read_text()
    assert text == render(), "run .venv/bin/python scripts/student_requirements.py"
    names = {line.split("==")[0].lower().replace("_", "-") for line in text.splitlines() if "==" in line}
    assert {"tensorflow", "otter-grader", "jupyterlab", "tf-keras"} <= names
    assert not names & {"nbgrader", "dask", "distributed", "psycopg", "pytest", "ruff", "playwright", "copydetect"}
