"""The judge launcher: judges forked from a warm server run pytest as a fresh process would, and die with us."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from graders.judge import launcher

ROOT = Path(__file__).resolve().parent.parent


def _suite(tmp_path: Path, body: str) -> list[str]:
    """pytest arguments for a one-file suite of its own (no project configuration applies)."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_it.py").write_text(textwrap.dedent(body))
    return ["-c", str(tmp_path / "pytest.ini"), "-p", "no:cacheprovider", "-q", str(tmp_path)]


def _gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # a zombie still answers kill(0): it is gone once its state says so
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return True
        except OSError:
            return True
        time.sleep(0.05)
    return False


def test_a_judge_runs_pytest_in_its_folder_with_the_judge_environment(tmp_path):
    argv = _suite(tmp_path, """
        import os, sys

        def test_environment():
            assert os.getcwd() == os.environ["EXPECTED_CWD"]
            assert os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] == "1"
            assert not any(k.startswith("TF_") for k in os.environ)
            assert sys.stdin.read() == ""
            print("judge output reaches the log")
    """)
    os.environ["EXPECTED_CWD"] = str(tmp_path)
    try:
        judge = launcher.start_judge(argv + ["-s"], str(tmp_path), str(tmp_path / "judge.log"))
        assert judge.wait(120) == 0, (tmp_path / "judge.log").read_text()
    finally:
        del os.environ["EXPECTED_CWD"]
    log = (tmp_path / "judge.log").read_text()
    assert "judge output reaches the log" in log and "1 passed" in log
    assert judge.pid not in (None, os.getpid())


@pytest.mark.parametrize("body, status", [
    ("def test_fails():\n    assert False\n", 1),
    ("import os\n\ndef test_exits():\n    os._exit(3)\n", 3),
    ("import os, signal\n\ndef test_killed():\n    os.kill(os.getpid(), signal.SIGKILL)\n", -signal.SIGKILL),
])
def test_a_judge_reports_how_it_ended(tmp_path, body, status):
    judge = launcher.start_judge(_suite(tmp_path, body), str(tmp_path), str(tmp_path / "judge.log"))
    assert judge.wait(120) == status


def test_judges_run_side_by_side_and_each_gets_its_own_status(tmp_path):
    judges = []
    for k in range(3):
        folder = tmp_path / f"suite{k}"
        folder.mkdir()
        body = f"import time\n\ndef test_it():\n    time.sleep(0.5)\n    assert {k} != 1\n"
        judges.append(launcher.start_judge(_suite(folder, body), str(folder), str(folder / "judge.log")))
    assert [j.wait(120) for j in judges] == [0, 1, 0]
    assert len({j.pid for j in judges}) == 3


def test_kill_ends_a_judge_that_overruns(tmp_path):
    judge = launcher.start_judge(_suite(tmp_path, "import time\n\ndef test_sleeps():\n    time.sleep(600)\n"),
                                 str(tmp_path), str(tmp_path / "judge.log"))
    assert judge.wait(1.0) is None
    judge.kill()
    assert judge.returncode == -signal.SIGKILL
    assert _gone(judge.pid)


def test_an_unwritable_log_is_a_start_error_not_a_hang(tmp_path):
    judge = launcher.start_judge(_suite(tmp_path, "def test_ok():\n    pass\n"), str(tmp_path),
                                 str(tmp_path / "no such folder" / "judge.log"))
    assert judge.wait(30) == -1
    assert "cannot open the judge's output" in judge.error


def test_the_server_and_its_judges_die_with_the_grading_process(tmp_path):
    argv = _suite(tmp_path, "import time\n\ndef test_sleeps():\n    time.sleep(600)\n")
    script = textwrap.dedent(f"""
        import sys, time
        from graders.judge import launcher
        judge = launcher.start_judge({argv!r}, {str(tmp_path)!r}, {str(tmp_path / "judge.log")!r})
        while judge.pid is None:
            time.sleep(0.01)
        print(launcher.warm_up().proc.pid, judge.pid, flush=True)
        time.sleep(600)
    """)
    grader = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                              env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        server_pid, judge_pid = map(int, grader.stdout.readline().split())
        assert not _gone(judge_pid, timeout=0.5), "the judge should be running"
    finally:
        grader.send_signal(signal.SIGKILL)
        grader.wait()
    assert _gone(server_pid), "the judge server outlived the grading process"
    assert _gone(judge_pid), "a judge outlived the grading process"


def test_an_idle_server_loads_what_a_judge_named_for_the_judges_after_it(tmp_path):
    wanted = ("scipy.special", "sklearn.metrics")
    argv = _suite(tmp_path, f"""
        import sys

        def test_preloaded():
            assert all(name in sys.modules for name in {wanted!r})
    """)
    deadline = time.monotonic() + 120
    while True:  # the server imports them between requests; a judge forked after that has them without importing
        judge = launcher.start_judge(argv, str(tmp_path), str(tmp_path / "judge.log"), preload=wanted)
        if judge.wait(120) == 0:
            break
        assert time.monotonic() < deadline, (tmp_path / "judge.log").read_text()[-2000:]
        time.sleep(1.0)


def test_a_suite_names_the_libraries_it_imports():
    from graders.grade import suite_imports

    imports = suite_imports(ROOT / "hidden_tests" / "a22_tensorflow_extended")
    assert "sklearn.metrics" in imports and "graders" in imports
