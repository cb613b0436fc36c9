"""``tfgrade autograde``: parallel batches into nbgrader's gradebook, resumable after a kill, and on a Dask cluster."""

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from graders import submissions
from graders.autograde import Batch
from graders.course import load_assignment
from graders.grade import grade_notebook
from graders.judge import replay
from graders.judge.replay import Priming, ReplayingRemote
from graders.judge.worker_process import WorkerConfig
from graders.notebook import grade_id, read_notebook
from graders.store import JsonStore
from tests.conftest import EXPECTED, ROOT, exported, make_course, requires_bwrap

pytestmark = requires_bwrap
BIN = Path(sys.executable).parent
def test_a_batch_grades_every_submission_into_the_gradebook(batch_course):
    course, summary = batch_course
    want = {f"s{k:02d}": EXPECTED[k % 3] for k in range(6)}
    assert {o.student: o.score for o in summary.outcomes} == want
    assert exported(course) == want
    assert (course / "gradebook/autograded/s00/a00_mini/a00_mini.ipynb").is_file()
    ledger = JsonStore(course / "gradebook/.tfgrade/ledger/a00_mini")
    entries = [ledger.get(f"s{k:02d}") for k in range(6)]
    assert all(e["state"] == "recorded" for e in entries)
    assert not any(e["regraded_by_nbgrader"] for e in entries), "nbgrader's step should read the stored grades"
    assert len(JsonStore(course / "gradebook/.tfgrade/results").keys()) == 3, "identical notebooks grade once"
    assert "graded now" in summary.render() and "median" in summary.render()


def test_a_second_run_grades_nothing_and_force_grades_again(batch_course):
    course, _ = batch_course
    again = Batch("a00_mini", course=course, jobs=2).run()
    assert [o.status for o in again.outcomes] == ["skipped"] * 6 and again.graded_now == 0
    forced = Batch("a00_mini", course=course, jobs=2, force=True, students=["s01"]).run()
    assert [(o.student, o.status, o.score, o.reused) for o in forced.outcomes] == [("s01", "recorded", 0.0, False)]
    assert exported(course)["s01"] == 0.0


def test_a_changed_submission_is_graded_again(batch_course):
    course, _ = batch_course
    assignment = load_assignment("a00_mini", course)
    nbformat.write(submissions.with_sections(assignment),
                   course / "gradebook/submitted/s04/a00_mini/a00_mini.ipynb")  # s04 was blank
    summary = Batch("a00_mini", course=course, jobs=2).run()
    assert {o.student: o.status for o in summary.outcomes if o.status != "skipped"} == {"s04": "recorded"}
    assert exported(course)["s04"] == 10.0


def test_notebooks_nbgrader_refuses_or_that_lost_grade_cells_are_still_recorded(tmp_path):
    course = make_course(tmp_path, 3)  # s00 correct, s01 blank, s02 q1 wrong
    submitted = course / "gradebook/submitted"
    (submitted / "s01/a00_mini/a00_mini.ipynb").write_bytes(b'{"cells": [')  # not JSON: nbgrader cannot read it
    wrong_q1 = submitted / "s02/a00_mini/a00_mini.ipynb"
    notebook = read_notebook(wrong_q1)
    notebook.cells = [c for c in notebook.cells if grade_id(c) not in ("q1", "q2")]  # both grade cells deleted
    nbformat.write(notebook, wrong_q1)
    summary = Batch("a00_mini", course=course, jobs=2).run()
    assert [o.status for o in summary.outcomes] == ["recorded"] * 3
    assert exported(course) == {"s00": 10.0, "s01": 0.0, "s02": 6.0}
    assert summary.outcomes[1].reasons == {"q1": "invalid_notebook", "q2": "invalid_notebook"}
    assert "nbgrader refused the notebook" in summary.outcomes[1].note and "NOTE s01" in summary.render()
    autograded = read_notebook(course / "gradebook/autograded/s02/a00_mini/a00_mini.ipynb")
    assert {"q1", "q2"} <= {grade_id(c) for c in autograded.cells}, "the deleted grade cells are restored"


def test_unknown_students_are_named(batch_course):
    course, _ = batch_course
    with pytest.raises(LookupError, match="nobody"):
        Batch("a00_mini", course=course, students=["nobody"]).run()


