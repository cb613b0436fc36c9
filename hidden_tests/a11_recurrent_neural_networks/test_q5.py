"""Hidden tests for A11 Q5: Bahdanau (additive) and Luong (dot, general) attention with masks.

Values are compared with the judge's own NumPy computation and, for Luong's dot score, with
``tf.keras.layers.Attention`` in the reference worker; gradients with the reference's.
"""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q5")

FORBIDDEN = ["tf.keras.layers.Attention.call", "tf.keras.layers.AdditiveAttention.call",
             "tf.keras.layers.MultiHeadAttention.call"]


def _softmax(scores, mask):
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    scores = scores - scores.max(-1, keepdims=True)
    e = np.exp(scores)
    return e / e.sum(-1, keepdims=True)


def _bahdanau(q, values, w1, w2, v, mask):
    scores = np.tanh((q @ w1)[:, None, :] + values @ w2) @ v
    weights = _softmax(scores, mask)
    return np.einsum("bt,bth->bh", weights, values), weights


def _luong(q, values, w, mask):
    keys = values if w is None else values @ w.T
    weights = _softmax(np.einsum("bh,bth->bt", q, keys), mask)
    return np.einsum("bt,bth->bh", weights, values), weights


def _mask(rng, batch, steps):
    mask = rng.random((batch, steps)) > 0.35
    mask[np.arange(batch), rng.integers(0, steps, batch)] = True  # at least one real position
    mask[0] = True
    return mask


def _case(rng, batch, steps, h, hv, units):
    return (rng.normal(size=(batch, h)), rng.normal(size=(batch, steps, hv)), rng.normal(0, 0.5, (h, units)),
            rng.normal(0, 0.5, (hv, units)), rng.normal(size=(units,)))


def _check(got, want, what):
    if not isinstance(got, (list, tuple)) or len(got) != 2:
        raise checks.CheckFailed(f"{what} must return (context, weights)")
    checks.assert_tensor(got[0], want[0], expect="tensor", dtype="float32", rtol=1e-4, atol=1e-5,
                         name=f"{what} context")
    checks.assert_tensor(got[1], want[1], expect="tensor", dtype="float32", rtol=1e-4, atol=1e-6,
                         name=f"{what} attention weights")


@pytest.mark.points(3)
def test_bahdanau_matches_numpy(student, rng):
    for batch, steps, h, hv, units, masked in ((3, 6, 4, 5, 7, False), (4, 9, 6, 3, 5, True), (1, 2, 3, 3, 2, True)):
        q, values, w1, w2, v = _case(rng, batch, steps, h, hv, units)
        mask = _mask(rng, batch, steps) if masked else None
        # the weights as NumPy float64 arrays: compute in float32 like the query
        got = student.call("bahdanau_attention", Tensor(q.astype(np.float32)), Tensor(values.astype(np.float32)),
                           w1, w2, v, mask=mask)
        _check(got, _bahdanau(q, values, w1, w2, v, mask),
               f"bahdanau_attention (query {batch}x{h}, values {batch}x{steps}x{hv}, {units} units"
               f"{', masked' if masked else ''})")


@pytest.mark.points(3)
def test_luong_dot_matches_keras_attention_and_general_matches_numpy(student, reference, rng):
    for batch, steps, h in ((3, 6, 4), (2, 8, 5)):
        q = rng.normal(size=(batch, h)).astype(np.float32)
        values = rng.normal(size=(batch, steps, h)).astype(np.float32)
        mask = _mask(rng, batch, steps)
        got = student.call("luong_attention", Tensor(q), Tensor(values), mask=mask)
        _check(got, reference.probe("keras_luong_dot", q, values, mask),
               f"luong_attention dot score vs tf.keras.layers.Attention (values {batch}x{steps}x{h}, masked)")
    for batch, steps, h, hv in ((3, 5, 4, 6), (1, 7, 3, 3), (2, 1, 3, 4)):
        q, values = rng.normal(size=(batch, h)), rng.normal(size=(batch, steps, hv))
        w = rng.normal(0, 0.5, (h, hv))
        mask = _mask(rng, batch, steps)
        got = student.call("luong_attention", Tensor(q.astype(np.float32)), Tensor(values.astype(np.float32)),
                           w=w, mask=mask)  # w: a NumPy float64 array
        _check(got, _luong(q, values, w, mask),
               f"luong_attention general score query @ w @ value (query dim {h}, value dim {hv}, masked)")


