"""Hidden tests for A01 Q2: computational graphs (op histogram, topological order, interpreter)."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q2")

CASES = ["tanh_affine", "sum_squares", "affine_relu", "transposed_mix", "control_deps"]


def _consts(rng, case, cols=3):
    if case == "affine_relu":
        return {"w": rng.normal(size=(cols, 4)).astype(np.float32), "b": rng.normal(size=(4,)).astype(np.float32)}
    if case == "transposed_mix":
        return {"w": rng.normal(size=(5, cols)).astype(np.float32)}
    return None


def test_graph_of_returns_the_traced_tf_graph(student, reference, rng):
    for case in ("tanh_affine", "affine_relu"):
        consts = _consts(rng, case)
        got = student.probe("graph_of_case", case, consts)
        want = reference.probe("graph_of_case", case, consts)
        assert got["is_tf_graph"], f"graph_of must return a tf.Graph (the concrete function's .graph) for {case}"
        checks.assert_value(got["op_types"], want["op_types"], name=f"op types of graph_of({case})")


@pytest.mark.points(2)
def test_op_histogram_counts_top_level_ops(student, reference, rng):
    for case in ("sum_squares", "transposed_mix", "control_deps"):
        consts = _consts(rng, case)
        for as_graph_def in (False, True):
            got = student.probe("histogram_case", case, consts, as_graph_def=as_graph_def)
            want = reference.probe("histogram_case", case, consts, as_graph_def=as_graph_def)
            kind = "GraphDef" if as_graph_def else "tf.Graph"
            checks.assert_value(got, want, name=f"op_histogram of the {kind} of {case}")


def _assert_valid_order(order, nodes, edges, what):
    assert isinstance(order, list), f"topological_order must return a list of node names, got {type(order).__name__}"
    assert sorted(order) == sorted(nodes), f"{what}: the order must list every node exactly once"
    pos = {name: i for i, name in enumerate(order)}
    late = [f"{src} -> {dst}" for src, dst in edges if pos[src] > pos[dst]]
    assert not late, (
        f"{what}: these nodes come before their inputs: {late[:5]} "
        "(strip '^' from control inputs and ':k' from output indices; both are edges)"
    )


@pytest.mark.points(2)
def test_topological_order_puts_every_node_after_its_inputs(student, reference, rng):
    for case in ("transposed_mix", "control_deps"):
        consts = _consts(rng, case)
        got = student.probe("toposort_case", case, consts)
        want = reference.probe("toposort_case", case, consts)
        _assert_valid_order(got["order"], want["nodes"], want["edges"], f"graph of {case}")


def _random_dag(rng, n=14):
    # Node i may only read nodes with a smaller rank; listing is shuffled so GraphDef order is not
    # already topological, and inputs mix plain, ":k" and "^control" spellings.
    names = [f"n{i}" for i in range(n)]
    nodes = []
    for i in range(n):
        srcs = rng.choice(i, size=min(i, int(rng.integers(0, 3))), replace=False) if i else []
        inputs = []
        for j in srcs:
            style = int(rng.integers(0, 3))
            inputs.append([names[j], f"{names[j]}:{int(rng.integers(0, 2))}", f"^{names[j]}"][style])
        nodes.append([names[i], "NoOp", inputs])
    perm = rng.permutation(n)
    return [nodes[k] for k in perm]


@pytest.mark.points(2)
def test_topological_order_on_a_shuffled_dag_with_control_inputs(student, rng):
    nodes = _random_dag(rng)
    order = student.probe("toposort_spec", nodes)
    edges = [[raw.lstrip("^").split(":")[0], name] for name, _, inputs in nodes for raw in inputs]
    _assert_valid_order(order, [name for name, _, _ in nodes], edges, "shuffled DAG")


def test_topological_order_breaks_ties_by_graphdef_position(student, reference, rng):
    nodes = _random_dag(rng)
    got = student.probe("toposort_spec", nodes)
    want = reference.probe("toposort_spec", nodes)
    checks.assert_value(
        got, want, name="topological_order (among ready nodes, emit the one listed first in graph_def.node)"
    )


def test_topological_order_raises_on_cycles_and_unknown_inputs(student):
    cycle = [["a", "NoOp", ["c"]], ["b", "NoOp", ["a:0"]], ["c", "NoOp", ["^b"]], ["d", "NoOp", []]]
    checks.assert_raises(student.probe, "toposort_spec", cycle, exc_type="ValueError")
    dangling = [["a", "NoOp", []], ["b", "NoOp", ["a", "ghost"]]]
    checks.assert_raises(student.probe, "toposort_spec", dangling, exc_type="ValueError")


@pytest.mark.points(3)
def test_evaluate_graph_def_matches_tensorflow(student, reference, rng):
    for case in CASES:
        cols = int(rng.integers(2, 6))
        consts = _consts(rng, case, cols)
        x = rng.normal(size=(int(rng.integers(1, 9)), cols)).astype(np.float32)
        got = student.probe("evaluate_case", case, x, consts)
        want = reference.probe("run_case", case, x, consts)
        checks.assert_tensor(got, want, expect="array", dtype="float32", rtol=1e-5, atol=1e-5,
                             name=f"evaluate_graph_def on the graph of {case}")


def test_evaluate_graph_def_reports_unsupported_ops_and_missing_feeds(student, rng):
    x = rng.normal(size=(3, 3)).astype(np.float32)
    checks.assert_raises(student.probe, "evaluate_case", "unsupported", x, exc_type="ValueError")
    checks.assert_raises(student.probe, "evaluate_case", "tanh_affine", x, feed=False, exc_type="KeyError")


@pytest.mark.points(2)
def test_evaluate_graph_def_interprets_instead_of_running_tensorflow(student, reference, rng):
    graph_def = student.probe("graph_def_of", "sum_squares")
    x = rng.normal(size=(4, 3)).astype(np.float32)
    # A working answer first, so a blank stub cannot pass by calling nothing at all.
    checks.assert_tensor(student.call("evaluate_graph_def", graph_def, {"x": x}, "Identity"),
                         reference.probe("run_case", "sum_squares", x), expect="array", dtype="float32",
                         rtol=1e-5, atol=1e-5, name="evaluate_graph_def on the graph of sum_squares")
    checks.assert_no_forbidden_calls(
        student,
        "evaluate_graph_def",
        (graph_def, {"x": x}, "Identity"),
        forbidden=[
            # Classes are matched through their __init__: the profiler sees calls of code objects.
            "tf.compat.v1.Session.__init__",
            "tf.compat.v1.InteractiveSession.__init__",
            "tf.graph_util.import_graph_def",
            "tf.compat.v1.import_graph_def",
            "tf.function",
            "tf.compat.v1.wrap_function",
        ],
    )
