"""Hidden tests for A10 Q2: pooling by hand, gradient routing, global and adaptive pooling, strategies on a task.

``tf.nn.max_pool2d``/``avg_pool2d`` run in the reference worker as the trusted answer; adaptive and global pooling
are checked against the judge's own NumPy; the pooling-strategy task is drawn here and scored here.
"""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q2")

FORBIDDEN = ["tf.nn.max_pool2d", "tf.nn.max_pool", "tf.nn.avg_pool2d", "tf.nn.avg_pool",
             "tf.nn.pool", "tf.nn.max_pool_with_argmax", "tf.raw_ops.MaxPool",
             "tf.raw_ops.MaxPoolV2", "tf.raw_ops.AvgPool", "tf.keras.layers.MaxPooling2D.call",
             "tf.keras.layers.AveragePooling2D.call"]

CASES = [(2, 7, 9, 3, 2, 2, "VALID"), (2, 7, 9, 3, 3, 2, "SAME"), (1, 8, 8, 2, 3, 1, "SAME"),
         (3, 10, 6, 1, 3, 3, "VALID"), (1, 5, 5, 4, 2, 2, "SAME"), (2, 9, 9, 2, 4, 3, "SAME")]


def _pool_compare(student, reference, fn, probe, x, k, s, padding):
    got = student.call(fn, Tensor(x), k, s, padding)
    want = reference.probe(probe, Tensor(x), k, s, padding)
    checks.assert_tensor(got, want, expect="tensor", dtype="float32", rtol=1e-5, atol=1e-6,
                         name=f"{fn}(x {x.shape}, pool {k}, stride {s}, {padding}) vs the TensorFlow op")


@pytest.mark.points(3)
def test_max_pool_matches_tf_including_negative_inputs(student, reference, rng):
    for b, h, w, c, k, s, padding in CASES:
        _pool_compare(student, reference, "max_pool2d", "tf_max_pool", rng.normal(size=(b, h, w, c)).astype(np.float32),
                      k, s, padding)
    # All negative: a SAME window that includes padding must still return a real input, never the pad value.
    x = -np.abs(rng.normal(size=(2, 7, 7, 2))).astype(np.float32) - 1.0
    _pool_compare(student, reference, "max_pool2d", "tf_max_pool", x, 3, 2, "SAME")


@pytest.mark.points(2)
def test_avg_pool_matches_tf_counting_real_inputs_only(student, reference, rng):
    for b, h, w, c, k, s, padding in CASES:
        x = (rng.normal(size=(b, h, w, c)) + 2.0).astype(np.float32)
        _pool_compare(student, reference, "avg_pool2d", "tf_avg_pool", x, k, s, padding)


@pytest.mark.points(3)
def test_gradients_route_like_tf(student, reference, rng):
    for fn, probe in (("max_pool2d", "tf_max_pool"), ("avg_pool2d", "tf_avg_pool")):
        for k, s, padding in ((2, 2, "VALID"), (3, 2, "SAME"), (3, 1, "SAME")):
            x = Tensor(rng.normal(size=(2, 7, 8, 3)).astype(np.float32))
            (got,) = student.harness("gradient", fn, [x, k, s, padding], upstream_seed=5)
            (want,) = reference.harness("gradient", f"probes.{probe}", [x, k, s, padding], upstream_seed=5)
            if got is None:
                raise checks.CheckFailed(f"the gradient of {fn} is None: use TensorFlow ops the tape can follow")
            checks.assert_tensor(got, want, rtol=1e-5, atol=1e-6,
                                 name=f"gradient of {fn} (pool {k}, stride {s}, {padding}) vs the TensorFlow op's: "
                                      + ("only each window's maximum receives gradient" if fn == "max_pool2d"
                                         else "each input receives 1/count of every window it is in"))


def _adaptive(x, oh, ow):
    b, h, w, c = x.shape
    out = np.zeros((b, oh, ow, c), np.float64)
    for i in range(oh):
        r0, r1 = (i * h) // oh, -(-((i + 1) * h) // oh)
        for j in range(ow):
            c0, c1 = (j * w) // ow, -(-((j + 1) * w) // ow)
            out[:, i, j] = x[:, r0:r1, c0:c1].mean(axis=(1, 2))
    return out


