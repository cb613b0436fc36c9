"""Parsing Python source from several threads at once.

CPython 3.11 turns a parse tree into ``ast`` objects with one recursion counter per interpreter, not per thread, so two
threads parsing at the same moment can fail with ``SystemError: AST constructor recursion depth mismatch``
(python/cpython#106905). Gradings run in threads (``tfgrade autograde --jobs``, ``tfgrade mutants -j``, the test
sweep) and read the submitted cells with ``ast``: every parse of the engine goes through one lock.
"""

from __future__ import annotations

import ast
import threading

_LOCK = threading.Lock()


def parse(source: str | bytes, filename: str = "<unknown>", mode: str = "exec", **kwargs) -> ast.AST:
    """``ast.parse``, one thread at a time."""
    with _LOCK:
        return ast.parse(source, filename, mode, **kwargs)
