"""Hidden tests for A08 Q3: a Siamese model on one shared embedding, balanced pairs, a frozen backbone.

The probe builds the embedding from weights drawn here, so the judge computes the Siamese output itself. Sharing is
shown by values: after the probe changes the weights of the one embedding object it passed in, both branches of the
student's model must follow (a copied or rebuilt embedding does not), and the gradient of that object's weights must
collect both branches.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q3")


def _emb_weights(rng, d, h, e):
    return [rng.normal(size=(d, h)).astype(np.float32) / np.sqrt(d), 0.2 * rng.normal(size=h).astype(np.float32),
            rng.normal(size=(h, e)).astype(np.float32) / np.sqrt(h), 0.2 * rng.normal(size=e).astype(np.float32)]


def _siamese_numpy(weights, head, left, right):
    def embed(x):
        return np.tanh(x @ weights[0] + weights[1]) @ weights[2] + weights[3]

    def unit(v):
        return v / np.sqrt(np.maximum(np.sum(v * v, axis=1, keepdims=True), 1e-12))

    cos = np.sum(unit(embed(left)) * unit(embed(right)), axis=1, keepdims=True)
    return 1 / (1 + np.exp(-(cos @ head[0] + head[1])))


def _case(rng):
    d, h, e, n = 6, 10, 5, 8
    weights, new = _emb_weights(rng, d, h, e), _emb_weights(rng, d, h, e)
    head = [np.array([[float(rng.uniform(2, 4))]], np.float32), np.array([float(rng.normal())], np.float32)]
    left, right = rng.normal(size=(n, d)).astype(np.float32), rng.normal(size=(n, d)).astype(np.float32)
    u = rng.normal(size=(n, 1)).astype(np.float32)
    return weights, head, left, right, new, u


@pytest.mark.points(3)
def test_siamese_output_and_symmetry(student, rng):
    weights, head, left, right, new, u = _case(rng)
    got = student.probe("siamese_probe", weights, head, left, right, new, u)
    checks.assert_tensor(got["out"], _siamese_numpy(weights, head, left, right), expect="array", rtol=1e-4,
                         atol=1e-5, name="build_siamese(embedding)([left, right]): sigmoid(head(cosine of the two "
                                     "embeddings))")
    checks.assert_tensor(got["swapped"], got["out"], expect="array", rtol=1e-5, atol=1e-6,
                         name="output with left and right swapped (cosine similarity is symmetric)")


@pytest.mark.points(3)
def test_both_branches_share_the_one_embedding(student, rng):
    weights, head, left, right, new, u = _case(rng)
    got = student.probe("siamese_probe", weights, head, left, right, new, u)
    checks.assert_tensor(got["out"], _siamese_numpy(weights, head, left, right), expect="array", rtol=1e-4,
                         atol=1e-5, name="siamese output")
    checks.assert_tensor(got["out_new"], _siamese_numpy(new, head, left, right), expect="array", rtol=1e-4,
                         atol=1e-5, name="siamese output after the embedding object's weights were changed (both "
                                     "branches must call that same embedding, not a copy)")
    assert got["n_variables"] == 6, (
        f"the model has {got['n_variables']} distinct trainable variables; one shared embedding (4) and the head "
        "(2) make 6")


@pytest.mark.points(2)
def test_shared_kernel_gradient_collects_both_branches(student, reference, rng):
    weights, head, left, right, new, u = _case(rng)
    got = student.probe("siamese_probe", weights, head, left, right, new, u)
    want = reference.probe("siamese_probe", weights, head, left, right, new, u)
    assert len(got["grads"]) == 4, "the embedding should have 4 trainable weights"
    for i, (g, w) in enumerate(zip(got["grads"], want["grads"], strict=True)):
        checks.assert_tensor(g, w, expect="array", rtol=1e-4, atol=1e-6,
                             name=f"gradient of the shared embedding's weight {i} (sum over both branches)")


@pytest.mark.points(2)
def test_make_pairs_balanced_and_correct(student, rng):
    n_rows, n = 60, 40
    y = rng.integers(0, 5, size=n_rows)
    x = np.stack([np.arange(n_rows), rng.normal(size=n_rows)], axis=1).astype(np.float32)  # column 0 = row id
    seed = int(rng.integers(1 << 20))
    left, right, same = (np.asarray(a) for a in student.probe("pairs", x, y, n, seed))
    assert left.shape == (n, 2) and right.shape == (n, 2) and same.shape == (n,), (
        f"make_pairs should return left and right of shape ({n}, 2) and same of shape ({n},)")
    li, ri = left[:, 0].astype(int), right[:, 0].astype(int)
    assert np.array_equal(left, x[li]) and np.array_equal(right, x[ri]), "left and right should be rows of x"
    assert same.dtype == np.float32, f"same should be float32, got {same.dtype}"
    checks.assert_value(int(np.sum(same == 1)), n // 2, name="number of positive pairs")
    checks.assert_value(int(np.sum(same == 0)), n // 2, name="number of negative pairs")
    truth = (y[li] == y[ri]).astype(np.float32)
    assert np.array_equal(same, truth), "same must be 1 exactly when the two rows have the same label"
    assert np.all(li[same == 1] != ri[same == 1]), "a positive pair should hold two different rows"
    assert len(set(same[:n // 2])) == 2 or len(set(same[n // 2:])) == 2, "shuffle the pairs"
    again = [np.asarray(a) for a in student.probe("pairs", x, y, n, seed)]
    assert np.array_equal(again[0], left) and np.array_equal(again[2], same), "the same seed must give the same pairs"
    other = [np.asarray(a) for a in student.probe("pairs", x, y, n, seed + 1)]
    assert not np.array_equal(other[0], left), "a different seed should give different pairs"
    tiny = np.arange(6, dtype=np.float32)[:, None]
    small = [np.asarray(a) for a in student.probe("pairs", tiny, np.array([0, 0, 1, 1, 2, 2]), 4, seed)]
    assert np.sum(small[2]) == 2, "with exactly two rows per label, positives pair those two rows"


@pytest.mark.points(2)
def test_transfer_keeps_the_backbone_frozen_and_in_inference_mode(student, reference, rng):
    x = rng.normal(size=(64, 6)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int32) + (x[:, 2] > 1).astype(np.int32)
    seed = int(rng.integers(1 << 20))
    got = student.probe("transfer_probe", seed, x, y, 3, 2)
    want = reference.probe("transfer_probe", seed, x, y, 3, 2)
    for i, (a, b) in enumerate(zip(got["after"], got["before"], strict=True)):
        checks.assert_tensor(a, b, expect="array", rtol=0, atol=0,
                             name=f"backbone weight {i} after fit (frozen: kernels and BatchNormalization's moving "
                                  "statistics must not change)")
    for i, (a, b) in enumerate(zip(got["head"], want["head"], strict=True)):
        checks.assert_tensor(a, b, expect="array", rtol=1e-4, atol=1e-5, name=f"head weight {i} after 2 epochs of fit")
    checks.assert_tensor(got["train_mode"], got["inference"], expect="array", rtol=1e-5, atol=1e-6,
                         name="model(x, training=True) vs model(x, training=False) (call the backbone with "
                              "training=False so its Dropout stays off)")
    checks.assert_value(got["n_trainable"], 2, name="number of trainable weights (the head's kernel and bias)")