@pytest.mark.points(2)
def test_global_and_adaptive_pooling(student, rng):
    x = rng.normal(size=(3, 7, 10, 4)).astype(np.float32)
    got = student.call("global_pools", Tensor(x))
    if not isinstance(got, (list, tuple)) or len(got) != 2:
        raise checks.CheckFailed("global_pools should return a pair (average, max)")
    checks.assert_tensor(got[0], x.mean(axis=(1, 2)), rtol=1e-5, atol=1e-6, name="global average of global_pools")
    checks.assert_tensor(got[1], x.max(axis=(1, 2)), rtol=1e-6, atol=0, name="global max of global_pools")
    for oh, ow in ((3, 4), (7, 5), (2, 2), (1, 3), (7, 10)):
        got = student.call("adaptive_avg_pool2d", Tensor(x), (oh, ow))
        checks.assert_tensor(got, _adaptive(x.astype(np.float64), oh, ow), rtol=1e-5, atol=1e-5,
                             name=f"adaptive_avg_pool2d from 7x10 to {oh}x{ow} (bins floor(i*H/oh) .. "
                                  "ceil((i+1)*H/oh), possibly overlapping)")


@pytest.mark.points(2)
def test_pooling_by_hand_calls_no_library_pooling(student, reference, rng):
    x = rng.normal(size=(2, 7, 7, 3)).astype(np.float32)
    _pool_compare(student, reference, "max_pool2d", "tf_max_pool", x, 3, 2, "SAME")
    _pool_compare(student, reference, "avg_pool2d", "tf_avg_pool", x, 3, 2, "SAME")
    for fn in ("max_pool2d", "avg_pool2d"):
        checks.assert_no_forbidden_calls(student, fn, [Tensor(x), 3, 2, "SAME"], FORBIDDEN,
                                         why="take the windows with slices and reduce them yourself")


def _marks(rng, n):
    """Label 1: an X mark somewhere in noise; label 0: a + mark (the same number of bright pixels)."""
    x = rng.normal(0, 0.3, (n, 24, 24)).astype(np.float32)
    y = rng.integers(0, 2, n)
    for i in range(n):
        r, c = int(rng.integers(1, 23)), int(rng.integers(1, 23))
        if y[i]:
            for d in (-1, 0, 1):
                x[i, r + d, c + d] += 1
                x[i, r + d, c - d] += 1
            x[i, r, c] -= 1
        else:
            x[i, r - 1:r + 2, c] += 1
            x[i, r, c - 1:c + 2] += 1
            x[i, r, c] -= 1
    return x[..., None], y.astype(np.int32)


@pytest.mark.points(3)
def test_pooling_strategies_compared_on_a_detection_task(student, rng, thresholds):
    x, y = _marks(rng, 400)
    x_test, y_test = _marks(rng, 200)
    seed = int(rng.integers(0, 2**20))
    accuracy = {}
    for kind, layer in (("max", "GlobalMaxPooling2D"), ("avg", "GlobalAveragePooling2D")):
        got = student.probe("pooling_strategy", kind, x, y, x_test, seed)
        if layer not in got["layers"] or got["layers"].count("Conv2D") != 2:
            raise checks.CheckFailed(f"build_pooling_classifier({kind!r}) should hold two Conv2D layers and a "
                                     f"{layer}; it holds {got['layers']}")
        accuracy[kind] = float(np.mean(np.argmax(np.asarray(got["logits"]), axis=-1) == y_test))
    if accuracy["max"] < thresholds["min_max_pool_accuracy"]:
        raise checks.CheckFailed(
            f"the global-max-pooling classifier reaches {accuracy['max']:.3f} on held-out marks, below the required "
            f"{thresholds['min_max_pool_accuracy']:.2f}: two 'same' 3x3 ReLU convs, the global pooling, one Dense "
            "layer of logits")
    if accuracy["avg"] >= accuracy["max"]:
        raise checks.CheckFailed("the average-pooling classifier does as well as the max-pooling one on a task where "
                                 "one small mark decides the class: check that kind='avg' really averages")
