"""Mutation check: seeded mutants of each question's solution, graded through the real grading path.

A mutant changes one thing inside a ``### BEGIN SOLUTION`` / ``### END SOLUTION`` region of a question's section of
``reference/aNN_slug.py``; it is caught when its question scores below full marks. Mutants are made here with
Python's ``ast``, not with a mutation-testing library: mutmut 3 and cosmic-ray are test runners (mutmut rewrites
whole functions into trampolines and runs the project's pytest; cosmic-ray keeps a session database and runs a test
command per mutant on files it rewrites on disk), neither mutates a given span of a string, and neither knows the
TensorFlow call swaps wanted here. A mutant is a small text edit of the region only (everything outside it stays
byte-identical), checked by parsing: the edited text must compile and parse to exactly the intended tree.

Grading is batched: one notebook per round holds one mutant of each of several questions (each question's hidden
tests grade only its own cell), questions that use each other's names never share a round, a question whose solution
changes global state is graded alone, and every grading replays the reference answers stored by a first grading of
the unmodified notebook (which must score full marks). A round that cannot be graded is graded mutant by mutant. A
mutated question stops at its first failed hidden test (``stop_after_failure``): caught is caught.
"""

from __future__ import annotations

import ast
import copy
import difflib
import itertools
import random
import re
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from graders import authoring, submissions, syntax
from graders.course import Assignment
from graders.grade import grade_notebook
from graders.judge.plugin import GradingError

_O = ast
_ARITH = {_O.Add: (_O.Sub,), _O.Sub: (_O.Add,), _O.Mult: (_O.Div, _O.Add), _O.Div: (_O.Mult,),
          _O.FloorDiv: (_O.Div, _O.Mult), _O.Mod: (_O.FloorDiv,), _O.Pow: (_O.Mult,), _O.MatMult: (_O.Mult,),
          _O.BitAnd: (_O.BitOr,), _O.BitOr: (_O.BitAnd,), _O.BitXor: (_O.BitAnd,), _O.LShift: (_O.RShift,),
          _O.RShift: (_O.LShift,)}
_COMPARE = {_O.Eq: (_O.NotEq,), _O.NotEq: (_O.Eq,), _O.Lt: (_O.LtE, _O.GtE), _O.LtE: (_O.Lt, _O.Gt),
            _O.Gt: (_O.GtE, _O.LtE), _O.GtE: (_O.Gt, _O.Lt), _O.Is: (_O.IsNot,), _O.IsNot: (_O.Is,),
            _O.In: (_O.NotIn,), _O.NotIn: (_O.In,)}
_SYMBOL = {_O.Add: "+", _O.Sub: "-", _O.Mult: "*", _O.Div: "/", _O.FloorDiv: "//", _O.Mod: "%", _O.Pow: "**",
           _O.MatMult: "@", _O.BitAnd: "&", _O.BitOr: "|", _O.BitXor: "^", _O.LShift: "<<", _O.RShift: ">>",
           _O.Eq: "==", _O.NotEq: "!=", _O.Lt: "<", _O.LtE: "<=", _O.Gt: ">", _O.GtE: ">=", _O.Is: "is",
           _O.IsNot: "is not", _O.In: "in", _O.NotIn: "not in", _O.And: "and", _O.Or: "or"}
_PAIRS = ["reduce_sum reduce_mean", "reduce_max reduce_min", "reduce_any reduce_all", "add subtract",
          "multiply divide", "maximum minimum", "argmax argmin", "max min", "any all", "zeros ones",
          "zeros_like ones_like", "floor ceil", "sum mean", "log log1p", "exp expm1", "sin cos", "sigmoid tanh",
          "concat stack", "cumsum cumprod", "sqrt rsqrt", "reduce_std reduce_variance", "truediv floordiv"]
