"""Hidden tests for A01 Q3: tensors, operations and TF1 sessions through tf.compat.v1."""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q3")


@pytest.mark.points(2)
def test_tensor_info_on_eager_tensors_and_arrays(student, reference, rng):
    inputs = [
        Tensor(rng.normal(size=()).astype(np.float32)),
        Tensor(rng.integers(-9, 9, size=(int(rng.integers(1, 6)),)).astype(np.int8)),
        Tensor(rng.normal(size=(2, int(rng.integers(1, 5)), 3)).astype(np.float64)),
        Tensor(rng.random(size=(1, 2, 1, 3)) > 0.5),
        rng.normal(size=(int(rng.integers(2, 7)), 4)).astype(np.float16),
        [[1, 2, 3], [4, 5, 6]],
    ]
    for x in inputs:
        got = student.call("tensor_info", x)
        want = reference.call("tensor_info", x)
        checks.assert_value(got, want, name="tensor_info(x) as (rank, shape tuple, dtype name)")


@pytest.mark.points(2)
def test_tensor_info_on_symbolic_tensors_with_unknown_dims(student, reference):
    for shape, dtype in (([None, 3], "float32"), ([None, None, 2], "int32"), (None, "float64")):
        got = student.probe("tensor_info_symbolic", shape, dtype)
        want = reference.probe("tensor_info_symbolic", shape, dtype)
        checks.assert_value(
            got, want,
            name=f"tensor_info inside a tf.function traced with TensorSpec({shape}, {dtype}) "
                 "(use the static x.shape, None for unknown)",
        )


def _feeds(rng, case):
    n = int(rng.integers(1, 8))
    if case == "affine":
        return {"x": rng.normal(size=(n, 3)).astype(np.float32)}
    if case == "variable":
        return {"x": rng.normal(size=(n, 4)).astype(np.float32)}
    m = int(rng.integers(1, 5))
    return {"x": rng.normal(size=(n, m)).astype(np.float32), "y": rng.normal(size=(n, m)).astype(np.float32)}


@pytest.mark.points(3)
def test_run_v1_graph_computes_the_fetch(student, reference, rng):
    for case in ("affine", "variable", "two_inputs"):
        feeds = _feeds(rng, case)
        got = student.probe("v1_case", case, feeds)
        want = reference.probe("v1_case", case, feeds)
        checks.assert_tensor(got["value"], want["value"], expect="array", dtype="float32", rtol=1e-6, atol=1e-6,
                             name=f"run_v1_graph result for the {case!r} builder (initialise variables first)")


@pytest.mark.points(2)
def test_run_v1_graph_leaves_eager_mode_and_the_default_graph_alone(student, reference, rng):
    feeds = _feeds(rng, "variable")
    got = student.probe("v1_case", "variable", feeds)
    want = reference.probe("v1_case", "variable", feeds)
    # Leaving global state alone is only worth points for a run_v1_graph that computes the fetch.
    checks.assert_tensor(got["value"], want["value"], expect="array", dtype="float32", rtol=1e-6, atol=1e-6,
                         name="run_v1_graph result for the 'variable' builder (initialise variables first)")
    assert got["eager_after"], "eager execution is off after run_v1_graph: never call disable_eager_execution()"
    assert not got["default_graph_replaced"], (
        "run_v1_graph replaced the global default graph; build in a fresh tf.Graph()"
    )
    assert got["default_graph_new_ops"] == 0, (
        f"run_v1_graph added {got['default_graph_new_ops']} ops to the global default graph; "
        "build inside `with tf.Graph().as_default():`"
    )


def test_run_v1_graph_opens_and_closes_exactly_one_session(student, rng):
    got = student.probe("v1_case", "two_inputs", _feeds(rng, "two_inputs"))
    assert got["sessions_opened"] == 1, (
        f"run_v1_graph opened {got['sessions_opened']} tf.compat.v1.Session(s); open exactly one, on your graph"
    )
    assert got["sessions_closed"] >= 1, (
        "the session was never closed; use `with tf.compat.v1.Session(graph=g) as sess:`"
    )
