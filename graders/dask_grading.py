"""Grading a batch on a Dask distributed cluster (``tfgrade autograde --scheduler tcp://HOST:PORT``).

Each submission becomes one task. A Dask worker machine grades it exactly as ``tfgrade grade`` would there: its own
judge process, its own sandboxed workers, its own stored reference answers. Only the notebook's bytes travel out and
only the grade (plain JSON data) travels back; the gradebook writes stay on the submitting machine.

Every grading machine must hold the same course (``TFGRADE_COURSE`` or this repository) and the same engine: a task
refuses to grade when the worker's assignment fingerprint differs from the submitter's, instead of grading against
other tests. Dask itself trusts the machines of its cluster (its messages may carry pickles between them): run the
scheduler and workers on machines you control, with TLS between them when they are not on one private network. The
submissions' code never runs outside a sandbox on any of them.
"""

from __future__ import annotations

import dataclasses
import tempfile
from concurrent.futures import Future
from pathlib import Path

from graders.course import load_assignment
from graders.grade import GradeResult, grade_notebook
from graders.judge.plugin import GradingError


def grade_on_worker(assignment_id: str, fingerprint: str, notebook_bytes: bytes, label: str,
                    sandboxed: bool) -> dict:
    """The task a Dask worker runs: grade one notebook here and return the grade as plain data.

    Raises:
        GradingError: this machine's course differs from the submitter's, or grading could not be done.
    """
    assignment = load_assignment(assignment_id)
    if assignment.fingerprint() != fingerprint:
        raise GradingError(f"this worker's copy of {assignment_id} (tests, reference or engine) differs from the "
                           f"submitting machine's; update it before grading here")
    answers = Path(tempfile.gettempdir()) / "tfgrade-reference" / assignment_id / fingerprint[:24]
    result = grade_notebook(notebook_bytes, assignment, sandboxed=sandboxed, name=label, reference_answers=answers)
    return result.to_json()


class DaskExecutor:
    """Submits a batch's submissions to a Dask cluster; each returns a ``concurrent.futures.Future`` of its grade."""

    def __init__(self, address: str, batch):
        from distributed import Client

        self.batch = batch
        self.client = Client(address, timeout="30s", set_as_default=False)

    def __enter__(self):
        return self.submit

    def __exit__(self, *exc):
        self.client.close()

    def submit(self, submission) -> Future:
        """Grades one submission on the cluster, or reads back its stored grade without sending it anywhere."""
        future: Future = Future()
        key = self.batch.result_key(submission)  # read once: to skip a stored grade, and to store the new one
        stored = self.batch.results.get(key) if key and not self.batch.force else None
        if stored is not None:
            future.set_result(dataclasses.replace(GradeResult.from_json(stored), reused=True))
            return future
        label = f"{submission.student}/{self.batch.assignment.id}"
        task = self.client.submit(grade_on_worker, self.batch.assignment.id, self.batch.fingerprint,
                                  submission.path.read_bytes(), label, self.batch.sandboxed, pure=False,
                                  key=f"tfgrade-{label}-{id(future)}")

        def settle(done):
            try:
                result = GradeResult.from_json(done.result())
            except BaseException as exc:  # the worker's error, or a malformed answer: this submission failed
                future.set_exception(exc if isinstance(exc, GradingError) else GradingError(f"on the cluster: {exc}"))
                return
            if key:
                self.batch.results.put(key, result.to_json())
            future.set_result(result)

        task.add_done_callback(settle)
        future.dask_task = task  # keeps the task alive until it is collected
        return future
