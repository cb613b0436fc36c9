"""tfgrade: a sandboxed autograder for the TensorFlow course.

The public facade is small: ``grade_notebook`` grades one notebook and returns a ``GradeResult``; ``load_assignment``
reads an assignment's manifest. Hidden tests use ``graders.checks`` and the fixtures of ``graders.judge.plugin``.
The package is imported inside the sandbox too (``graders.worker``), so nothing heavy is imported here.
"""

__all__ = ["grade_notebook", "GradeResult", "load_assignment"]


def __getattr__(name):
    if name in ("grade_notebook", "GradeResult"):
        from graders import grade

        return getattr(grade, name)
    if name == "load_assignment":
        from graders.course import load_assignment

        return load_assignment
    raise AttributeError(name)
