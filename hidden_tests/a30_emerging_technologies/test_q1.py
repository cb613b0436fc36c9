"""Hidden tests for A30 Q1: graph layers against NumPy, permutation equivariance under the grader's permutations,
GraphSAGE sampling, and node classification of grader-generated graphs with the student's trained weights."""

import networkx as nx
import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q1")


def _graph(rng, n, p=0.2):
    A = np.triu((rng.random((n, n)) < p).astype(np.float32), 1)
    A = A + A.T
    A[0, :] = 0
    A[:, 0] = 0  # an isolated node
    return A


def _a_hat(A):
    At = A + np.eye(len(A))
    d = 1.0 / np.sqrt(At.sum(axis=1))
    return d[:, None] * At * d[None, :]


def _gat(A, X, W, a_src, a_dst, slope=0.2):
    H = X.astype(np.float64) @ W
    e = (H @ a_src)[:, None] + (H @ a_dst)[None, :]
    e = np.where(e > 0, e, slope * e)
    mask = (A + np.eye(len(A))) > 0
    e = np.where(mask, e, -np.inf)
    alpha = np.exp(e - e.max(axis=1, keepdims=True))
    alpha /= alpha.sum(axis=1, keepdims=True)
    return alpha @ H, alpha


@pytest.mark.points(2)
def test_layers_match_numpy(student, rng):
    n, f, h = 13, 5, 4
    A = _graph(rng, n)
    X = rng.normal(size=(n, f)).astype(np.float32)
    W, W2 = (rng.normal(size=(f, h)).astype(np.float32) for _ in range(2))
    a_s, a_d = (rng.normal(size=h).astype(np.float32) for _ in range(2))
    A_hat = _a_hat(A)
    checks.assert_tensor(student.call("normalized_adjacency", A), A_hat, expect="any", atol=1e-6, rtol=1e-5,
                         name="normalized_adjacency (isolated node included)")
    checks.assert_tensor(student.call("gcn_layer", A_hat.astype(np.float32), X, W), A_hat @ X @ W, expect="any",
                         atol=1e-4, rtol=1e-4, name="gcn_layer")
    out, alpha = student.call("gat_layer", A, X, W, a_s, a_d, 0.2)
    want_out, want_alpha = _gat(A, X, W, a_s, a_d)
    checks.assert_tensor(alpha, want_alpha, expect="any", atol=1e-5, rtol=1e-4, name="gat_layer attention")
    checks.assert_tensor(out, want_out, expect="any", atol=1e-4, rtol=1e-4, name="gat_layer output")
    deg = A.sum(axis=1, keepdims=True)
    want_sage = X @ W + (A @ X) / np.maximum(deg, 1) @ W2
    checks.assert_tensor(student.call("sage_layer", A, X, W, W2), want_sage, expect="any", atol=1e-4, rtol=1e-4,
                         name="sage_layer (mean aggregator)")


@pytest.mark.points(2)
def test_layers_are_permutation_equivariant(student, rng):
    n, f, h = 11, 4, 3
    A = _graph(rng, n, 0.3)
    X = rng.normal(size=(n, f)).astype(np.float32)
    W, W2 = (rng.normal(size=(f, h)).astype(np.float32) for _ in range(2))
    a_s, a_d = (rng.normal(size=h).astype(np.float32) for _ in range(2))
    perm = rng.permutation(n)
    Ap, Xp = A[perm][:, perm], X[perm]
    g = np.asarray(student.call("gcn_layer", np.asarray(student.call("normalized_adjacency", A)), X, W))
    gp = np.asarray(student.call("gcn_layer", np.asarray(student.call("normalized_adjacency", Ap)), Xp, W))
    checks.assert_tensor(gp, g[perm], expect="any", atol=1e-4, rtol=1e-4, name="GCN(PAP^T, PX) vs P GCN(A, X)")
    out, alpha = student.call("gat_layer", A, X, W, a_s, a_d)
    outp, alphap = student.call("gat_layer", Ap, Xp, W, a_s, a_d)
    checks.assert_tensor(outp, np.asarray(out)[perm], expect="any", atol=1e-4, rtol=1e-4, name="GAT equivariance")
    checks.assert_tensor(alphap, np.asarray(alpha)[perm][:, perm], expect="any", atol=1e-5, rtol=1e-4,
                         name="GAT attention under a node permutation")
    s = np.asarray(student.call("sage_layer", A, X, W, W2))
    sp = student.call("sage_layer", Ap, Xp, W, W2)
    checks.assert_tensor(sp, s[perm], expect="any", atol=1e-4, rtol=1e-4, name="GraphSAGE equivariance")
    mask = (A + np.eye(n)) > 0
    alpha = np.asarray(alpha)
    assert np.all(alpha[~mask] == 0), "gat_layer gives attention to non-neighbours"
    assert np.allclose(alpha.sum(axis=1), 1.0, atol=1e-5), "gat_layer attention rows do not sum to 1"