_CALL_SWAPS = {a: b for pair in _PAIRS for a, b in (pair.split(), pair.split()[::-1])}
_BUILTIN_SWAPS = {"max": "min", "min": "max", "any": "all", "all": "any"}  # bare names; the rest only as attributes
_ARG_SWAPS = {"matmul": (0, 1), "subtract": (0, 1), "divide": (0, 1), "truediv": (0, 1), "floordiv": (0, 1),
              "pow": (0, 1), "tensordot": (0, 1), "range": (0, 1), "where": (1, 2)}
_FLAGS = {"keepdims", "training", "transpose_a", "transpose_b", "adjoint_a", "adjoint_b", "from_logits", "trainable",
          "return_sequences", "return_state", "exclusive", "reverse", "sorted", "drop_remainder", "shuffle"}
_DTYPES = {"float32": "float64", "float64": "float32", "int32": "int64", "int64": "int32", "float16": "float32"}
_COSMETIC = {"verbose", "name"}  # keyword arguments that only change logging or labels: never mutated
_ATOMS = (ast.Name, ast.Constant, ast.Attribute, ast.Call, ast.Subscript, ast.List, ast.Tuple, ast.Dict)
# Solution code that reaches beyond its question (TensorFlow's configuration, the process, the interpreter): a mutant
# of it may leave the notebook in a state that fails other questions, so such a question's mutants are graded alone.
_GLOBAL_EFFECTS = re.compile(r"get_ipython|tf\.config\.|mixed_precision|disable_eager|enable_eager|os\.environ|"
                             r"os\.kill|os\._exit|(?<!tf\.)\bsignal\.|\bsys\.|threading|multiprocessing|"
                             r"subprocess|ctypes|\bbuiltins\.|\bgc\.|__import__|globals\(\)|setattr\(|atexit|"
                             r"\bresource\.")
_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


@dataclass
class Mutant:
    """One mutant of a question's section; ``status`` is filled in by grading."""

    question: str
    index: int  # its place among all the question's mutants, in source order
    operator: str
    line: int  # in the reference module
    source: str  # the whole mutated section
    diff: str
    status: str = "pending"  # caught, survived or error
    detail: str = ""  # why it was caught (the question's reason or its first failed test), or the error


def solution_regions(source: str) -> list[tuple[int, int]]:
    """The 1-based, inclusive line ranges strictly between each BEGIN/END SOLUTION marker pair."""
    regions, begin = [], None
    for number, line in enumerate(source.split("\n"), start=1):
        match = _MARKERS.match(line)
        if match and match.group(1) == "BEGIN":
            begin = number
        elif match and begin is not None:
            regions.append((begin + 1, number - 1))
            begin = None
    return regions


