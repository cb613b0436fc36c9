"""The course as its people see it, in a real headless Chromium (Debian's, driven by Playwright).

One JupyterLab server on 127.0.0.1 (a random free port and token) over a graded mini course, with a student folder
holding a02's first question: a student's ``grader.check`` on a blank and on a solved question, the Validate button
on the solved notebook, formgrader's submission view with its per-question scores, a feedback page, and the class
report. Screenshots go to ``$TFGRADE_SCREENSHOTS`` (default: a temporary folder, named in the test's output).
"""

import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from graders import class_report
from graders.authoring import reference_sections
from graders.autograde import Batch
from graders.course import load_assignment
from graders.notebook import grade_id, read_notebook
from tests.conftest import BIN, ROOT, make_course, requires_bwrap

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.slow, requires_bwrap]
A02 = "a02_core_tensor_operations"
PAGE_TIMEOUT_MS = 240_000  # TensorFlow's import and the checks, on two shared cores


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _student_notebooks(folder: Path) -> None:
    """a02 trimmed to its set-up and question 1: as released (blank) and with q1 solved; its public tests beside."""
    assignment = load_assignment(A02)
    keep = {"intro", "otter_init", "setup", "q1_prompt", "q1_solution", "q1"}
    blank = read_notebook(assignment.release_notebook)
    blank.cells = [c for c in blank.cells if grade_id(c) in keep]
    solved = nbformat.from_dict(blank)
    for cell in solved.cells:
        if grade_id(cell) == "q1_solution":
            cell.source = reference_sections(assignment)["q1"].rstrip("\n")
    folder.mkdir()
    nbformat.write(blank, folder / "blank.ipynb")
    nbformat.write(solved, folder / "solved.ipynb")
    shutil.copytree(ROOT / "release" / A02 / "tests", folder / "tests")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The graded mini course, its feedback and report, the student folder, and a JupyterLab server over them."""
    course = make_course(tmp_path_factory.mktemp("browser"), 3)
    Batch("a00_mini", course=course, jobs=2).run()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("TFGRADE_COURSE", None)
    subprocess.run([str(BIN / "nbgrader"), "generate_feedback", "a00_mini"], cwd=course, env=env, check=True,
                   capture_output=True)
    report = class_report.write("a00_mini", course / "gradebook" / "reports" / "a00_mini", course=course)
    _student_notebooks(course / "student")
    port, token = _free_port(), secrets.token_hex(16)
    log = open(course / "jupyter.log", "w")  # noqa: SIM115 -- closed below
    server = subprocess.Popen(
        [str(BIN / "jupyter"), "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={course}", "--LabApp.news_url=",
         "--ServerApp.open_browser=False"], cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("jupyter lab did not start:\n"
                                       + (course / "jupyter.log").read_text()[-3000:]) from None
                time.sleep(1)
        shots = Path(os.environ.get("TFGRADE_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
        shots.mkdir(parents=True, exist_ok=True)
        print(f"screenshots in {shots}")
        yield {"course": course, "base": base, "token": token, "report": report, "shots": shots}
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: `make setup` installs Debian's chromium and chromium-driver")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    yield page
    context.close()


def _open(page, site, name: str):
    """The notebook alone in a fresh JupyterLab workspace, once its kernel is idle."""
    workspace = name.replace(".", "-") + secrets.token_hex(3)
    page.goto(f"{site['base']}/lab/workspaces/{workspace}/tree/student/{name}?reset&token={site['token']}")
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for()


def _run_all(page, site, name: str):
    _open(page, site, name)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_text("Run All Cells", exact=True).click()
    check = page.locator(".jp-Cell").filter(has=page.locator(".jp-InputArea", has_text='grader.check("q1")'))
    check.locator(".jp-OutputArea-output").last.wait_for()
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for()
    check.scroll_into_view_if_needed()
    return check


def test_a_students_check_on_a_blank_and_a_solved_question(page, site):
    blank = _run_all(page, site, "blank.ipynb")
    text = blank.inner_text()
    assert "q1 results" in text and "passed!" not in text
    stderr = blank.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert "q1: public tests failed: test_make_tensors_shapes_and_reproducibility" in stderr.inner_text()
    page.screenshot(path=str(site["shots"] / "1-check-blank.png"))
    solved = _run_all(page, site, "solved.ipynb")
    assert "q1 passed!" in solved.inner_text()
    assert solved.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    assert "cuInit" not in page.locator(".jp-Notebook").inner_text(), "TensorFlow's start-up lines must stay quiet"
    page.screenshot(path=str(site["shots"] / "2-check-solved.png"))


def test_the_validate_button_passes_a_correct_notebook(page, site):
    _open(page, site, "solved.ipynb")
    page.get_by_role("button", name="Validate").click()
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_text("Success! Your notebook passes all the tests.").wait_for()
    assert "VALIDATION FAILED" not in dialog.inner_text()
    page.screenshot(path=str(site["shots"] / "3-validate-solved.png"))


def test_formgrader_opens_a_submission_with_its_scores(page, site):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{site['course'] / 'gradebook' / 'gradebook.db'}") as gb:
        submission_id = gb.find_submission_notebook("a00_mini", "a00_mini", "s02").id
    started = time.monotonic()
    page.goto(f"{site['base']}/formgrader/submissions/{submission_id}/?token={site['token']}")
    page.wait_for_selector("#notebook-container, .cell")
    assert time.monotonic() - started < 30, "formgrader waited on the gradebook"
    text = page.inner_text("body")
    assert "Sorry, the formgrader encountered an error" not in text
    # s02: q1 wrong (0 of 4), q2 right (6 of 6): the scores nbgrader recorded, and the feedback under each grade cell
    assert "Score: 0 / 4" in text and "[FAIL] test_values_match" in text and "Score: 6 / 6" in text, text[-2000:]
    assert [o.strip() for o in page.locator(".output_area pre").all_inner_texts() if o.strip() in ("0.0", "6.0")] \
        == ["0.0", "6.0"]
    assert page.locator("input.score").count() == 2
    page.screenshot(path=str(site["shots"] / "4-formgrader-submission.png"), full_page=True)


def test_a_feedback_page(page, site):
    path = site["course"] / "gradebook" / "feedback" / "s01" / "a00_mini" / "a00_mini.html"
    page.goto(path.as_uri())
    text = page.inner_text("body")
    assert "Score: 0 / 4" in text and "[FAIL] test_values_match" in text and "NotImplementedError" in text
    page.screenshot(path=str(site["shots"] / "5-feedback.png"), full_page=True)


def test_the_report_page(page, site):
    page.goto(site["report"].as_uri())
    page.get_by_role("heading", name="Hidden tests failed most often").wait_for()
    sizes = page.locator("img[alt='plot']").evaluate_all("imgs => imgs.map(i => i.naturalWidth)")
    assert len(sizes) == 2 and all(width > 100 for width in sizes), sizes  # the embedded plots decode and render
    page.screenshot(path=str(site["shots"] / "6-report.png"), full_page=True)
    page.get_by_role("link", name="similarity.html").click()
    page.get_by_role("heading", name="a00_mini: similar solutions").wait_for()
    page.screenshot(path=str(site["shots"] / "7-similarity.png"), full_page=True)
