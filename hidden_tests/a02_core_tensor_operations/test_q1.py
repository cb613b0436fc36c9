"""Hidden tests for A02 Q1: tensor creation and initialization."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q1")

KEYS = ["bias_10", "eye4", "fill_2x3_7", "normal_2x4", "uniform_3", "zeros33"]

# Every library routine that computes a variance-scaling initializer: tf.keras (tf_keras, whose
# GlorotUniform/HeNormal inherit VarianceScaling.__call__), tf.compat.v1 and Keras 3.
FORBIDDEN_INITIALIZERS = [
    "tf.keras.initializers.GlorotUniform.__call__",
    "tf.keras.initializers.HeNormal.__call__",
    "tf.keras.initializers.VarianceScaling.__call__",
    "tf.compat.v1.glorot_uniform_initializer.__call__",
    "tf.compat.v1.variance_scaling_initializer.__call__",
    "keras.initializers.VarianceScaling.__call__",
]


def _kernel_shapes(rng):
    """A dense, a Conv1D and a Conv2D kernel shape the student has not seen."""
    return [
        (int(rng.integers(5, 60)), int(rng.integers(5, 60))),
        (int(rng.integers(2, 6)), int(rng.integers(2, 9)), int(rng.integers(2, 9))),
        (int(rng.integers(1, 4)) * 2 + 1, int(rng.integers(1, 4)) * 2 + 1, int(rng.integers(2, 17)),
         int(rng.integers(2, 17))),
    ]


@pytest.mark.points(2)
def test_make_tensors_matches_the_stateless_draws(student, reference, rng):
    seed = int(rng.integers(1, 2**31 - 1))
    got = student.call("make_tensors", seed)
    want = reference.call("make_tensors", seed)
    assert isinstance(got, dict), f"make_tensors() must return a dict, got {type(got).__name__}"
    checks.assert_value(sorted(got), KEYS, name="make_tensors() keys")
    for key in KEYS:
        checks.assert_tensor(got[key], want[key], expect="tensor", rtol=0, atol=0,
                             name=f"make_tensors({seed})[{key!r}] (use the stateless draws with the given seeds)")
    info = student.probe("bias_variable_info", seed)
    assert info["is_variable"] and info["trainable"], "bias_10 must be a trainable tf.Variable"


def test_make_tensors_is_reproducible_and_seed_dependent(student, rng):
    seed = int(rng.integers(1, 2**31 - 2))
    first, again, other = (student.call("make_tensors", s) for s in (seed, seed, seed + 1))
    for key in ("normal_2x4", "uniform_3"):
        checks.assert_tensor(again[key], first[key], rtol=0, atol=0,
                             name=f"{key} for the same seed twice (bitwise equal: use stateless RNG)")
        assert not np.array_equal(np.asarray(other[key]), np.asarray(first[key])), (
            f"{key} is the same for seeds {seed} and {seed + 1}: pass the seed to the stateless op")


def test_compute_fans_for_dense_and_conv_kernels(student, reference, rng):
    shapes = [(), (int(rng.integers(2, 50)),), *_kernel_shapes(rng), (2, 3, 3, 4, 5)]
    for shape in shapes:
        got = student.call("compute_fans", shape)
        want = reference.call("compute_fans", shape)
        assert isinstance(got, (list, tuple)) and len(got) == 2, (
            f"compute_fans({shape}) must return (fan_in, fan_out), got {got!r}")
        checks.assert_value(list(got), list(want),
                            name=f"compute_fans({shape}) (conv kernels multiply by the receptive field)")


@pytest.mark.points(2)
def test_glorot_uniform_follows_the_formula(student, reference, rng):
    for shape in _kernel_shapes(rng):
        seed = int(rng.integers(1, 2**31 - 1))
        got = student.call("glorot_uniform", shape, seed)
        want = reference.call("glorot_uniform", shape, seed)
        checks.assert_tensor(got, want, expect="tensor", dtype="float32", rtol=1e-6, atol=1e-7,
                             name=f"glorot_uniform({shape}, {seed}) (limit = sqrt(6 / (fan_in + fan_out)))")


@pytest.mark.points(2)
def test_he_normal_follows_the_formula(student, reference, rng):
    for shape in _kernel_shapes(rng):
        seed = int(rng.integers(1, 2**31 - 1))
        got = student.call("he_normal", shape, seed)
        want = reference.call("he_normal", shape, seed)
        checks.assert_tensor(got, want, expect="tensor", dtype="float32", rtol=1e-6, atol=1e-7,
                             name=f"he_normal({shape}, {seed}) (truncated normal, stddev = sqrt(2 / fan_in) / "
                                  "0.87962566103423978)")


@pytest.mark.points(2)
def test_initializers_do_not_call_library_initializers(student, reference, rng):
    shape = _kernel_shapes(rng)[2]
    seed = int(rng.integers(1, 2**31 - 1))
    student.probe("import_keras3")  # so that the Keras 3 name resolves in the worker
    for fn in ("glorot_uniform", "he_normal"):
        # A working answer first, so a blank stub cannot pass by calling nothing at all.
        checks.assert_tensor(student.call(fn, shape, seed), reference.call(fn, shape, seed), expect="tensor",
                             dtype="float32", rtol=1e-6, atol=1e-7, name=f"{fn}({shape}, {seed})")
        checks.assert_no_forbidden_calls(student, fn, (shape, seed), forbidden=FORBIDDEN_INITIALIZERS,
                                         why="write the initializer from its formula with a stateless random op")