@pytest.mark.points(2)
def test_sage_sample_draws(student, rng):
    G = nx.gnm_random_graph(30, 90, seed=int(rng.integers(1 << 30)))
    adj = [sorted(int(u) for u in G.neighbors(v)) for v in range(30)]
    nodes = [int(v) for v in rng.permutation(30)]
    fanout = 4
    seed = int(rng.integers(1000))
    got = student.call("sage_sample", adj, nodes, fanout, seed)
    again = student.call("sage_sample", adj, nodes, fanout, seed)
    assert got == again, "sage_sample is not deterministic for a fixed seed"
    other = student.call("sage_sample", adj, nodes, fanout, seed + 1)
    assert other != got, "sage_sample ignores its seed"
    prefix = 0
    assert len(got) == len(nodes), "sage_sample returns one list per requested node"
    for v, s in zip(nodes, got, strict=True):
        s = [int(u) for u in s]
        nb = adj[v]
        if not nb:
            assert s == [], f"node {v} has no neighbours but got samples"
            continue
        assert len(s) == fanout, f"node {v}: {len(s)} samples, fanout is {fanout}"
        assert set(s) <= set(nb), f"node {v}: sampled a node that is not a neighbour"
        if len(nb) >= fanout:
            assert len(set(s)) == fanout, f"node {v} has {len(nb)} neighbours: sample without replacement"
            prefix += len(nb) >= fanout + 2 and sorted(s) == nb[:fanout]
    many = [n for n in nodes if len(adj[n]) >= fanout + 2]
    assert prefix < max(3, len(many) // 2), "sage_sample keeps taking the first neighbours instead of sampling"


def _sbm(rng, sizes, p_in, p_out, feat_scale):
    k = len(sizes)
    probs = [[p_in if i == j else p_out for j in range(k)] for i in range(k)]
    G = nx.stochastic_block_model(sizes, probs, seed=int(rng.integers(1 << 30)))
    A = nx.to_numpy_array(G, nodelist=sorted(G.nodes)).astype(np.float32)
    y = np.repeat(np.arange(k), sizes)
    means = rng.normal(size=(k, 16))
    X = (feat_scale * means[y] + rng.normal(size=(len(y), 16))).astype(np.float32)
    train = np.concatenate([rng.choice(np.nonzero(y == c)[0], 5, replace=False) for c in range(k)])
    return A, X, y, train


@pytest.mark.points(4)
def test_train_gcn_classifies_held_out_nodes(student, rng, thresholds):
    for sizes in ([40, 40, 40], [30, 35, 30, 25]):
        A, X, y, train = _sbm(rng, sizes, 0.3, 0.02, 0.3)
        W1, W2 = student.call("train_gcn", A, X, train.tolist(), y[train].tolist(), len(sizes), 16, 200,
                              int(rng.integers(100)))
        W1, W2 = np.asarray(W1, np.float64), np.asarray(W2, np.float64)
        assert W1.shape == (16, W1.shape[1]) and W2.shape == (W1.shape[1], len(sizes)), "weights of the wrong shape"
        A_hat = _a_hat(A)
        pred = (A_hat @ np.maximum(A_hat @ X @ W1, 0) @ W2).argmax(axis=1)
        held = np.setdiff1d(np.arange(len(y)), train)
        checks.assert_accuracy(pred[held], y[held], thresholds["min_node_accuracy"])
