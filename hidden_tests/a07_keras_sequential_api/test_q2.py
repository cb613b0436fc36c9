"""Hidden tests for A07 Q2: Dense layers and activations from raw maths, against NumPy, with gradients at kinks."""

import numpy as np
import pytest
from scipy.special import erf

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q2")

NAMES = ["linear", "relu", "leaky_relu", "sigmoid", "tanh", "softmax", "swish", "gelu"]
ALPHA = 0.1
FORBIDDEN = ["tf.nn.relu", "tf.nn.relu6", "tf.nn.leaky_relu", "tf.math.sigmoid", "tf.nn.softmax", "tf.nn.silu",
             "tf.nn.gelu", "tf.nn.elu", "tf.nn.selu", "tf.nn.log_softmax", "tf.keras.activations.get",
             "tf.keras.activations.relu", "tf.keras.activations.sigmoid", "tf.keras.activations.softmax",
             "tf.keras.activations.gelu", "tf.keras.activations.swish"]


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _np_act(z, name):
    if name == "linear":
        return z
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, ALPHA * z)
    if name == "sigmoid":
        return _sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "softmax":
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    if name == "swish":
        return z * _sigmoid(z)
    return 0.5 * z * (1.0 + erf(z / np.sqrt(2.0)))


def _np_vjp(z, name, w):
    """d/dz of sum(act(z) * w), with Keras's derivative at the kinks (relu: 0 at 0, leaky_relu: alpha at 0)."""
    if name == "linear":
        return w
    if name == "relu":
        return np.where(z > 0, 1.0, 0.0) * w
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, ALPHA) * w
    if name == "sigmoid":
        s = _sigmoid(z)
        return s * (1 - s) * w
    if name == "tanh":
        return (1 - np.tanh(z) ** 2) * w
    if name == "softmax":
        s = _np_act(z, "softmax")
        return s * (w - (w * s).sum(axis=-1, keepdims=True))
    if name == "swish":
        s = _sigmoid(z)
        return (s + z * s * (1 - s)) * w
    return (0.5 * (1.0 + erf(z / np.sqrt(2.0))) + z * np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)) * w


