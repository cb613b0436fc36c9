"""Hidden tests for A07 Q1: linear stacks built two ways, checked against the judge's own arithmetic.

The probe builds the student's model, replaces its weights with draws from the judge's seed and returns them with
the outputs; the judge recomputes the forward pass in NumPy from the layer order the question asks for, and the
parameter count from the returned weight shapes.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q1")

BN_EPS = 1e-3


def _spec(hidden, dropout, batchnorm):
    """The expected (class, name) sequence."""
    layers = []
    for i, _ in enumerate(hidden, start=1):
        layers.append(["Dense", f"hidden_{i}"])
        if batchnorm:
            layers.append(["BatchNormalization", f"bn_{i}"])
        if dropout > 0:
            layers.append(["Dropout", f"dropout_{i}"])
    layers.append(["Dense", "output"])
    return layers


def _shapes(input_dim, hidden, classes, batchnorm):
    shapes, n_in = [], input_dim
    for units in hidden:
        shapes += [(n_in, units), (units,)]
        if batchnorm:
            shapes += [(units,)] * 4
        n_in = units
    return shapes + [(n_in, classes), (classes,)]


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _forward(weights, x, hidden, batchnorm):
    """Dense(relu) -> [BatchNorm in inference mode] -> [Dropout: identity] ... -> Dense(softmax), in float64."""
    w = [np.asarray(a, np.float64) for a in weights]
    h, k = np.asarray(x, np.float64), 0
    for _ in hidden:
        h = np.maximum(h @ w[k] + w[k + 1], 0.0)
        k += 2
        if batchnorm:
            gamma, beta, mean, var = w[k:k + 4]
            h = gamma * (h - mean) / np.sqrt(var + BN_EPS) + beta
            k += 4
    return _softmax(h @ w[k] + w[k + 1])


def _case(rng, dropout, batchnorm):
    input_dim = int(rng.integers(3, 9))
    hidden = [int(h) for h in rng.integers(2, 9, size=int(rng.integers(1, 4)))]
    classes = int(rng.integers(2, 6))
    x = rng.normal(size=(int(rng.integers(4, 9)), input_dim)).astype(np.float32)
    return input_dim, hidden, classes, dropout, batchnorm, int(rng.integers(1 << 20)), x


def _check_forward(got, case, what):
    input_dim, hidden, classes, dropout, batchnorm, _, x = case
    shapes = [tuple(np.shape(w)) for w in got["weights"]]
    want_shapes = _shapes(input_dim, hidden, classes, batchnorm)
    if shapes != want_shapes:
        raise checks.CheckFailed(
            f"{what}: the weight shapes {shapes} do not fit input_dim={input_dim}, hidden={hidden}, "
            f"num_classes={classes}, batchnorm={batchnorm} (a Dense kernel and bias per layer, and gamma, beta, "
            "moving mean and variance per BatchNormalization)", values=f"expected {want_shapes}")
    checks.assert_tensor(got["inference"], _forward(got["weights"], x, hidden, batchnorm).astype(np.float32),
                         rtol=1e-4, atol=1e-5,
                         name=f"{what} output in inference mode (Dense+relu, then BatchNormalization, then Dropout, "
                              "per hidden layer; softmax output)")


@pytest.mark.points(3)
@pytest.mark.parametrize("builder", ["build_mlp", "build_mlp_incremental"])
def test_forward_pass_matches_numpy_arithmetic(student, rng, builder):
    for dropout, batchnorm in ((0.0, False), (0.3, True), (0.0, True), (0.5, False)):
        case = _case(rng, dropout, batchnorm)
        got = student.probe("q1_model", builder, *case)
        _check_forward(got, case, f"{builder}(dropout={dropout}, batchnorm={batchnorm})")


@pytest.mark.points(2)
def test_parameter_counts_from_weight_shapes(student, rng):
    for dropout, batchnorm in ((0.2, True), (0.0, False)):
        case = _case(rng, dropout, batchnorm)
        got = student.probe("q1_model", "build_mlp", *case)
        _check_forward(got, case, "build_mlp")
        input_dim, hidden, classes = case[:3]
        dims = [input_dim, *hidden, classes]
        dense = sum(a * b + b for a, b in zip(dims[:-1], dims[1:], strict=True))
        bn = 2 * sum(hidden) if batchnorm else 0
        trainable = sum(int(np.size(w)) for w, t in zip(got["weights"], got["trainable"], strict=True) if t)
        frozen = sum(int(np.size(w)) for w, t in zip(got["weights"], got["trainable"], strict=True) if not t)
        assert trainable == dense + bn, (
            f"build_mlp({input_dim}, {hidden}, {classes}, batchnorm={batchnorm}) has {trainable} trainable "
            "parameters; count them by hand: Dense n_in*n_out + n_out, BatchNormalization gamma and beta")
        assert frozen == bn, (
            f"build_mlp(batchnorm={batchnorm}) has {frozen} non-trainable parameters; only BatchNormalization's "
            "moving mean and variance are non-trainable")


@pytest.mark.points(2)
@pytest.mark.parametrize("builder", ["build_mlp", "build_mlp_incremental"])
def test_layer_types_names_and_order(student, rng, builder):
    for dropout, batchnorm in ((0.25, True), (0.0, False), (0.4, False), (0.0, True)):
        case = _case(rng, dropout, batchnorm)
        got = student.probe("q1_model", builder, *case)
        _check_forward(got, case, builder)
        want = _spec(case[1], dropout, batchnorm)
        if got["layers"] != want:
            raise checks.CheckFailed(
                f"{builder}(hidden={case[1]}, dropout={dropout}, batchnorm={batchnorm}) has layers {got['layers']} "
                "(class, name); check the names hidden_i/bn_i/dropout_i/output, the order Dense, BatchNormalization, "
                "Dropout, and Dropout only when dropout > 0, BatchNormalization only when batchnorm",
                values=f"expected {want}")


@pytest.mark.points(2)
@pytest.mark.parametrize("builder", ["build_mlp", "build_mlp_incremental"])
def test_built_sequential_with_input_and_output_shape(student, rng, builder):
    case = _case(rng, 0.2, True)
    got = student.probe("q1_model", builder, *case)
    _check_forward(got, case, builder)
    assert got["is_sequential"], f"{builder} should return a tf.keras.Sequential"
    assert got["built_before_call"], (
        f"{builder}'s model has no weights before its first call: start the stack with tf.keras.Input")
    assert got["output_shape"] == [None, case[2]], (
        f"{builder}'s output_shape is {got['output_shape']}, expected (None, num_classes)")


@pytest.mark.points(1)
def test_dropout_acts_only_in_training(student, rng):
    case = _case(rng, 0.5, False)
    got = student.probe("q1_model", "build_mlp", *case)
    _check_forward(got, case, "build_mlp(dropout=0.5)")
    training = np.asarray(got["training"], np.float64)
    np.testing.assert_allclose(training.sum(axis=-1), 1.0, atol=1e-5,
                               err_msg="softmax outputs in training mode should sum to 1 per row")
    assert not np.allclose(training, np.asarray(got["inference"])), (
        "with dropout=0.5 the training-mode output equals the inference output: Dropout should drop units "
        "when training=True")
