"""Hidden tests for A08 Q5: graph convolutions and a mixture of experts.

The normalised adjacency, the GCN layer and the mixture of experts are recomputed by the judge in NumPy from the
weights it sends. Node classification runs on a stochastic block model drawn here: only the 40 training labels
enter the worker, and the GCN must beat a logistic regression on the node features alone, which shows the graph
is used.
"""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from graders import checks

pytestmark = pytest.mark.question("q5")


def _a_hat(a):
    a = a + np.eye(len(a))
    d = 1 / np.sqrt(a.sum(axis=1))
    return (d[:, None] * a * d[None, :]).astype(np.float32)


def _random_graph(rng, n, p):
    upper = np.triu(rng.random((n, n)) < p, 1)
    return (upper | upper.T).astype(np.float32)


@pytest.mark.points(2)
def test_normalize_adjacency(student, rng):
    for n, p in ((7, 0.4), (12, 0.2)):
        a = _random_graph(rng, n, p)
        a[0, :] = a[:, 0] = 0  # an isolated node: its degree in A + I is 1
        got = student.call("normalize_adjacency", a)
        checks.assert_tensor(got, _a_hat(a), expect="tensor", dtype="float32", rtol=1e-5, atol=1e-6,
                             name=f"normalize_adjacency of a {n}-node graph")


@pytest.mark.points(3)
def test_gcn_layer_computes_a_h_w_plus_b(student, rng):
    for activation in ("relu", None):
        n, f, units = 6, 4, 3
        a = np.stack([_a_hat(_random_graph(rng, n, 0.4)) for _ in range(2)])
        h = rng.normal(size=(2, n, f)).astype(np.float32)
        kernel, bias = rng.normal(size=(f, units)).astype(np.float32), rng.normal(size=units).astype(np.float32)
        got = student.probe("gcn_layer", units, activation, h, a, kernel, bias)
        want = a @ h @ kernel + bias
        if activation == "relu":
            want = np.maximum(want, 0)
        checks.assert_tensor(got["out"], want, expect="array", rtol=1e-4, atol=1e-5,
                             name=f"GCNLayer({units}, activation={activation!r})([H, A_hat]) with set weights")
        checks.assert_tensor(got["clone"], want, expect="array", rtol=1e-4, atol=1e-5,
                             name="GCNLayer.from_config(layer.get_config()) with the same weights")


@pytest.mark.points(3)
def test_gcn_node_classification_uses_the_graph(student, thresholds, rng):
    n, f = 200, 16
    community = (np.arange(n) >= n // 2).astype(np.int64)
    rng.shuffle(community)
    same = community[:, None] == community[None, :]
    upper = np.triu(rng.random((n, n)) < np.where(same, 0.1, 0.01), 1)
    adjacency = (upper | upper.T).astype(np.float32)
    feats = (rng.normal(size=(n, f)) + 0.15 * (2 * community[:, None] - 1)).astype(np.float32)
    train = np.zeros(n, bool)
    train[rng.choice(np.flatnonzero(community == 0), 20, replace=False)] = True
    train[rng.choice(np.flatnonzero(community == 1), 20, replace=False)] = True
    labels = np.where(train, community, 0)
    probs = np.asarray(student.probe("gcn_train", feats, adjacency, labels, train.astype(np.float32), 16, 100))
    assert probs.shape == (n, 2), f"build_gcn's output per node should be (nodes, 2), got {probs.shape}"
    test = ~train
    accuracy = checks.assert_accuracy(np.argmax(probs[test], axis=1), community[test], thresholds["min_accuracy"],
                                      name="test-node accuracy of the GCN")
    baseline = LogisticRegression(max_iter=1000).fit(feats[train], community[train]).score(feats[test],
                                                                                            community[test])
    assert accuracy >= baseline + thresholds["min_gain_over_features"], (
        f"the GCN ({accuracy:.3f}) should clearly beat a logistic regression on the node features alone "
        f"({baseline:.3f}): aggregate the neighbours through A_hat")


def _moe_weights(rng, d, experts, units, out):
    weights = {"gate": [rng.normal(size=(d, experts)), rng.normal(size=experts)]}
    for i in range(experts):
        weights[f"expert{i}_hidden"] = [rng.normal(size=(d, units)) / np.sqrt(d), rng.normal(size=units) * 0.3]
        weights[f"expert{i}_out"] = [rng.normal(size=(units, out)) / np.sqrt(units), rng.normal(size=out)]
    return {k: [np.asarray(v, np.float32) for v in vs] for k, vs in weights.items()}


def _expert(weights, i, x):
    hidden = np.maximum(x @ weights[f"expert{i}_hidden"][0] + weights[f"expert{i}_hidden"][1], 0)
    return hidden @ weights[f"expert{i}_out"][0] + weights[f"expert{i}_out"][1]


def _moe_numpy(weights, x, experts):
    logits = x @ weights["gate"][0] + weights["gate"][1]
    gate = np.exp(logits - logits.max(axis=1, keepdims=True))
    gate /= gate.sum(axis=1, keepdims=True)
    return sum(gate[:, i:i + 1] * _expert(weights, i, x) for i in range(experts))


@pytest.mark.points(2)
def test_moe_output_is_the_gated_sum_of_experts(student, rng):
    d, experts, units, out = 5, 3, 6, 2
    weights = _moe_weights(rng, d, experts, units, out)
    x = rng.normal(size=(9, d)).astype(np.float32)
    u = np.ones((9, out), np.float32)
    got = student.probe("moe_probe", (d, experts, units, out), weights, x, u)
    checks.assert_tensor(got["out"], _moe_numpy(weights, x, experts), expect="array", rtol=1e-4, atol=1e-5,
                         name="build_moe output with set weights (softmax gate times each expert, summed)")
    k = int(rng.integers(experts))
    forced = dict(weights, gate=[np.zeros((d, experts), np.float32),
                                 np.where(np.arange(experts) == k, 60.0, 0.0).astype(np.float32)])
    got = student.probe("moe_probe", (d, experts, units, out), forced, x, u)
    checks.assert_tensor(got["out"], _expert(weights, k, x), expect="array", rtol=1e-4, atol=1e-5,
                         name="output when the gate selects one expert (it must equal that expert's output)")


@pytest.mark.points(2)
def test_moe_gradients_reach_every_expert(student, reference, rng):
    d, experts, units, out = 4, 4, 5, 3
    weights = _moe_weights(rng, d, experts, units, out)
    x = rng.normal(size=(7, d)).astype(np.float32)
    u = rng.normal(size=(7, out)).astype(np.float32)
    got = student.probe("moe_probe", (d, experts, units, out), weights, x, u)
    want = reference.probe("moe_probe", (d, experts, units, out), weights, x, u)
    checks.assert_tensor(got["out"], _moe_numpy(weights, x, experts), expect="array", rtol=1e-4, atol=1e-5,
                         name="build_moe output")
    assert sorted(got["grads"]) == sorted(want["grads"]), f"trainable weights {sorted(got['grads'])}"
    for name, g in want["grads"].items():
        assert np.any(np.asarray(got["grads"][name]) != 0), f"no gradient reaches {name}"
        checks.assert_tensor(got["grads"][name], g, expect="array", rtol=1e-4, atol=1e-6, name=f"gradient of {name}")