def _with_kinks(rng, shape):
    z = rng.normal(0, 2, size=shape)
    z.flat[:: max(1, z.size // 5)] = 0.0  # exact zeros: the kinks of relu and leaky_relu
    return z


@pytest.mark.points(3)
def test_activation_values_against_numpy(student, rng):
    z = _with_kinks(rng, (6, 7))
    for name in NAMES:
        for dtype in (np.float32, np.float64):
            got = student.call("apply_activation", Tensor(z.astype(dtype)), name)
            checks.assert_tensor(got, _np_act(z, name).astype(dtype), expect="tensor", dtype=np.dtype(dtype).name,
                                 rtol=1e-5 if dtype == np.float32 else 1e-10, atol=1e-6 if dtype == np.float32
                                 else 1e-12, name=f"apply_activation(z, {name!r}) for {np.dtype(dtype).name} input")


@pytest.mark.points(3)
def test_activation_gradients_including_kinks(student, rng):
    z = _with_kinks(rng, (5, 6))
    seed = int(rng.integers(1 << 20))
    w = checks.upstream_weights(z.shape, seed)
    for name in NAMES:
        (grad,) = student.harness("gradient", "apply_activation", [Tensor(z), name], upstream_seed=seed)
        assert grad is not None, f"apply_activation(z, {name!r}) is not differentiable with respect to z"
        checks.assert_tensor(grad, _np_vjp(z, name, w), rtol=1e-8, atol=1e-10,
                             name=f"gradient of apply_activation(z, {name!r}) (relu has derivative 0 at 0, leaky_relu "
                                  f"{ALPHA} at 0, as Keras)")


@pytest.mark.points(2)
def test_activations_stable_at_large_inputs(student, rng):
    z = rng.normal(0, 1, size=(4, 5)).astype(np.float32)
    z[0] += 1000.0
    z[1] -= 1000.0
    z[2, 0] = 1000.0
    z[3, 1] = -1000.0
    for name in ("sigmoid", "softmax", "swish", "gelu", "tanh"):
        got = student.call("apply_activation", Tensor(z), name)
        checks.assert_tensor(got, _np_act(z.astype(np.float64), name).astype(np.float32), expect="tensor",
                             rtol=1e-5, atol=1e-6, name=f"apply_activation(z, {name!r}) with entries near +-1000 "
                                                        "(subtract the row max; exp of -|z| only)")
        (grad,) = student.harness("gradient", "apply_activation", [Tensor(z), name])
        assert grad is not None and np.isfinite(np.asarray(grad)).all(), (
            f"the gradient of apply_activation(z, {name!r}) has NaN or inf for entries near +-1000: a tf.where whose "
            "unselected branch overflows still poisons the gradient; compute exp(-|z|) instead")


@pytest.mark.points(2)
def test_dense_forward_values_and_gradients(student, rng):
    x = rng.normal(size=(5, 4))
    kernel, bias = rng.normal(size=(4, 3)), rng.normal(size=(3,))
    seed = int(rng.integers(1 << 20))
    w = checks.upstream_weights((5, 3), seed)
    for name in ("relu", "softmax", "gelu", "leaky_relu"):
        args = [Tensor(x), Tensor(kernel), Tensor(bias), name]
        z = x @ kernel + bias
        checks.assert_tensor(student.call("dense_forward", *args), _np_act(z, name), expect="tensor",
                             rtol=1e-9, atol=1e-12, name=f"dense_forward(x, kernel, bias, {name!r})")
        gx, gk, gb = student.harness("gradient", "dense_forward", args, wrt=(0, 1, 2), upstream_seed=seed)
        dz = _np_vjp(z, name, w)
        for got, want, what in ((gx, dz @ kernel.T, "x"), (gk, x.T @ dz, "kernel"), (gb, dz.sum(axis=0), "bias")):
            assert got is not None, f"dense_forward(..., {name!r}) is not differentiable with respect to {what}"
            checks.assert_tensor(got, want, rtol=1e-8, atol=1e-10,
                                 name=f"gradient of dense_forward(..., {name!r}) with respect to {what}")


@pytest.mark.points(2)
def test_no_library_activations(student, rng):
    x = rng.normal(size=(3, 4)).astype(np.float32)
    kernel, bias = rng.normal(size=(4, 6)).astype(np.float32), rng.normal(size=(6,)).astype(np.float32)
    for name in NAMES:
        args = [Tensor(x), Tensor(kernel), Tensor(bias), name]
        checks.assert_tensor(student.call("dense_forward", *args), _np_act((x @ kernel + bias).astype(np.float64),
                             name).astype(np.float32), expect="tensor", rtol=1e-5, atol=1e-5,
                             name=f"dense_forward(x, kernel, bias, {name!r})")
        checks.assert_no_forbidden_calls(student, "dense_forward", args, FORBIDDEN,
                                         why="write the activations with tf.exp, tf.where, tf.math.erf, ...")


@pytest.mark.points(2)
def test_l1l2_penalty_matches_keras_formula(student, rng):
    for _ in range(3):
        kernel = rng.normal(size=(int(rng.integers(2, 7)), int(rng.integers(1, 5))))
        l1, l2 = float(rng.uniform(0, 0.1)), float(rng.uniform(0, 0.1))
        want = l1 * np.abs(kernel).sum() + l2 * (kernel ** 2).sum()
        got = student.call("l1l2_penalty", Tensor(kernel), l1, l2)
        checks.assert_tensor(got, np.float64(want), rtol=1e-9, atol=1e-12,
                             name=f"l1l2_penalty(W, l1={l1:.3f}, l2={l2:.3f}) (Keras: l1*sum|W| + l2*sum W^2, "
                                  "no 1/2)")
    (grad,) = student.harness("gradient", "l1l2_penalty", [Tensor(kernel), l1, l2])
    checks.assert_tensor(grad, l1 * np.sign(kernel) + 2 * l2 * kernel, rtol=1e-9, atol=1e-12,
                         name="gradient of l1l2_penalty")


@pytest.mark.points(3)
def test_make_dense_initialisation_regulariser_and_activation(student, reference, rng):
    for name in ("gelu", "swish", "relu"):
        units, fan_in = int(rng.integers(20, 40)), int(rng.integers(30, 60))
        l1, l2, seed = float(rng.uniform(0.001, 0.05)), float(rng.uniform(0.001, 0.05)), int(rng.integers(1 << 20))
        x = rng.normal(size=(4, fan_in)).astype(np.float32)
        got = student.probe("q2_dense", units, name, l1, l2, seed, x)
        want = reference.probe("q2_dense", units, name, l1, l2, seed, x)
        assert got["is_dense"], "make_dense should return a tf.keras.layers.Dense"
        checks.assert_tensor(got["kernel"], want["kernel"], rtol=1e-6, atol=1e-7,
                             name=f"make_dense kernel (HeNormal(seed=seed), fan_in={fan_in})")
        checks.assert_tensor(got["bias"], np.zeros(units, np.float32), atol=0, name="make_dense bias (zeros)")
        kernel = np.asarray(got["kernel"], np.float64)
        out = _np_act(x.astype(np.float64) @ kernel, name)
        checks.assert_tensor(got["output"], out.astype(np.float32), rtol=1e-4, atol=1e-5,
                             name=f"output of make_dense(..., {name!r}, ...)(x)")
        penalty = l1 * np.abs(kernel).sum() + l2 * (kernel ** 2).sum()
        assert got["losses"] is not None, "make_dense's layer has no regularisation loss: pass kernel_regularizer"
        checks.assert_tensor(np.float64(got["losses"]), np.float64(penalty), rtol=1e-5, atol=1e-6,
                             name=f"the layer's regularisation loss with L1L2(l1={l1:.4f}, l2={l2:.4f})")
