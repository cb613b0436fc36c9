"""``tfgrade handout ID``: what a student downloads for one assignment.

A zip with one folder, ``<ID>/``, holding:

- ``<ID>.ipynb``: the released notebook (``release/<ID>/``, solutions removed by nbgrader);
- ``tests/qK.py``: the public tests that ``grader.check("qK")`` runs (otter looks for them in ``./tests`` beside the
  notebook; without them a check fails with "Test qK not found");
- ``requirements.txt``: the student environment (``requirements/student.txt``: the course's libraries, otter-grader
  and JupyterLab, pinned as the course's lock pins them, without the instructor's tools);
- ``README.md``: how to install, work, check and hand in.

Nothing else: no solutions, no reference module, no hidden tests, no manifest.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from graders.course import Assignment

README = """# {title} ({id})

This folder is the whole assignment: the notebook `{id}.ipynb`, its public tests (`tests/`) and the Python packages
it needs (`requirements.txt`). Keep them together.

## Set up once (Python 3.11)

    python3.11 -m venv ~/tfcourse
    ~/tfcourse/bin/pip install --upgrade pip
    ~/tfcourse/bin/pip install -r requirements.txt

The same environment serves every assignment of the course.

## Work

    ~/tfcourse/bin/jupyter lab {id}.ipynb

Run the first cells (they set things up), then write your code in each question's solution cell, where it says
`raise NotImplementedError()`. Keep the function and class names and signatures as given. Run the
`grader.check("qK")` cell under a question to run its public tests. They are a self-check: the grade comes from
hidden tests run on other inputs, with each question's points split over them.

## Hand in

Save, then hand in `{id}.ipynb` alone, under that name, the way your course says (the course's upload page, or
`nbgrader submit` where the course runs a JupyterHub). Do not rename it, and do not edit or delete the locked cells.
"""


def build(assignment: Assignment, out: Path) -> Path:
    """Writes the handout zip of an assignment from its committed release.

    Args:
        assignment: The assignment.
        out: The zip to write.

    Returns:
        The path written.

    Raises:
        FileNotFoundError: the release or the student requirements are missing.
    """
    release = assignment.root / "release" / assignment.id
    requirements = assignment.root / "requirements" / "student.txt"
    for needed in (assignment.release_notebook, requirements):
        if not needed.is_file():
            raise FileNotFoundError(f"{needed} is missing (run `nbgrader generate_assignment {assignment.id} --force`)")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.write(assignment.release_notebook, f"{assignment.id}/{assignment.id}.ipynb")
        for test in sorted((release / "tests").glob("*.py")):
            bundle.write(test, f"{assignment.id}/tests/{test.name}")
        bundle.write(requirements, f"{assignment.id}/requirements.txt")
        bundle.writestr(f"{assignment.id}/README.md", README.format(title=assignment.title, id=assignment.id))
    return out