class _Text:
    """Offsets of ``ast`` positions (1-based lines, UTF-8 byte columns) in a text."""

    def __init__(self, text: str):
        self.text, self.lines, self.starts = text, text.split("\n"), [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def at(self, line: int, col: int) -> int:
        return self.starts[line - 1] + len(self.lines[line - 1].encode()[:col].decode(errors="ignore"))

    def span(self, node) -> tuple[int, int]:
        start = self.at(node.lineno, node.col_offset)
        for decorator in getattr(node, "decorator_list", ()):
            start = min(start, self.at(decorator.lineno, decorator.col_offset) - 1)
        return start, self.at(node.end_lineno, node.end_col_offset)

    def of(self, node) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def gap(self, left, right) -> tuple[int, int]:
        return self.at(left.end_lineno, left.end_col_offset), self.at(right.lineno, right.col_offset)


def _number(value) -> ast.expr:
    return ast.UnaryOp(ast.USub(), ast.Constant(-value)) if value < 0 else ast.Constant(value)


def _with(node, **fields):
    new = copy.copy(node)
    for name, value in fields.items():
        setattr(new, name, value)
    return new


def _candidates(node, txt: _Text):
    """Yields ``(operator, target, replacement, edits)``: the intended tree change and the text edits that make it."""
    def token(gap, old, new):  # an operator's token between two operands
        start, end = gap
        piece = txt.text[start:end]
        return (start, end, piece.replace(old, new, 1)) if old in piece else (start, start, "")

    if isinstance(node, ast.BinOp):
        for new in _ARITH.get(type(node.op), ()):
            edit = token(txt.gap(node.left, node.right), _SYMBOL[type(node.op)], _SYMBOL[new])
            yield "arithmetic", node, _with(node, op=new()), [edit]
    elif isinstance(node, ast.AugAssign):
        for new in _ARITH.get(type(node.op), ()):
            edit = token(txt.gap(node.target, node.value), _SYMBOL[type(node.op)] + "=", _SYMBOL[new] + "=")
            yield "arithmetic", node, _with(node, op=new()), [edit]
    elif isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            left = node.left if i == 0 else node.comparators[i - 1]
            for new in _COMPARE[type(op)]:
                ops = node.ops[:i] + [new()] + node.ops[i + 1:]
                edit = token(txt.gap(left, node.comparators[i]), _SYMBOL[type(op)], _SYMBOL[new])
                yield "comparison", node, _with(node, ops=ops), [edit]
    elif isinstance(node, ast.BoolOp):
        old, new = type(node.op), ast.Or if isinstance(node.op, ast.And) else ast.And
        edits = [token(txt.gap(a, b), _SYMBOL[old], _SYMBOL[new]) for a, b in itertools.pairwise(node.values)]
        yield "boolean", node, _with(node, op=new()), edits
    elif _negative_number(node):
        yield from _constants(node, -node.operand.value, txt)
    elif isinstance(node, ast.UnaryOp):
        yield "unary", node, node.operand, [(*txt.span(node), txt.of(node.operand))]
    elif isinstance(node, ast.Constant) and type(node.value) in (bool, int, float):
        yield from _constants(node, node.value, txt)
    elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load) and node.attr in _DTYPES:
        end = txt.span(node)[1]
        yield "dtype", node, _with(node, attr=_DTYPES[node.attr]), [(end - len(node.attr), end, _DTYPES[node.attr])]
    elif isinstance(node, ast.Call):
        yield from _call_candidates(node, txt)
    elif isinstance(node, ast.Return) and node.value is not None and not (
            isinstance(node.value, ast.Constant) and node.value.value is None):
        yield "return_none", node, ast.Return(ast.Constant(None)), [(*txt.span(node.value), "None")]
    if isinstance(node, ast.stmt) and not isinstance(node, (ast.Pass, ast.Return, ast.Global, ast.Nonlocal)) and not (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
        yield "drop_statement", node, ast.Pass(), [(*txt.span(node), "pass")]


def _negative_number(node) -> bool:
    return isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(
        node.operand, ast.Constant) and type(node.operand.value) in (int, float)


def _constants(node, value, txt: _Text):
    if isinstance(value, bool):
        yield "constant", node, ast.Constant(not value), [(*txt.span(node), repr(not value))]
        return
    if value != value or value in (float("inf"), float("-inf")):
        return
    for new in dict.fromkeys([type(value)(0), value + 1, value * 2, -value]):
        if new != value:
            yield "constant", node, _number(new), [(*txt.span(node), repr(new))]


def _call_candidates(node: ast.Call, txt: _Text):
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    swap = _CALL_SWAPS.get(name) if isinstance(func, ast.Attribute) else _BUILTIN_SWAPS.get(name)
    if swap:
        new_func = _with(func, attr=swap) if isinstance(func, ast.Attribute) else _with(func, id=swap)
        end = txt.span(func)[1]
        yield "call_swap", node, _with(node, func=new_func), [(end - len(name), end, swap)]
    if name in _ARG_SWAPS and len(node.args) > max(_ARG_SWAPS[name]):
        i, j = _ARG_SWAPS[name]
        a, b = node.args[i], node.args[j]
        if ast.dump(a) != ast.dump(b) and not any(isinstance(x, ast.Starred) for x in (a, b)):
            args = list(node.args)
            args[i], args[j] = b, a
            yield "argument_swap", node, _with(node, args=args), [(*txt.span(a), txt.of(b)), (*txt.span(b), txt.of(a))]
    close = txt.span(node)[1] - 1
    sep = ", " if node.args or node.keywords else ""
    for flag in ("transpose_a", "transpose_b") if name == "matmul" else ():
        if all(k.arg != flag for k in node.keywords):
            keywords = node.keywords + [ast.keyword(flag, ast.Constant(True))]
            yield "keyword_added", node, _with(node, keywords=keywords), [(close, close, f"{sep}{flag}=True")]
    items = sorted(node.args + node.keywords, key=lambda n: txt.span(n)[0])
    for k, keyword in enumerate(node.keywords):
        if keyword.arg in _COSMETIC:
            continue
        place, (start, end) = items.index(keyword), txt.span(keyword)
        if place:
            start = txt.span(items[place - 1])[1]
        elif len(items) > 1:
            end = txt.span(items[1])[0]
        yield "keyword_removed", node, _with(node, keywords=node.keywords[:k] + node.keywords[k + 1:]), [
            (start, end, "")]
        value, changes = keyword.value, []
        if keyword.arg == "axis" and not isinstance(value, ast.Constant) and not _negative_number(value):
            changes += [("axis", ast.Constant(0)), ("axis", _number(-1))]
        if keyword.arg in _FLAGS and not isinstance(value, ast.Constant):
            changes.append(("flag", ast.UnaryOp(ast.Not(), value)))
        for operator, new in changes:
            keywords = node.keywords[:k] + [ast.keyword(keyword.arg, new)] + node.keywords[k + 1:]
            shown = txt.of(value) if isinstance(value, _ATOMS) else f"({txt.of(value)})"
            text = f"not {shown}" if operator == "flag" else ast.unparse(new)
            yield operator, node, _with(node, keywords=keywords), [(*txt.span(value), text)]
        following = node.keywords[k + 1] if k + 1 < len(node.keywords) else None
        named = following and None not in (keyword.arg, following.arg) and following.arg not in _COSMETIC
        if named and ast.dump(value) != ast.dump(following.value):
            keywords = list(node.keywords)
            keywords[k:k + 2] = [ast.keyword(keyword.arg, following.value), ast.keyword(following.arg, value)]
            yield "keyword_swap", node, _with(node, keywords=keywords), [
                (*txt.span(value), txt.of(following.value)), (*txt.span(following.value), txt.of(value))]


def _apply(text: str, edits) -> str:
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _parents(tree):
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if isinstance(value, list):
                for i, child in enumerate(value):
                    if isinstance(child, ast.AST):
                        yield child, (parent, field, i)
            elif isinstance(value, ast.AST):
                yield value, (parent, field, None)


def _swap_in(place, new):
    parent, field, i = place
    old = getattr(parent, field)[i] if i is not None else getattr(parent, field)
    if i is None:
        setattr(parent, field, new)
    else:
        getattr(parent, field)[i] = new
    return old


def _fallbacks(txt: _Text, target, new) -> list[list[tuple[int, int, str]]]:
    """The target's whole span re-rendered: bare, then in parentheses (operator precedence) for an expression."""
    span, text = txt.span(target), ast.unparse(new)
    paren = isinstance(new, ast.expr) and not isinstance(new, _ATOMS)
    return [[(*span, text)]] + ([[(*span, f"({text})")]] if paren else [])


def generate(section: str, question: str, *, module: str | None = None) -> list[Mutant]:
    """Every distinct, compiling mutant of the solution regions of one section, in source order.

    Args:
        section: The question's section of the reference module (``reference_sections``).
        question: Its id.
        module: The whole reference module, for line numbers and diffs in its terms (default: the section alone).

    Returns:
        The mutants; duplicates (same code after ``ast.unparse``) and no-ops are dropped.
    """
    module = section if module is None else module
    body = section.rstrip("\n")
    offset = module[:module.index(body)].count("\n") if body in module else 0
    regions = solution_regions(section)
    tree, txt = syntax.parse(section), _Text(section)
    seen, parents = {ast.unparse(tree)}, dict(_parents(tree))
    skip = {id(n) for s in ast.walk(tree) if isinstance(s, ast.JoinedStr) for n in ast.walk(s)}
    skip |= {id(n.operand) for n in ast.walk(tree) if _negative_number(n)}
    skip |= {id(n) for k in ast.walk(tree) if isinstance(k, ast.keyword) and k.arg in _COSMETIC for n in ast.walk(k)}
    nodes = [n for n in ast.walk(tree) if n in parents and id(n) not in skip and hasattr(n, "end_lineno")
             and any(a <= n.lineno and n.end_lineno <= b for a, b in regions)]
    nodes.sort(key=lambda n: (n.lineno, n.col_offset, -n.end_lineno, -n.end_col_offset))
    found = []
    for node in nodes:
        for operator, target, new, edits in _candidates(node, txt):
            old = _swap_in(parents[target], new)
            want = ast.dump(tree)
            _swap_in(parents[target], old)
            for attempt in [edits] + _fallbacks(txt, target, new):
                text = _apply(section, attempt)
                try:
                    compile(text, "<mutant>", "exec", dont_inherit=True)
                    got = syntax.parse(text)
                except (SyntaxError, ValueError):
                    continue
                if ast.dump(got) == want:
                    break
            else:
                continue
            key = ast.unparse(got)
            if key in seen:
                continue
            seen.add(key)
            mutated = module.replace(body, text.rstrip("\n"), 1)
            diff = [line for line in difflib.unified_diff(module.split("\n"), mutated.split("\n"), lineterm="", n=0)
                    if not line.startswith(("---", "+++"))]
            found.append(Mutant(question, len(found), operator, node.lineno + offset, text, "\n".join(diff)))
    return found


def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_]\w*", text))


