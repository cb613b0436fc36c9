"""Notebook-wide causes of failure: cells that change TensorFlow's global mode, found by reading the source.

A cell copied from a guide (``tf.config.run_functions_eagerly(True)``, a mixed-precision policy, disabled eager
execution, a device or thread setting) changes how every later call in the notebook runs, so hidden tests of other
questions fail with messages about the student's functions. The judge's side reads the submitted cells (trusted code,
``ast`` only: nothing is executed), finds such calls made when a cell runs (at its top level, or in a top-level
``if``/``for``/``with``/``try``; a call inside a function body runs only if something calls it, and is left alone), and
each failed test's message then names the cell and what it changed. A call that the reference makes the same way (in
a locked setup cell, say) is expected and not reported.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from graders import syntax

# final attribute name -> what it changes, for the note a student reads
_EFFECTS = {
    "run_functions_eagerly": "every tf.function runs eagerly, so nothing is traced into a graph",
    "experimental_run_functions_eagerly": "every tf.function runs eagerly, so nothing is traced into a graph",
    "set_global_policy": "Keras layers made afterwards compute in the policy's dtype (float16 or bfloat16)",
    "disable_eager_execution": "eager execution is off for the whole process: calls return symbolic graph tensors",
    "disable_v2_behavior": "TensorFlow 1 behaviour for the whole process: no eager execution, v1 control flow",
    "set_visible_devices": "the devices TensorFlow may use change for the whole process",
    "set_logical_device_configuration": "the devices TensorFlow sees change for the whole process",
    "set_virtual_device_configuration": "the devices TensorFlow sees change for the whole process",
    "set_soft_device_placement": "how ops are placed on devices changes for the whole process",
    "set_memory_growth": "how TensorFlow allocates device memory changes for the whole process",
    "set_intra_op_parallelism_threads": "TensorFlow's thread pools change for the whole process",
    "set_inter_op_parallelism_threads": "TensorFlow's thread pools change for the whole process",
    "set_floatx": "Keras' default float type changes for every layer made afterwards",
    "set_jit": "XLA compilation is switched for every function",
    "enable_op_determinism": "every op runs its deterministic (often slower) kernel",
}
_HARMLESS_ARGS = {"run_functions_eagerly": "False", "experimental_run_functions_eagerly": "False",
                  "set_global_policy": "'float32'", "set_floatx": "'float32'"}
_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


@dataclass(frozen=True)
class GlobalChange:
    """A call in a submitted cell that changes TensorFlow's global state."""

    cell: int  # the cell's position in the submitted notebook, from 1
    line: int
    call: str  # the call's source, as the student wrote it
    effect: str

    def note(self) -> str:
        """The sentence added to each failed test's message."""
        return (f"Note: cell {self.cell} (line {self.line}) runs `{self.call}` when the notebook runs: {self.effect}. "
                "That changes every question of the notebook, and may be why this test failed; remove it (or set it "
                "back) and check again.")


def _top_level_calls(tree: ast.AST):
    """Calls executed when the module runs: not those inside a function, class or lambda body."""
    todo = list(ast.iter_child_nodes(tree))
    while todo:
        node = todo.pop(0)
        if isinstance(node, _NESTED_SCOPES):
            continue
        if isinstance(node, ast.Call):
            yield node
        todo.extend(ast.iter_child_nodes(node))


def _name(func: ast.AST) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _changes(index: int, source: str) -> list[GlobalChange]:
    # IPython's magics and shell escapes are not Python: blank them, keeping the line numbers.
    source = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    try:
        tree = syntax.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # IPython magics or broken code: nothing that could be read is reported
    found = []
    for call in _top_level_calls(tree):
        name = _name(call.func)
        if name not in _EFFECTS:
            continue
        if name in _HARMLESS_ARGS and len(call.args) == 1 and ast.unparse(call.args[0]) == _HARMLESS_ARGS[name]:
            continue  # setting the default back
        text = ast.get_source_segment(source, call) or ast.unparse(call)
        found.append(GlobalChange(index + 1, call.lineno, " ".join(text.split())[:160], _EFFECTS[name]))
    return sorted(found, key=lambda change: (change.line, change.call))


def global_changes(cells, reference_cells=()) -> list[GlobalChange]:
    """The calls in ``cells`` that change TensorFlow's global state, less those the reference makes the same way.

    Args:
        cells: The submission's executable cells (``graders.judge.remote.Cell``: index, source, question).
        reference_cells: The reference's cells; a call whose text it also makes is expected.
    """
    expected = {change.call for cell in reference_cells for change in _changes(cell.index, cell.source)}
    return [change for cell in cells for change in _changes(cell.index, cell.source) if change.call not in expected]
