"""The inspector: a sandboxed worker where no student code runs, for the artefacts a student's code exported.

Loading a SavedModel, a ``.keras`` file or a ``.tflite`` model runs the student's graph, so no trusted process may do
it; loading it in the student's own worker would take the student's interpreter's word for what it computes. The
inspector runs only the course's code (the assignment's ``probes.py`` and the harness), under the same sandbox
profile as the other workers, and starts on first use: an assignment that never exports costs nothing. Each grading
has its own, so no student's artefact can change what another student's artefact is measured with.
"""

from __future__ import annotations

import numpy as np

from graders import wire
from graders.checks import CheckFailed
from graders.judge.remote import Remote


def copy_artefact(source: Remote, path: str, inspector: Remote) -> str:
    """Moves the file or folder ``path`` that ``source``'s code wrote into a fresh folder of ``inspector``.

    The judge carries the bytes and never opens them.

    Args:
        source: The worker that wrote the artefact (``student``, or ``reference`` for the like-for-like value).
        path: Its path in that worker, relative to the worker's working folder or absolute.
        inspector: The inspector fixture.

    Returns:
        The artefact's path in the inspector, for ``inspector.probe(...)`` or
        ``inspector.harness("artefact_ops", ...)``.

    Raises:
        CheckFailed: nothing (or not a plain file or folder) was written at ``path``.
    """
    try:
        data = source.harness("pack_artefact", path)
    except wire.StudentException as exc:
        raise CheckFailed(f"{path} could not be read back from your worker: {str(exc)[:300]}") from None
    if not (isinstance(data, np.ndarray) and data.dtype == np.uint8 and data.ndim == 1):
        raise CheckFailed(f"{path} could not be read back from your worker")
    return inspector.harness("unpack_artefact", data)
