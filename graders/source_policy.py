"""The source policy: what a submission's cells may not name, found by the judge reading them (``ast`` only).

Facts about a student's code (which library routines a call reached, the ops of a traced graph, a tracing count, a
layer count) are observed inside the student's own worker, so code in the same process can forge them: turn the
profiler off, patch the harness or the probes through ``sys.modules``, call a routine through a copy of its code
object, fake a frame. No solution of this course needs any of those tools. The judge therefore parses the submitted
cells, never executing them, and

- finds the *tampering tools* (``TAMPERING_NAMES``, ``TAMPERING_ATTRIBUTES``, dynamic lookups aimed at them); while
  the submission holds one, no fact reported by the student's worker is believed: every structural check fails,
  naming the cell and line (``graders.judge.remote.Remote`` enforces it), and the grading summary lists the hits;
- finds, per check, the library routines a question forbids (``forbidden_uses``): the runtime profiler in the worker
  stays as a second layer, for what the source cannot show (a routine reached through another library).

Cells whose text is exactly a reference cell (the locked setup, restored from the source notebook) are the course's
own and are not read.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from graders import syntax

# Imported names that no solution needs, with why each one is a tampering tool.
TAMPERING_NAMES = {
    "sys.setprofile": "turns the profiler off", "sys.settrace": "replaces the tracer",
    "threading.setprofile": "turns the profiler off in threads", "threading.settrace": "replaces the tracer",
    "sys.modules": "reaches the grader's modules", "sys._getframe": "reads the grader's frames",
    "sys._current_frames": "reads the grader's frames", "sys.getprofile": "reads the profiler",
    "sys.gettrace": "reads the tracer", "inspect.currentframe": "reads the grader's frames",
    "inspect.stack": "reads the grader's frames", "inspect.getouterframes": "reads the grader's frames",
    "inspect.unwrap": "sees through the library's wrappers", "types.FunctionType": "rebuilds functions from code",
    "types.CodeType": "rebuilds code objects", "gc.get_referrers": "finds the grader's objects",
    "gc.get_referents": "finds the grader's objects", "gc.get_objects": "finds the grader's objects",
    "ctypes": "writes to memory", "importlib": "imports by computed name", "builtins": "replaces built-in functions",
    "eval": "runs code hidden in a string", "exec": "runs code hidden in a string",
    "compile": "builds code from a string", "__import__": "imports by computed name",
    "globals": "rewrites names behind the grader", "vars": "reads objects' internals",
    "__builtins__": "replaces built-in functions", "operator.attrgetter": "looks attributes up by a string",
    "operator.methodcaller": "calls methods by a string", "marshal": "rebuilds code objects",
}
# The last part of a tampering name that is distinctive enough to catch it under any alias (``s = sys; s.settrace``).
DISTINCTIVE = {"setprofile", "settrace", "getprofile", "gettrace", "_getframe", "_current_frames", "modules",
               "get_referrers", "get_referents", "get_objects", "currentframe", "getouterframes", "FunctionType",
               "CodeType", "attrgetter", "methodcaller"}
# Attributes that copy, rebuild or walk code and frames.
TAMPERING_ATTRIBUTES = {
    "__code__": "copies a function's code object", "__globals__": "reaches a function's module",
    "__closure__": "reaches a function's closure", "__builtins__": "replaces built-in functions",
    "__subclasses__": "walks the interpreter's classes", "__wrapped__": "sees through the library's wrappers",
    "f_back": "walks the grader's frames", "f_globals": "reads the grader's frames",
    "f_locals": "reads the grader's frames", "f_code": "reads the grader's frames", "tb_frame": "reads frames",
    "gi_frame": "reads frames", "cr_frame": "reads frames", "__self__": "reaches a bound method's owner",
    "__dict__": "reads an object's namespace by key", "__getattribute__": "looks attributes up past the policy",
}
_DYNAMIC = {"getattr", "setattr", "delattr"}  # hasattr answers a yes or no: it hands nothing over
# Honest notebooks ask whether a name exists (``"model" in globals()``) or read one by its literal name.
_NAMESPACES = {"globals", "vars", "locals"}
# Common aliases, so that a forbidden ``tf.linalg.matmul`` is the same name as ``tensorflow.linalg.matmul``.
_CANONICAL = {"tf": "tensorflow", "np": "numpy", "tfp": "tensorflow_probability", "keras": "keras"}


@dataclass(frozen=True)
class Hit:
    """A place in a submitted cell that the policy does not allow."""

    cell: int  # the cell's position in the submitted notebook, from 1
    line: int
    what: str  # the name as the student wrote it, or the dynamic lookup
    why: str
    key: str = ""  # the tool, as the policy names it: what a question's reference may also use

    def message(self) -> str:
        return f"cell {self.cell}, line {self.line}: `{self.what}` ({self.why})"


def canonical(dotted: str) -> str:
    head, _, rest = dotted.partition(".")
    head = _CANONICAL.get(head, head)
    return f"{head}.{rest}" if rest else head


class _Reader(ast.NodeVisitor):
    """Resolves names through the cell's imports and reports each dotted reference once, with its line."""

    def __init__(self, aliases: dict[str, str]):
        self.aliases = aliases
        self.references: list[tuple[int, str, str]] = []  # (line, as written, resolved)
        self.dynamic: list[tuple[int, str, str]] = []  # (line, as written, why)
        self.strings: list[tuple[int, str]] = []

    def visit_Import(self, node):
        for alias in node.names:
            self.aliases[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else \
                alias.name.split(".")[0]
            self.references.append((node.lineno, f"import {alias.name}", alias.name))

    def visit_ImportFrom(self, node):
        for alias in node.names:
            full = f"{node.module or ''}.{alias.name}".lstrip(".")
            self.aliases[alias.asname or alias.name] = full
            self.references.append((node.lineno, f"from {node.module} import {alias.name}", full))

    def _dotted(self, node) -> tuple[str, str] | None:
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        written = ".".join([node.id, *reversed(parts)])
        return written, ".".join([self.aliases.get(node.id, node.id), *reversed(parts)])

    def visit_Attribute(self, node):
        dotted = self._dotted(node)
        if dotted:
            self.references.append((node.lineno, *dotted))
        else:
            self.references.append((node.lineno, f"….{node.attr}", f"?.{node.attr}"))
            self.generic_visit(node)

    def visit_Name(self, node):
        self.references.append((node.lineno, node.id, self.aliases.get(node.id, node.id)))

    def visit_Constant(self, node):
        if isinstance(node.value, str):
            self.strings.append((node.lineno, node.value))

    def visit_Call(self, node):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name in _DYNAMIC and len(node.args) >= 2:
            attribute = node.args[1]
            if isinstance(attribute, ast.Constant) and isinstance(attribute.value, str):
                owner = self._dotted(node.args[0]) or (ast.unparse(node.args[0])[:40], "?")
                self.references.append((node.lineno, f"{name}({owner[0]}, {attribute.value!r})",
                                        f"{owner[1]}.{attribute.value}"))
            elif not _harmless_prefix(attribute):
                self.dynamic.append((node.lineno, f"{name}(…, {ast.unparse(attribute)[:60]})",
                                     "looks an attribute up by a computed name"))
        self.generic_visit(node)

    def visit_Compare(self, node):
        # `"model" in globals()`: a membership test reads no value out of the namespace.
        if all(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
            self.visit(node.left)
            for right in node.comparators:
                if not _namespace_call(right):
                    self.visit(right)
            return
        self.generic_visit(node)

    def visit_Subscript(self, node):
        # `globals()["model"]`: a literal key that names no tampering tool.
        if _namespace_call(node.value) and isinstance(node.slice, ast.Constant) and \
                isinstance(node.slice.value, str) and not _tampering_attribute(node.slice.value):
            self.strings.append((node.lineno, node.slice.value))
            return
        self.generic_visit(node)


def _namespace_call(node) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _NAMESPACES \
        and not node.args and not node.keywords


def _tampering_attribute(name: str) -> bool:
    return name.startswith("_") or name in TAMPERING_ATTRIBUTES or name in DISTINCTIVE or any(
        tool.rsplit(".", 1)[-1] == name for tool in TAMPERING_NAMES)


def _harmless_prefix(node) -> bool:
    """Whether a computed attribute name starts with literal text that no tampering attribute starts with.

    ``getattr(self, f"dense_{i}")`` can only reach ``dense_…``; ``getattr(f, "__co" + "de__")`` can reach anything.
    """
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        node = node.left
    if isinstance(node, ast.JoinedStr) and node.values:
        node = node.values[0]
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value):
        return False
    tools = {*TAMPERING_ATTRIBUTES, *DISTINCTIVE, *(tool.rsplit(".", 1)[-1] for tool in TAMPERING_NAMES)}
    return not node.value.startswith("_") and not any(tool.startswith(node.value) for tool in tools)


def _read(source: str, aliases: dict[str, str]) -> _Reader | None:
    # IPython's magics and shell escapes are not Python: blank them, keeping the line numbers.
    source = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    try:
        tree = syntax.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # such a cell fails when it runs; it reports nothing there either
    reader = _Reader(aliases)
    reader.visit(tree)
    return reader


def _own_cells(cells: Iterable, reference_cells: Iterable) -> list:
    course = {cell.source for cell in reference_cells}
    return [cell for cell in cells if cell.source not in course]


def _aliases(cells: Iterable) -> dict[str, str]:
    """The names every cell's imports bind (a name imported in the setup cell is seen by every later cell)."""
    aliases: dict[str, str] = {}
    for cell in cells:
        _read(cell.source, aliases)
    return aliases


def _why(key: str) -> str:
    if key in TAMPERING_ATTRIBUTES:
        return TAMPERING_ATTRIBUTES[key]
    return next((why for name, why in TAMPERING_NAMES.items() if name == key or name.endswith("." + key)),
                "a tampering tool")


def tampering(cells: Sequence, reference_cells: Sequence = ()) -> list[Hit]:
    """The tampering tools the student's own cells name, less those the reference's cell of the same question uses.

    A tool the reference solution of a question needs (``importlib`` to report package versions, ``getattr`` over a
    list of field names) is part of that question's work, and allowed in that question's cells.

    Args:
        cells: The submission's executable cells (``graders.judge.remote.Cell``: index, source, question).
        reference_cells: The reference's cells; a cell with exactly their text is the course's and is not read.
    """
    allowed: dict[str | None, set[str]] = {}
    for hit, question in _tampering(reference_cells, []):
        allowed.setdefault(question, set()).add(hit.key)
    kept = [hit for hit, question in _tampering(cells, reference_cells) if hit.key not in allowed.get(question, set())]
    return list({(hit.cell, hit.line, hit.what): hit for hit in reversed(kept)}.values())[::-1]


def _tampering(cells: Sequence, reference_cells: Sequence) -> list[tuple[Hit, str | None]]:
    aliases = _aliases([*reference_cells, *cells])
    hits: set[tuple[Hit, str | None]] = set()
    for cell in _own_cells(cells, reference_cells):
        found: set[Hit] = set()
        reader = _read(cell.source, dict(aliases))
        if reader is None:
            continue
        for line, written, resolved in reader.references:
            for name, why in TAMPERING_NAMES.items():
                if resolved == name or resolved.startswith(name + ".") or (
                        "." not in name and written == name and resolved == name):
                    found.add(Hit(cell.index + 1, line, written, why, name))
            attribute = resolved.rsplit(".", 1)[-1]
            if "." in resolved and attribute in TAMPERING_ATTRIBUTES:
                found.add(Hit(cell.index + 1, line, written, TAMPERING_ATTRIBUTES[attribute], attribute))
            elif "." in resolved and attribute in DISTINCTIVE and not written.startswith(("self.", "cls.")):
                found.add(Hit(cell.index + 1, line, written, _why(attribute), attribute))
        for line, text in reader.strings:
            key = text.strip()
            if key in TAMPERING_ATTRIBUTES or key in DISTINCTIVE or (key in TAMPERING_NAMES and "." in key):
                found.add(Hit(cell.index + 1, line, repr(text)[:60], f"names {key}: {_why(key)}", key.split(".")[-1]))
        for line, written, why in reader.dynamic:
            found.add(Hit(cell.index + 1, line, written, why, "dynamic lookup"))
        hits.update((hit, cell.question) for hit in found)
    return sorted(hits, key=lambda pair: (pair[0].cell, pair[0].line, pair[0].what))


def _reachable(cells: Sequence, entry: str) -> dict[int, set[int]] | None:
    """Per cell index, the lines of the top-level definitions that ``entry`` reaches (None: nothing defines it)."""
    definitions: dict[str, tuple[int, ast.AST]] = {}
    for cell in cells:
        try:
            tree = syntax.parse(cell.source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                definitions[node.name] = (cell.index, node)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        definitions[target.id] = (cell.index, node)
    root = entry.split(".")[0]
    if root not in definitions:
        return None
    todo, seen = [root], {root}
    while todo:
        for node in ast.walk(definitions[todo.pop()][1]):
            if isinstance(node, ast.Name) and node.id in definitions and node.id not in seen:
                seen.add(node.id)
                todo.append(node.id)
    lines: dict[int, set[int]] = {}
    for name in seen:
        index, node = definitions[name]
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        lines.setdefault(index, set()).update(range(first, node.end_lineno + 1))
    return lines


def forbidden_key(name: str) -> tuple[str, str]:
    """What a forbidden dotted name is matched by: its package and its last part (a method: its class)."""
    parts = canonical(name).split(".")
    while len(parts) > 1 and parts[-1].startswith("__"):
        parts.pop()  # tf.compat.v1.Session.__init__: any use of Session
    if len(parts) > 2 and parts[-2][:1].isupper():
        parts.pop()  # tf.compat.v1.train.Saver.restore: any use of Saver
    return parts[0], parts[-1]


def forbidden_uses(cells: Sequence, entry: str, forbidden: Sequence[str], reference_cells: Sequence = (),
                   question: str | None = None) -> list[Hit]:
    """Where the code that ``entry`` reaches in the student's own cells names a routine that a check forbids.

    The scan starts at the definition of ``entry`` and follows the names of the student's other top-level
    definitions it uses, so a routine another function legitimately uses is not held against this one. A forbidden
    ``tf.linalg.matmul`` matches any TensorFlow name that ends in ``matmul`` (``tf.matmul``, ``from tensorflow.linalg
    import matmul as mm``), since TensorFlow exports one routine under several paths; a name that the reference's
    own ``entry`` reaches the same way is allowed.

    Args:
        cells: The submission's executable cells.
        entry: The function (or ``object.method``) the check is about.
        forbidden: Dotted names, as the check lists them.
        reference_cells: The reference's cells: the course's own cells are not read, but their imports count.
        question: The question of the check: where ``entry`` is not a name of the cells (a probe, say), only this
            question's cells are read.
    """
    wanted = {forbidden_key(name): name for name in forbidden}
    allowed = {hit.key for hit in _forbidden(reference_cells, _aliases(reference_cells), entry, wanted, question)}
    own = _own_cells(cells, reference_cells)
    return [hit for hit in _forbidden(own, _aliases([*reference_cells, *cells]), entry, wanted, question)
            if hit.key not in allowed]


def _forbidden(cells: Sequence, aliases: dict[str, str], entry: str, wanted: dict, question) -> list[Hit]:
    reached = _reachable(cells, entry)
    if reached is None and question is not None:
        cells = [cell for cell in cells if cell.question == question]
    hits: set[Hit] = set()
    for cell in cells:
        reader = _read(cell.source, dict(aliases))
        if reader is None:
            continue
        lines = None if reached is None else reached.get(cell.index, set())
        for line, written, resolved in reader.references:
            if lines is not None and line not in lines:
                continue
            root, *rest = canonical(resolved).split(".")
            for part in rest:  # tf.compat.v1.Session.run names Session
                if (root, part) in wanted:
                    name = wanted[(root, part)]
                    hits.add(Hit(cell.index + 1, line, written, f"the check forbids {name}", name))
    return sorted(hits, key=lambda hit: (hit.cell, hit.line, hit.what))
