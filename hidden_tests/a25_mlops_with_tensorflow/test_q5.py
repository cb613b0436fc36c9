"""Hidden tests for A25 Q5: the student's pytest suite for ``churnkit`` is graded by mutation testing.

The suite's text is scanned here (imports and names), then run by a probe in the inspector (a worker where no
notebook code runs, so nothing the notebook patched can report for the suite) with ``python -I -m pytest`` in a
fresh interpreter beside the package: twice against the package as shipped (every test must pass) and once against each
faulty version made here, which the sandbox never sees. Every version, the correct one included, carries the same
random build token, so a suite cannot tell them apart by anything but behaviour.
"""

import ast

import pytest

from graders import checks

pytestmark = pytest.mark.question("q5")

ALLOWED_IMPORTS = {"churnkit", "numpy", "pytest", "math", "itertools", "functools", "collections"}
FORBIDDEN_NAMES = {"open", "eval", "exec", "compile", "getattr", "setattr", "delattr", "globals", "vars", "locals",
                   "breakpoint", "input", "dir", "memoryview", "help"}
FORBIDDEN_ATTRS = {"load", "loadtxt", "genfromtxt", "fromfile", "memmap", "fromregex", "DataSource", "lib",
                   "ctypeslib", "f2py", "importorskip", "fspath", "path", "module", "config", "getfixturevalue",
                   "read_text", "read_bytes", "tmp_path", "tmpdir", "save", "savetxt", "savez",
                   "savez_compressed", "tofile", "dump"}

# (what the fault is, exact text of the shipped package, replacement)
MUTANTS = [
    ("off-by-one window count", "range(0, len(x) - size + 1, stride)", "range(0, len(x) - size, stride)"),
    ("stride ignored", "range(0, len(x) - size + 1, stride)", "range(0, len(x) - size + 1)"),
    ("label shift", "y[i + size] for i in range(n)", "y[i + size - 1] for i in range(n)"),
    ("scaler refits on the data it transforms (leakage)",
     "return (np.asarray(x, dtype=np.float64) - self.mean_) / self.scale_",
     "x = np.asarray(x, dtype=np.float64)\n        return (x - np.nanmean(x, axis=0)) / self.scale_"),
    ("constant column divides by zero", "np.where(std > 0, std, 1.0)", "std"),
    ("float64 truncated to int", "return (np.asarray(x, dtype=np.float64) - self.mean_) / self.scale_",
     "return ((np.asarray(x, dtype=np.float64) - self.mean_) / self.scale_).astype(np.int64)"),
    ("null handling dropped", "x[np.isnan(x)] = value", "pass"),
    ("unknown category one-hot at index 0", "if v in index:\n            out[row, index[v]] = 1.0",
     "if True:\n            out[row, index.get(v, 0)] = 1.0"),
    ("softmax normalised over the wrong axis", "return e / e.sum(axis=-1, keepdims=True)",
     "return e / e.sum(axis=0, keepdims=True)"),
    ("softmax without the max shift (overflow)", "z = z - z.max(axis=-1, keepdims=True)", "z = z"),
    ("decision threshold exclusive", "(np.asarray(probs) >= threshold)", "(np.asarray(probs) > threshold)"),
    ("serving feature order sorted", "for name in feature_order] for r in records]",
     "for name in sorted(feature_order)] for r in records]"),
    ("unseeded shuffle", "np.random.default_rng(seed)", "np.random.default_rng()"),
    ("train and test swapped", "return np.sort(order[n_test:]), np.sort(order[:n_test])",
     "return np.sort(order[:n_test]), np.sort(order[n_test:])"),
]

_RESULTS = {}


