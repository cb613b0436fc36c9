"""Hidden tests for A01 Q6: eager vs graph execution.

The points follow the work: writing ``step`` with TensorFlow ops, a Collatz loop AutoGraph can convert and a context
manager that restores the flag. The decorators the notebook hands out (signature, one trace, one graph) are worth
little on their own.
"""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q6")


def _x(rng, shape=(64, 64)):
    return Tensor(rng.normal(0, 2, size=shape).astype(np.float32))


@pytest.mark.points(4)
def test_step_and_fast_step_compute_the_specified_function(student, reference, rng):
    for shape in ((64, 64), (int(rng.integers(1, 20)), int(rng.integers(1, 50)))):
        x = _x(rng, shape)
        want = reference.call("step", x)
        checks.assert_tensor(student.call("step", x), want, expect="tensor", dtype="float32", rtol=1e-5, atol=1e-6,
                             name=f"step(x) on shape {shape}")
        checks.assert_tensor(student.call("fast_step", x), want, expect="tensor", dtype="float32", rtol=1e-5,
                             atol=1e-6, name=f"fast_step(x) on shape {shape}")


@pytest.mark.points(1)
def test_fast_step_gradient_matches_reference(student, reference, rng):
    checks.assert_gradients(student, reference, "fast_step", (_x(rng, (8, 5)),), rtol=1e-4, atol=1e-5)


@pytest.mark.points(0.5)
def test_fast_step_traces_once_for_all_shapes(student, rng):
    for shape in ((64, 64), (3, 7), (10, 1)):
        student.call("fast_step", _x(rng, shape))
    count = student.harness("tracing_count", "fast_step")
    assert count is not None, "fast_step must be a tf.function"
    assert count == 1, f"fast_step traced {count} times; keep input_signature=[tf.TensorSpec([None, None], tf.float32)]"


@pytest.mark.points(2)
def test_fast_step_is_faster_than_the_eager_step(student, reference, rng, thresholds):
    # Speed is only worth points for a fast_step that computes step: the timing run checks that the two agree, and
    # two functions that return their input (or nothing) agree as well.
    x = _x(rng)
    checks.assert_tensor(student.call("fast_step", x), reference.call("step", x), expect="tensor", dtype="float32",
                         rtol=1e-5, atol=1e-6, name="fast_step(x) before it is timed")
    # The eager baseline is the course's step (probes.eager_step), not the student's: a step of the student's own
    # could be slowed down on purpose to make fast_step look fast.
    checks.assert_speed({"student fast_step": (student, "fast_step"), "eager step": (student, "probes.eager_step")},
                        lambda r: [_x(r)], rng, fast="student fast_step", slow="eager step",
                        min_ratio=thresholds["min_graph_speedup"], trials=5, calls=30)


@pytest.mark.points(1)
def test_fast_step_graph_holds_the_whole_computation(student):
    # A Python callback inside the graph (tf.py_function, tf.numpy_function) runs eagerly on every call: it traces
    # once and may even beat a deliberately slowed eager step, but it is not graph execution. This is checked on
    # the graph itself rather than by timing against the reference, so grading needs no reference worker.
    assert student.harness("is_tf_function", "fast_step"), "fast_step must be a tf.function (keep its decorator)"
    checks.assert_graph_ops(student, "fast_step", [], include=["Tanh"],
                            exclude=["PyFunc", "PyFuncStateless", "EagerPyFunc"])


@pytest.mark.points(3)
def test_collatz_steps_values(student, reference, rng):
    ns = [0, 1, 2, 27, 97] + [int(v) for v in rng.integers(3, 100_000, size=8)]
    for n in ns:
        got = student.call("collatz_steps", n)
        want = reference.call("collatz_steps", n)
        checks.assert_tensor(got, want, expect="tensor", dtype="int32", atol=0, rtol=0, name=f"collatz_steps({n})")


@pytest.mark.points(1.5)
def test_collatz_steps_compiles_to_a_graph_loop(student):
    ops = student.probe("graph_op_types", "collatz_steps", [], "int32")
    assert ops, "collatz_steps must be a tf.function (keep its decorator)"
    assert {"While", "StatelessWhile"} & set(ops), (
        f"the graph of collatz_steps has no While loop (ops: {ops}); write `while n > 1:` on the tensor "
        "so AutoGraph converts it, do not loop over Python ints"
    )


@pytest.mark.points(0.5)
def test_collatz_steps_traces_once(student, rng):
    for n in rng.integers(2, 1000, size=5):
        student.call("collatz_steps", int(n))
    count = student.harness("tracing_count", "collatz_steps")
    assert count == 1, (
        f"collatz_steps traced {count} times for 5 inputs; keep input_signature=[tf.TensorSpec([], tf.int32)]"
    )


@pytest.mark.points(3)
def test_eager_debugging_sets_and_restores_the_flag(student, reference):
    got = student.probe("eager_debugging_observations")
    want = reference.probe("eager_debugging_observations")
    checks.assert_value(
        got, want,
        name="observations of eager_debugging() (True inside; previous value restored on exit and on exceptions)",
    )