def _graders_of(course: Path) -> list[str]:
    """Processes grading in ``course``: judges (forked by the judge server, they run in the course folder) and the
    sandboxes they start, whose command lines name the course's files."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cwd = os.readlink(proc / "cwd")
            args = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            zombie = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
        except OSError:
            continue
        if int(proc.name) != os.getpid() and not zombie and (cwd.startswith(str(course)) or str(course) in args):
            found.append(f"{proc.name} {args[:200]}")
    return found


@pytest.mark.slow
def test_a_batch_killed_mid_way_resumes_without_grading_anything_twice(tmp_path):
    course = make_course(tmp_path, 6)
    env = dict(os.environ, TFGRADE_COURSE=str(course), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([str(BIN / "tfgrade"), "autograde", "a00_mini", "--jobs", "1"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    ledger = JsonStore(course / "gradebook/.tfgrade/ledger/a00_mini")
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and sum(ledger.get(k)["state"] == "recorded" for k in ledger.keys()) < 2:
        time.sleep(0.2)
    while time.monotonic() < deadline and not _graders_of(course):
        time.sleep(0.05)
    assert _graders_of(course), "a judge of the batch should be running when it is killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    recorded_before = {k for k in ledger.keys() if ledger.get(k)["state"] == "recorded"}
    assert len(recorded_before) >= 2
    time.sleep(2)
    assert _graders_of(course) == [], "a judge or sandbox outlived the killed batch"
    # What a kill can leave behind: a half-written record is never taken for a result.
    pending = sorted({f"s{k:02d}" for k in range(6)} - recorded_before)
    (ledger.folder / f"{pending[0]}.json").write_text('{"sha256": "x", "record": {"state": "reco')
    results = JsonStore(course / "gradebook/.tfgrade/results")
    for key in results.keys():
        results.path(key).write_text(results.path(key).read_text()[:40])
    summary = Batch("a00_mini", course=course, jobs=2).run()
    statuses = {o.student: o.status for o in summary.outcomes}
    assert {s for s, status in statuses.items() if status == "skipped"} == recorded_before
    assert all(statuses[s] == "recorded" for s in pending)
    assert exported(course) == {f"s{k:02d}": EXPECTED[k % 3] for k in range(6)}


def test_reference_answers_are_replayed_with_the_same_grades(mini, tmp_path):
    answers = tmp_path / "answers"
    first = grade_notebook(mini.source_notebook, mini, reference_answers=answers)
    second = grade_notebook(mini.source_notebook, mini, reference_answers=answers)
    assert first.reference["stored"] > 0 and first.reference["replayed"] == 0
    assert second.reference["replayed"] == first.reference["stored"] and second.reference["stored"] == 0
    assert first.score == second.score == mini.max_score
    notebook = read_notebook(mini.source_notebook)
    for cell in notebook.cells:
        if (grade_id(cell) or "").endswith("_solution"):
            cell.source = "raise NotImplementedError()"
    blank = grade_notebook(notebook, mini, reference_answers=answers)
    assert blank.score == 0 and not blank.reference["started"], "a blank notebook needs no live reference"


def test_judges_that_start_together_share_one_live_reference(mini, tmp_path):
    answers = tmp_path / "answers"
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: grade_notebook(mini.source_notebook, mini, reference_answers=answers),
                                range(2)))
    assert [r.score for r in results] == [mini.max_score] * 2
    leader, follower = sorted(results, key=lambda r: -r.reference["stored"])
    assert leader.reference["started"] and leader.reference["stored"] > 0
    # The mini's q2 returns a remote object, which is never stored: both judges need a live worker there. Every
    # answer that can be stored, the follower read from the leader instead of computing it again.
    assert follower.reference["stored"] == 0, "the second judge should read the leader's answers"
    assert follower.reference["replayed"] == leader.reference["stored"]
    assert (answers / ".primed").exists()
    later = grade_notebook(mini.source_notebook, mini, reference_answers=answers)
    assert later.reference["replayed"] == leader.reference["stored"] and later.reference["followed"] == 0


def test_priming_has_one_leader_and_followers_wait_only_while_it_may_answer(tmp_path):
    leader, follower = Priming(tmp_path), Priming(tmp_path)
    assert leader.begin() == "leader" and follower.begin() == "follower"
    leader.at_test(11)
    assert follower.leader_may_still_answer(11), "the leader is on this test"
    assert follower.leader_may_still_answer(12), "the leader has not reached this test yet"
    leader.at_test(12)
    assert not follower.leader_may_still_answer(11), "the leader moved past this test without answering"
    leader.finish()
    assert not follower.leader_may_still_answer(12), "the leader is gone"
    assert Priming(tmp_path).begin() == "primed"


def test_a_follower_stops_waiting_for_a_slow_leader_after_its_budget(tmp_path, monkeypatch):
    leader = Priming(tmp_path)
    assert leader.begin() == "leader"
    leader.at_test(7)
    follower = ReplayingRemote("reference", WorkerConfig(assignment="a00_mini", sandboxed=False), [],
                               cell_timeout=10, call_timeout=10, answers=JsonStore(tmp_path))
    assert follower.priming.begin() == "follower"
    follower.reseed(7)
    monkeypatch.setattr(replay, "FOLLOW_BUDGET_S", 0.3)
    started = time.monotonic()
    assert follower._leaders_answer("never-stored") is None
    assert 0.3 <= time.monotonic() - started < 5, "the follower waits its budget, then asks a live worker"
    JsonStore(tmp_path).put("stored-later", {"x": 1})
    assert follower._leaders_answer("stored-later") == {"x": 1}, "a stored answer is still read after the budget"
    leader.finish()


def test_a_leader_that_dies_leaves_the_lead_to_the_next_judge(tmp_path):
    script = ("import sys, time\nfrom graders.judge.replay import Priming\n"
              f"print(Priming({str(tmp_path)!r}).begin(), flush=True)\ntime.sleep(600)\n")
    dying = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                             env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        assert dying.stdout.readline().strip() == "leader"
        follower = Priming(tmp_path)
        assert follower.begin() == "follower" and follower.leader_may_still_answer(1)
    finally:
        dying.kill()
        dying.wait()
    assert not follower.leader_may_still_answer(1), "a killed leader's lock is released by the kernel"
    assert Priming(tmp_path).begin() == "leader", "an unfinished store is not primed"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_a_batch_on_a_dask_cluster(tmp_path):
    course = make_course(tmp_path, 4)
    env = dict(os.environ, TFGRADE_COURSE=str(course), PYTHONPATH=str(ROOT))
    address = f"tcp://127.0.0.1:{_free_port()}"
    logs = tmp_path / "logs"
    logs.mkdir()
    cluster = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port",
                                 address.rsplit(":", 1)[1], "--no-dashboard"], env=env,
                                stdout=open(logs / "scheduler.log", "w"), stderr=subprocess.STDOUT)]
    try:
        for name in ("w1", "w2"):
            cluster.append(subprocess.Popen([str(BIN / "dask"), "worker", address, "--nthreads", "1", "--name",
                                             name, "--no-dashboard"], env=env,
                                            stdout=open(logs / f"{name}.log", "w"), stderr=subprocess.STDOUT))
        from distributed import Client, get_task_stream

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
            with get_task_stream(client) as stream:
                summary = Batch("a00_mini", course=course, scheduler=address).run()
        want = {f"s{k:02d}": EXPECTED[k % 3] for k in range(4)}
        assert {o.student: o.score for o in summary.outcomes} == want
        assert exported(course) == want
        assert len({task["worker"] for task in stream.data}) == 2, "both Dask workers should have graded"
    finally:
        for process in reversed(cluster):
            process.terminate()
        for process in cluster:
            process.wait(timeout=30)


@pytest.mark.slow
def test_concurrent_graders_on_one_sqlite_gradebook_lose_no_grade(tmp_path):
    course = make_course(tmp_path, 6)
    env = dict(os.environ, TFGRADE_COURSE=str(course), PYTHONPATH=str(ROOT))
    graders = [subprocess.Popen([str(BIN / "tfgrade"), "autograde", "a00_mini", "--jobs", "1",
                                 "--student", f"s{k:02d}", "--student", f"s{k + 3:02d}"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for k in range(3)]
    outputs = [g.communicate(timeout=900)[0] for g in graders]
    assert [g.returncode for g in graders] == [0, 0, 0], outputs
    assert exported(course) == {f"s{k:02d}": EXPECTED[k % 3] for k in range(6)}