def _scan(source: str) -> list:
    try:
        tree = ast.parse(source)
    except SyntaxError as e:
        return [f"the suite does not parse: {e}"]
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            mods = [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            mods = [(node.module or "").split(".")[0]] if node.level == 0 else ["(relative import)"]
        else:
            mods = []
        problems += [f"line {node.lineno}: import of {m!r} is not allowed" for m in mods if m not in ALLOWED_IMPORTS]
        if isinstance(node, ast.Name) and (node.id in FORBIDDEN_NAMES or node.id.startswith("__")):
            problems.append(f"line {node.lineno}: {node.id!r} is not allowed")
        if isinstance(node, ast.Attribute) and (node.attr in FORBIDDEN_ATTRS or node.attr.startswith("__")):
            problems.append(f"line {node.lineno}: attribute {node.attr!r} is not allowed")
        if isinstance(node, ast.arg) and node.arg in FORBIDDEN_ATTRS:
            problems.append(f"line {node.lineno}: the fixture {node.arg!r} is not allowed")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "__" in node.value:
            problems.append(f"line {node.lineno}: strings naming dunder attributes are not allowed")
    n_tests = sum(isinstance(n, ast.FunctionDef) and n.name.startswith("test") for n in tree.body)
    return problems, n_tests


def _run(student, reference, inspector, rng):
    suite = student.call("churnkit_test_suite")
    assert isinstance(suite, str), "churnkit_test_suite must return the test module's source text"
    scanned = _scan(suite)
    if isinstance(scanned, list):
        raise AssertionError(scanned[0])
    problems, n_tests = scanned
    assert not problems, "the suite may only test churnkit's behaviour: " + "; ".join(problems[:3])
    key = (id(student), suite)
    if key not in _RESULTS:
        package = reference.get("CHURNKIT_SOURCE")
        token = rng.bytes(8).hex()
        shipped = f"# build {token}\n" + package + f'\n_BUILD = "{token}"\n'
        versions = [shipped, shipped]
        for label, old, new in MUTANTS:
            assert shipped.count(old) == 1, f"internal: mutant {label!r} does not apply"
            versions.append(shipped.replace(old, new))
        _RESULTS[key] = (n_tests, inspector.probe("run_test_suite", suite, versions))
    return _RESULTS[key]


def _kill_rate(student, reference, inspector, rng, thresholds):
    n_tests, runs = _run(student, reference, inspector, rng)
    assert n_tests >= thresholds["min_tests"], f"write at least {thresholds['min_tests']} test functions"
    for k, run in enumerate(runs[:2]):
        assert run["rc"] == 0 and run["failures"] == 0 and run["errors"] == 0 and run["tests"] >= n_tests, (
            f"run {k + 1} of the suite against the package as shipped did not pass cleanly (exit code {run['rc']}, "
            f"{run['failures']} failures, {run['errors']} errors of {run['tests']} tests): every test must pass "
            "on the correct package, every time")
    killed = [run["rc"] in (1, 2) and run["failures"] + run["errors"] > 0 for run in runs[2:]]
    return sum(killed) / len(killed), [label for (label, _o, _n), k in zip(MUTANTS, killed, strict=True) if not k]


@pytest.mark.points(2)
def test_suite_passes_on_the_shipped_package(student, reference, inspector, rng, thresholds):
    rate, _missed = _kill_rate(student, reference, inspector, rng, thresholds)
    assert rate > 0, "the suite catches none of the faulty versions: a suite that catches nothing scores nothing"


@pytest.mark.points(3)
def test_suite_catches_half_of_the_faults(student, reference, inspector, rng, thresholds):
    rate, missed = _kill_rate(student, reference, inspector, rng, thresholds)
    assert rate >= 0.5, f"the suite failed {rate:.0%} of the faulty versions (need 50%); it missed: {missed}"


@pytest.mark.points(3)
def test_suite_catches_most_faults(student, reference, inspector, rng, thresholds):
    rate, missed = _kill_rate(student, reference, inspector, rng, thresholds)
    assert rate >= thresholds["min_kill_rate"], (
        f"the suite failed {rate:.0%} of the faulty versions (need {thresholds['min_kill_rate']:.0%}); it missed: "
        f"{missed}")


@pytest.mark.points(2)
def test_suite_catches_every_fault(student, reference, inspector, rng, thresholds):
    rate, missed = _kill_rate(student, reference, inspector, rng, thresholds)
    checks.assert_value(missed, [], name="faulty versions the suite did not catch")
