"""``tfgrade handout``: what a student downloads is enough to work and self-check, and holds nothing hidden."""

import os
import subprocess
import zipfile

import pytest
from nbclient import NotebookClient

from graders.authoring import reference_sections
from graders.course import load_assignment
from graders.notebook import grade_id, read_notebook
from tests.conftest import BIN, ROOT

A02 = "a02_core_tensor_operations"


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    out = tmp_path_factory.mktemp("handout")
    proc = subprocess.run([str(BIN / "tfgrade"), "handout", A02, "--out", str(out)], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    return out / f"{A02}.zip"


def test_the_zip_holds_the_notebook_its_public_tests_and_the_student_environment(handout):
    with zipfile.ZipFile(handout) as bundle:
        names = set(bundle.namelist())
        notebook = bundle.read(f"{A02}/{A02}.ipynb").decode()
        requirements = bundle.read(f"{A02}/requirements.txt").decode()
    assert names == {f"{A02}/{A02}.ipynb", f"{A02}/README.md", f"{A02}/requirements.txt",
                     *(f"{A02}/tests/q{k}.py" for k in range(1, 7))}
    assert notebook == (ROOT / "release" / A02 / f"{A02}.ipynb").read_text()
    assert "BEGIN SOLUTION" not in notebook and "tensorflow==2.18.1" in requirements
    assert "nbgrader" not in requirements.lower()


@pytest.mark.slow
def test_a_student_with_only_the_handout_can_run_the_checks(handout, tmp_path):
    with zipfile.ZipFile(handout) as bundle:
        bundle.extractall(tmp_path)
    folder = tmp_path / A02
    notebook = read_notebook(folder / f"{A02}.ipynb")
    for cell in notebook.cells:
        if grade_id(cell) == "q1_solution":
            cell.source = reference_sections(load_assignment(A02))["q1"]
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(folder)}})
    client.execute(env={k: v for k, v in os.environ.items() if not k.startswith(("TFGRADE", "TF_CPP"))})
    checks = {grade_id(c): "".join(o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in c.outputs)
              for c in notebook.cells if (grade_id(c) or "") in {f"q{k}" for k in range(1, 7)}}
    assert "q1 results: All test cases passed!" in checks["q1"], checks["q1"]
    for question in ("q2", "q3", "q4", "q5", "q6"):
        assert f"{question}: public tests failed" in checks[question] and "not found" not in checks[question]
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors[0].get("evalue")
    assert not any("cuInit" in text for text in checks.values())