@pytest.mark.points(2)
def test_masked_positions_get_no_weight_and_weights_sum_to_one(student, rng):
    batch, steps, h = 4, 7, 5
    q, values, w1, w2, v = _case(rng, batch, steps, h, h, 6)
    mask = _mask(rng, batch, steps)
    values[~mask] = 1e4  # huge padding: any weight that reaches it shows in the context
    for fn, args in (("bahdanau_attention", (q, values, w1, w2, v)), ("luong_attention", (q, values))):
        got = student.call(fn, *[Tensor(a.astype(np.float32)) for a in args], mask=mask)
        context, weights = np.asarray(got[0], np.float64), np.asarray(got[1], np.float64)
        want = (_bahdanau(q, values, w1, w2, v, mask) if fn == "bahdanau_attention" else _luong(q, values, None, mask))
        checks.assert_tensor(weights, want[1], rtol=1e-4, atol=1e-6, name=f"{fn} weights with a mask")
        if np.abs(weights[~mask]).max() > 1e-6:
            raise checks.CheckFailed(f"{fn}: masked positions must get zero weight")
        if np.abs(weights.sum(-1) - 1).max() > 1e-5:
            raise checks.CheckFailed(f"{fn}: the weights over the real positions must sum to 1")
        checks.assert_tensor(context, want[0], rtol=1e-3, atol=1e-2,
                             name=f"{fn} context with huge values at masked positions")


@pytest.mark.points(1)
def test_permuting_positions_permutes_weights(student, rng):
    batch, steps, h = 3, 6, 4
    q, values, w1, w2, v = [a.astype(np.float32) for a in _case(rng, batch, steps, h, h, 5)]
    perm = rng.permutation(steps)
    got = student.call("bahdanau_attention", *[Tensor(a) for a in (q, values, w1, w2, v)])
    _check(got, _bahdanau(q, values, w1, w2, v, None), "bahdanau_attention")
    permuted = student.call("bahdanau_attention", *[Tensor(a) for a in (q, values[:, perm], w1, w2, v)])
    checks.assert_tensor(permuted[1], np.asarray(got[1])[:, perm], rtol=1e-5, atol=1e-6,
                         name="weights for permuted value positions (must be the same permutation of the weights)")
    checks.assert_tensor(permuted[0], got[0], rtol=1e-5, atol=1e-5,
                         name="context for permuted value positions (must not change)")


@pytest.mark.points(2)
def test_gradients_match_reference(student, reference, rng):
    q, values, w1, w2, v = [Tensor(a.astype(np.float32)) for a in _case(rng, 3, 5, 4, 4, 6)]
    w = Tensor(rng.normal(0, 0.5, (4, 4)).astype(np.float32))
    mask = _mask(rng, 3, 5)
    for fn, args, names in (("bahdanau_attention", ["bahdanau_attention", q, values, w1, w2, v],
                             ("query", "values", "w1", "w2", "v")),
                            ("luong_attention", ["luong_attention", q, values, w], ("query", "values", "w"))):
        wrt = tuple(range(1, len(args)))
        got = student.harness("gradient", "probes.attention_flat", args, wrt=wrt, upstream_seed=9,
                              kwargs={"mask": mask})
        want = reference.harness("gradient", "probes.attention_flat", args, wrt=wrt, upstream_seed=9,
                                 kwargs={"mask": mask})
        for name, g, w in zip(names, got, want, strict=True):
            if g is None:
                raise checks.CheckFailed(f"the gradient of {fn} with respect to {name} is None")
            checks.assert_tensor(g, w, rtol=1e-4, atol=1e-5, name=f"gradient of {fn} with respect to {name}")


@pytest.mark.points(1)
def test_no_keras_attention_layers(student, rng):
    q, values, w1, w2, v = [a.astype(np.float32) for a in _case(rng, 2, 5, 3, 3, 4)]
    mask = _mask(rng, 2, 5)
    for fn, args in (("bahdanau_attention", (q, values, w1, w2, v)), ("luong_attention", (q, values))):
        got = student.call(fn, *[Tensor(a) for a in args], mask=mask)
        _check(got, _bahdanau(q, values, w1, w2, v, mask) if fn == "bahdanau_attention" else
               _luong(q, values, None, mask), fn)
        checks.assert_no_forbidden_calls(student, fn, [Tensor(a) for a in args], FORBIDDEN,
                                         why="compute the scores, the masked softmax and the context yourself")