def conflicts(assignment: Assignment, sections: dict[str, str]) -> dict[str, set[str]]:
    """Questions that must not share a round: one's code or hidden tests use a name that the other's code defines.

    A question's uses are the names in its section, the words of its hidden test file ``test_qK.py``, and the words of
    every probe function (``probes.py``) those words name, followed through the probes they call. A question whose
    solution changes global state (``_GLOBAL_EFFECTS``) clashes with every other one.
    """
    probe_text = assignment.probes.read_text() if assignment.probes.is_file() else ""
    probes = {n.name: _words(ast.get_source_segment(probe_text, n) or "") for n in syntax.parse(probe_text).body
              if isinstance(n, ast.FunctionDef)}
    defined, used = {}, {}
    for qid, source in sections.items():
        tree = syntax.parse(source)
        defined[qid] = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))} | {
            t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
        test = assignment.hidden_tests / f"test_{qid}.py"
        words = _words(source) | (_words(test.read_text()) if test.is_file() else set())
        todo = words & set(probes)
        while todo:
            name = todo.pop()
            todo |= (probes[name] - words) & set(probes)
            words |= probes[name]
        used[qid] = words
    lines = {q: source.split("\n") for q, source in sections.items()}
    alone = {q for q, source in sections.items() if any(_GLOBAL_EFFECTS.search("\n".join(lines[q][a - 1:b]))
                                                         for a, b in solution_regions(source))}
    return {a: {b for b in sections if b != a and (a in alone or b in alone or defined[b] & used[a]
                                                   or defined[a] & used[b])} for a in sections}


def plan_rounds(mutants: dict[str, list[Mutant]], clash: dict[str, set[str]]) -> list[list[Mutant]]:
    """Groups mutants into notebooks: at most one per question, never two clashing questions together."""
    pending = {q: list(ms) for q, ms in mutants.items()}
    rounds = []
    while any(pending.values()):
        chosen: list[Mutant] = []
        for qid, queue in pending.items():
            if queue and not any(m.question in clash.get(qid, ()) for m in chosen):
                chosen.append(queue.pop(0))
        rounds.append(chosen)
    return rounds


def sample(mutants: list[Mutant], limit: int | None, seed: int) -> list[Mutant]:
    """At most ``limit`` mutants, spread over the operators (round robin over each operator's seeded shuffle).

    Literal-heavy code makes most raw mutants constant changes; taking the operators in turn keeps the rarer kinds
    (comparisons, call swaps, dropped statements) in every sample. The same seed gives the same sample.
    """
    if limit is None or len(mutants) <= limit:
        return list(mutants)
    by_operator: dict[str, list[Mutant]] = {}
    for mutant in mutants:
        by_operator.setdefault(mutant.operator, []).append(mutant)
    for operator, group in by_operator.items():
        random.Random(f"{seed}:{mutants[0].question}:{operator}").shuffle(group)
    chosen: list[Mutant] = []
    while len(chosen) < limit:
        for group in by_operator.values():
            if group and len(chosen) < limit:
                chosen.append(group.pop())
    return sorted(chosen, key=lambda m: m.index)


@dataclass
class Report:
    """The outcome of a mutation check of one assignment."""

    assignment: str
    seed: int
    limit: int | None
    min_caught: float
    generated: dict[str, int]
    mutants: list[Mutant]
    rounds: int = 0
    duration_s: float = 0.0
    baseline_failures: dict[str, str] | None = None  # questions whose unmodified reference scores below full marks

    def questions(self) -> dict[str, dict]:
        out = {}
        for qid, total in self.generated.items():
            own = [m for m in self.mutants if m.question == qid]
            caught = sum(m.status == "caught" for m in own)
            graded = sum(m.status in ("caught", "survived") for m in own)
            share = caught / graded if graded else None
            out[qid] = {"generated": total, "sampled": len(own), "graded": graded, "caught": caught,
                        "survived": graded - caught, "errors": len(own) - graded,
                        "caught_share": None if share is None else round(share, 4),
                        "ok": share is None or share >= self.min_caught}
        return out

    @property
    def exit_code(self) -> int:
        """0: every question catches enough; 1: some question does not; 2: grading could not be done."""
        if self.baseline_failures or any(m.status == "error" for m in self.mutants):
            return 2
        return 0 if all(q["ok"] for q in self.questions().values()) else 1

    def to_json(self) -> dict:
        return {"assignment": self.assignment, "seed": self.seed, "max": self.limit, "min_caught": self.min_caught,
                "rounds": self.rounds, "duration_s": round(self.duration_s, 1), "exit_code": self.exit_code,
                "baseline_failures": self.baseline_failures, "questions": self.questions(),
                "mutants": [{k: v for k, v in asdict(m).items() if k != "source"} for m in self.mutants]}

    def render(self) -> str:
        lines = [f"{self.assignment}: {len(self.mutants)} mutants in {self.rounds} rounds, seed {self.seed}, "
                 f"{self.duration_s:.0f} s"]
        for qid, failure in (self.baseline_failures or {}).items():
            lines.append(f"{qid}  the unmodified reference scores below full marks ({failure}): not checked")
        for qid, q in self.questions().items():
            share = "no mutants" if q["caught_share"] is None else f"{q['caught_share']:.0%}"
            errors = f", {q['errors']} not graded" if q["errors"] else ""
            lines.append(f"{qid}  caught {q['caught']}/{q['graded']} ({share}; {q['sampled']} of {q['generated']} "
                         f"mutants{errors}){'' if q['ok'] else f'  below {self.min_caught:.0%}'}")
        for mutant in self.mutants:
            if mutant.status in ("survived", "error"):
                note = f": {mutant.detail}" if mutant.detail else ""
                lines.append(f"\n{mutant.status} {mutant.question} #{mutant.index} {mutant.operator}, "
                             f"line {mutant.line}{note}")
                lines += ["    " + line for line in mutant.diff.split("\n")]
        return "\n".join(lines)


def _grade(assignment: Assignment, batch: list[Mutant], store: Path, sandboxed: bool, costs: dict | None = None):
    notebook = submissions.with_sections(assignment, {m.question: m.source for m in batch})
    result = grade_notebook(notebook, assignment, sandboxed=sandboxed, reference_answers=store,
                            name=f"mutants {' '.join(f'{m.question}#{m.index}' for m in batch)}",
                            questions=[m.question for m in batch], stop_after_failure=[m.question for m in batch],
                            test_costs=costs)
    for mutant in batch:
        q = result.questions[mutant.question]
        failed = [t.name for t in q.tests if not t.passed]
        mutant.status = "caught" if q.score < q.max_score - 1e-9 else "survived"
        mutant.detail = "" if mutant.status == "survived" else q.reason or (failed[0] if failed else "")


def _grade_round(assignment: Assignment, batch: list[Mutant], store: Path, sandboxed: bool,
                 costs: dict | None = None) -> None:
    """Grades one notebook of mutants, or each mutant alone if the notebook cannot be graded as a whole.

    ``costs`` (each test's seconds in the reference's grading) puts a mutated question's cheapest tests first.
    """
    try:
        _grade(assignment, batch, store, sandboxed, costs)
        return
    except GradingError:
        if len(batch) == 1:
            raise
    for mutant in batch:
        try:
            _grade(assignment, [mutant], store, sandboxed, costs)
        except GradingError as exc:
            mutant.status, mutant.detail = "error", str(exc).splitlines()[0][:200]


def run(assignment: Assignment, *, questions: list[str] | None = None, limit: int | None = 20, seed: int = 0,
        jobs: int = 2, sandboxed: bool = True, min_caught: float = 0.9, progress=None) -> Report:
    """Generates, samples and grades the mutants of an assignment's questions.

    Args:
        assignment: The assignment.
        questions: Only these questions (default: all).
        limit: At most this many mutants per question (None: all).
        seed: The sampling seed.
        jobs: Notebooks graded at once.
        sandboxed: Run the workers under bubblewrap.
        min_caught: The share of graded mutants each question must catch.
        progress: Called with a line of text after each round.

    Raises:
        GradingError: the unmodified reference could not be graded at all.
    """
    started = time.monotonic()
    sections = authoring.reference_sections(assignment)
    module = assignment.reference_module.read_text()
    wanted = questions or [q.id for q in assignment.questions]
    unknown = sorted(set(wanted) - set(sections) - {"setup"})
    if unknown:
        raise ValueError(f"{assignment.id} has no question {', '.join(unknown)}")
    everything = {q: generate(sections[q], q, module=module) for q in wanted}
    report = Report(assignment.id, seed, limit, min_caught, {q: len(ms) for q, ms in everything.items()}, [])
    with tempfile.TemporaryDirectory(prefix="tfgrade-mutants-") as folder:
        store = Path(folder)
        baseline = grade_notebook(submissions.with_sections(assignment), assignment, sandboxed=sandboxed,
                                  reference_answers=store, questions=wanted, name="reference")
        failing = {q: r.reason or next((t.name for t in r.tests if not t.passed), "")
                   for q, r in baseline.questions.items() if r.score < r.max_score - 1e-9}
        if failing:
            report.baseline_failures = failing
            report.generated = {q: n for q, n in report.generated.items() if q not in failing}
        chosen = {q: sample(ms, limit, seed) for q, ms in everything.items() if q not in failing}
        report.mutants = [m for ms in chosen.values() for m in ms]
        rounds = plan_rounds(chosen, conflicts(assignment, {q: sections[q] for q in chosen}))
        report.rounds = len(rounds)
        costs = {f"{q}::{t.name}": t.duration_s for q, r in baseline.questions.items() for t in r.tests}
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = [pool.submit(_grade_round, assignment, batch, store, sandboxed, costs) for batch in rounds]
            for number, (future, batch) in enumerate(zip(futures, rounds, strict=True), start=1):
                try:
                    future.result()
                except GradingError as exc:
                    batch[0].status, batch[0].detail = "error", str(exc).splitlines()[0][:200]
                if progress:
                    progress(f"round {number}/{len(rounds)} ({time.monotonic() - started:.0f} s): " + ", ".join(
                        f"{m.question}#{m.index} {m.status}" for m in batch))
    report.duration_s = time.monotonic() - started
    return report
