"""Hidden tests for A03 Q2: tf.function and AutoGraph (values, retracing, graph ops, speed)."""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor, TensorSpec

pytestmark = pytest.mark.question("q2")

EMA_SIGNATURE = [TensorSpec([None], "float32"), TensorSpec([], "float32")]


def _vec(rng, n):
    return Tensor(rng.normal(0, 2, size=n).astype(np.float32))


@pytest.mark.points(2)
def test_ema_and_ema_eager_compute_the_moving_average(student, reference, rng):
    for n in (1, 2, int(rng.integers(5, 40)), 64):
        x, alpha = _vec(rng, n), float(rng.uniform(0.05, 1.0))
        want = reference.call("ema", x, alpha)
        for name in ("ema_eager", "ema"):
            checks.assert_tensor(student.call(name, x, alpha), want, expect="tensor", dtype="float32", rtol=1e-5,
                                 atol=1e-6, name=f"{name}(x, {alpha:.3f}) for a vector of length {n}")


@pytest.mark.points(2)
def test_ema_traces_once_for_every_length_and_python_float_alpha(student, rng):
    for n in (3, 8, 21, 50):
        student.call("ema", _vec(rng, n), float(rng.uniform(0.05, 1.0)))
    student.probe("ema_with_python_floats", rng.normal(size=10).astype(np.float32), [0.1, 0.25, 0.5])
    count = student.harness("tracing_count", "ema")
    assert count is not None, "ema must be a tf.function: make_ema() should return tf.function(ema_eager, ...)"
    assert count == 1, (
        f"ema traced {count} times for vectors of 5 lengths and 7 Python float alphas; a plain tf.function retraces "
        "for every new shape and bakes every new Python float into a new graph. Give make_ema's tf.function an "
        "input_signature with TensorSpec([None], tf.float32) and TensorSpec([], tf.float32)")


@pytest.mark.points(2)
def test_autograph_turns_the_loop_and_the_branches_into_graph_ops(student):
    ops = checks.assert_graph_ops(student, "ema", EMA_SIGNATURE, include_any=("While", "StatelessWhile"))
    assert any(op.startswith("TensorList") or op.startswith("TensorArray") for op in ops), (
        "the graph of ema has no TensorArray ops; collect the values with tf.TensorArray inside the loop")
    checks.assert_graph_ops(student, "clip_or_scale", [TensorSpec([None], "float32")],
                            include_any=("If", "StatelessIf"))


@pytest.mark.points(2)
def test_clip_or_scale_takes_the_right_branch(student, reference, rng):
    cases = {
        "inside [-1, 1]": rng.uniform(-0.9, 0.9, size=7),
        "positive sum, out of range (scale)": np.concatenate([rng.uniform(1.5, 4, 4), rng.uniform(-1, 0, 3)]),
        "negative sum, out of range (clip)": np.concatenate([rng.uniform(-4, -1.5, 4), rng.uniform(0, 1, 3)]),
    }
    for label, values in cases.items():
        x = Tensor(values.astype(np.float32))
        checks.assert_tensor(student.call("clip_or_scale", x), reference.call("clip_or_scale", x), expect="tensor",
                             dtype="float32", rtol=1e-6, atol=1e-7, name=f"clip_or_scale on a vector {label}")


def test_ema_gradient_matches_reference(student, reference, rng):
    args = (_vec(rng, 12), float(rng.uniform(0.1, 0.9)))
    checks.assert_gradients(student, reference, "ema", args, wrt=(0,), rtol=1e-4, atol=1e-5)


@pytest.mark.points(2)
def test_ema_graph_is_faster_than_the_same_code_run_eagerly(student, reference, rng, thresholds):
    n = 64
    speeds = checks.measure_speed(
        {
            "reference ema": (reference, "ema"),
            "student ema (tf.function)": (student, "ema"),
            "reference ema_eager": (reference, "ema_eager"),  # the baseline, where the student cannot slow it
        },
        lambda r: [Tensor(r.normal(0, 2, size=n).astype(np.float32)), float(r.uniform(0.05, 1.0))],
        rng,
        trials=5,
        calls=10,
        rtol=1e-5,
        atol=1e-5,
    )
    checks.assert_speed_ratio(speeds, "student ema (tf.function)", "reference ema_eager",
                              thresholds["min_graph_speedup"])
