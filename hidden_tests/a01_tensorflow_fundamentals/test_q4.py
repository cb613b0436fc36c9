"""Hidden tests for A01 Q4: constants vs variables, a RunningStats tf.Module."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q4")


def _stream(rng, dim, sizes, loc=0.0, scale=1.0):
    return [rng.normal(loc, scale, size=(n, dim)).astype(np.float32) for n in sizes]


def _assert_matches_numpy(got, batches, dim, rtol, what):
    data = np.concatenate(batches).astype(np.float64) if batches else np.zeros((0, dim))
    n = data.shape[0]
    mean = data.mean(axis=0) if n else np.zeros(dim)
    var = data.var(axis=0) if n else np.zeros(dim)
    checks.assert_value(float(got["count"]), float(n), name=f"{what}: count")
    checks.assert_tensor(got["mean"], mean, expect="any", dtype="float64", rtol=rtol, atol=1e-12, name=f"{what}: mean")
    checks.assert_tensor(got["variance"], var, expect="tensor", dtype="float64", rtol=rtol, atol=1e-12,
                         name=f"{what}: variance (population, float64)")
    checks.assert_tensor(got["std"], np.sqrt(var), expect="tensor", dtype="float64", rtol=rtol, atol=1e-12,
                         name=f"{what}: std")


@pytest.mark.points(3)
def test_running_stats_matches_numpy_on_a_stream(student, rng):
    dim = int(rng.integers(2, 7))
    batches = _stream(rng, dim, [int(s) for s in rng.integers(1, 300, size=7)], loc=rng.normal(), scale=2.0)
    got = student.probe("stream_stats", dim, batches)
    _assert_matches_numpy(got, batches, dim, 1e-9, "after 7 batches")


@pytest.mark.points(2)
def test_running_stats_is_stable_at_a_large_offset(student, rng):
    dim = 3
    # Sum-of-squares formulas lose every digit here even in float64; Chan/Welford does not.
    batches = _stream(rng, dim, [int(s) for s in rng.integers(50, 400, size=5)], loc=1e6, scale=0.5)
    got = student.probe("stream_stats", dim, batches)
    _assert_matches_numpy(got, batches, dim, 1e-6, "data around 1e6")


def test_empty_batches_change_nothing(student, rng):
    dim = 4
    batches = _stream(rng, dim, [0, int(rng.integers(2, 50)), 0, int(rng.integers(2, 50))])
    got = student.probe("stream_stats", dim, batches)
    _assert_matches_numpy(got, batches, dim, 1e-9, "stream with empty batches")
    got = student.probe("stream_stats", dim, _stream(rng, dim, [0]))
    _assert_matches_numpy(got, [], dim, 1e-9, "only an empty batch (no NaN: use tf.math.divide_no_nan)")


def test_update_traces_once_for_every_batch_size(student, rng):
    got = student.probe("stream_stats", 2, _stream(rng, 2, [1, 5, 64, 3, 250]))
    assert got["tracing_count"] is not None, "update must be a tf.function (keep its decorator)"
    assert got["tracing_count"] == 1, (
        f"update traced {got['tracing_count']} times for 5 batch sizes; keep "
        "input_signature=[tf.TensorSpec([None, None], tf.float32)] and create no variables inside it"
    )


def test_state_is_three_non_trainable_float64_variables(student):
    got = student.probe("stream_stats", 3, [])
    assert got["is_tf_module"], "RunningStats must subclass tf.Module"
    assert got["all_tf_variables"], "count, mean and m2 must be tf.Variable attributes (not Python numbers or tensors)"
    checks.assert_value(got["n_variables"], 3, name="len(module.variables)")
    checks.assert_value(got["n_trainable"], 0, name="len(module.trainable_variables) (pass trainable=False)")
    checks.assert_value(got["variable_dtypes"], ["float64"] * 3, name="variable dtypes")


@pytest.mark.points(2)
def test_merge_combines_two_streams(student, rng):
    dim = int(rng.integers(2, 5))
    a = _stream(rng, dim, [int(s) for s in rng.integers(1, 100, size=3)], loc=3.0)
    b = _stream(rng, dim, [int(s) for s in rng.integers(1, 100, size=2)], loc=-1.0, scale=3.0)
    got = student.probe("merge_stats", dim, a, b)
    _assert_matches_numpy(got, a + b, dim, 1e-9, "a.merge(b)")
    assert got["other_unchanged"], "merge must not modify the other module"


def test_checkpoint_restores_the_state(student, rng):
    dim = 3
    batches = _stream(rng, dim, [int(s) for s in rng.integers(1, 60, size=3)])
    got = student.probe("checkpoint_roundtrip", dim, batches)
    _assert_matches_numpy(got, batches, dim, 1e-9, "a fresh module restored from tf.train.Checkpoint")
