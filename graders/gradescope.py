"""``tfgrade gradescope ID``: pack an assignment as a Gradescope autograder (``autograder.zip``).

Gradescope builds an image from the zip by running its ``setup.sh`` and runs ``run_autograder`` for every
submission, which must write ``/autograder/results/results.json``. Both scripts live in ``docs/gradescope/``; the zip
holds them at its root beside what grading that one assignment needs: the engine (``graders/``), the pinned stack
(``requirements/lock.txt``, ``pyproject.toml``), and the assignment's source folder, reference module and hidden
tests. Nothing of any other assignment goes in.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from graders.course import Assignment
from graders.exports import GRADESCOPE_VISIBILITY

SCRIPTS = ("setup.sh", "run_autograder")
ENGINE_REPO = Path(__file__).resolve().parent.parent  # the scripts and the pinned stack come with the engine


def _files(assignment: Assignment) -> list[tuple[Path, str]]:
    root = assignment.root
    engine = Path(__file__).resolve().parent
    found = [(path, "graders/" + str(path.relative_to(engine))) for path in sorted(engine.rglob("*"))
             if path.is_file() and "__pycache__" not in path.parts]
    for folder in (assignment.source_dir, assignment.hidden_tests):
        found += [(path, str(path.relative_to(root))) for path in sorted(folder.rglob("*"))
                  if path.is_file() and "__pycache__" not in path.parts and ".ipynb_checkpoints" not in path.parts]
    found += [(ENGINE_REPO / name, name) for name in ("pyproject.toml", "requirements/lock.txt")]
    found.append((assignment.reference_module, f"reference/{assignment.id}.py"))
    return found


def package(assignment: Assignment, out: Path, *, visibility: str = "after_published", sandbox: bool = True) -> Path:
    """Writes the Gradescope autograder zip of one assignment.

    Args:
        assignment: The assignment.
        out: The zip to write.
        visibility: When students see the hidden tests' names and messages (see ``exports.write_gradescope``).
        sandbox: Grade under bubblewrap in Gradescope's container (the default). Without it the container is the only
            isolation, and a submission can read the hidden tests and reference packed beside it.

    Returns:
        The path written.
    """
    if visibility not in GRADESCOPE_VISIBILITY:
        raise ValueError(f"visibility must be one of {', '.join(GRADESCOPE_VISIBILITY)}, not {visibility!r}")
    scripts = ENGINE_REPO / "docs" / "gradescope"
    out = Path(out)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in SCRIPTS:
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o100755 << 16  # executable, as Gradescope runs them
            bundle.writestr(info, (scripts / name).read_bytes())
        for path, name in _files(assignment):
            bundle.write(path, name)
        bundle.writestr("ASSIGNMENT", assignment.id + "\n")
        bundle.writestr("VISIBILITY", visibility + "\n")
        bundle.writestr("SANDBOX", ("on" if sandbox else "off") + "\n")
    return out
