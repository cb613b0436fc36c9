"""Hidden tests for A28 Q3: the episode sampler (rows decoded back to their class and index), prototypical logits
against NumPy, and a prototypical network evaluated on episodes of classes generated here and never seen in
training, whose labels stay in the judge (the grader computes the prototypes and the accuracy from the embeddings)."""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q3")


def _coded_pool(rng, n_classes, per_class):
    labels = np.repeat(rng.permutation(1000)[:n_classes], per_class)
    x = np.column_stack([labels, np.arange(len(labels)), rng.normal(size=len(labels))]).astype(np.float64)
    order = rng.permutation(len(labels))
    return x[order], labels[order]


@pytest.mark.points(2)
def test_episode_sampler_layout_and_reproducibility(student, rng):
    x, labels = _coded_pool(rng, 12, 9)
    n_way, k, q = 5, 3, 4
    seed = int(rng.integers(1000))
    got = student.probe("sampler_episodes", x, labels, n_way, k, q, seed, 40)
    seen = set()
    for xs, ys, xq, yq in got["episodes"]:
        xs, ys, xq, yq = (np.asarray(a) for a in (xs, ys, xq, yq))
        assert xs.shape == (n_way * k, 3) and xq.shape == (n_way * q, 3), "support (n_way*k_shot, d), query " \
                                                                          "(n_way*q_queries, d)"
        checks.assert_value(np.asarray(ys).tolist(), np.repeat(np.arange(n_way), k).tolist(), name="y_support")
        checks.assert_value(np.asarray(yq).tolist(), np.repeat(np.arange(n_way), q).tolist(), name="y_query")
        cls_s, cls_q = xs[:, 0].reshape(n_way, k), xq[:, 0].reshape(n_way, q)
        assert np.all(cls_s == cls_s[:, :1]) and np.all(cls_q == cls_s[:, :1]), \
            "every episode label stands for one original class, in support and query alike"
        assert len(set(cls_s[:, 0])) == n_way, "the n_way classes of an episode are distinct"
        rows = np.concatenate([xs[:, 1], xq[:, 1]])
        assert len(set(rows)) == len(rows), "support and query rows are distinct (no row drawn twice)"
        seen.update(cls_s[:, 0].tolist())
    assert len(seen) == 12, "over 40 episodes every class of the pool is drawn"
    for a, b in zip(got["again"], got["episodes"][0], strict=True):
        checks.assert_tensor(np.asarray(a), np.asarray(b), expect="any", atol=0, name="first episode, same seed")
    assert not np.array_equal(np.asarray(got["episodes"][0][0]), np.asarray(got["episodes"][1][0])), \
        "successive episodes differ"


@pytest.mark.points(2)
def test_prototypical_logits_match_numpy(student, rng):
    n_way, k, d = 4, 3, 6
    support = rng.normal(size=(n_way * k, d)).astype(np.float32)
    labels = rng.permutation(np.repeat(np.arange(n_way), k))
    query = rng.normal(size=(7, d)).astype(np.float32)
    protos = np.stack([support[labels == c].mean(axis=0) for c in range(n_way)])
    want = -np.sum((query[:, None, :] - protos[None]) ** 2, axis=-1)
    got = student.call("prototypical_logits", Tensor(support), Tensor(labels.astype(np.int32)), Tensor(query), n_way)
    checks.assert_tensor(got, want, expect="tensor", rtol=1e-5, atol=1e-5,
                         name="prototypical_logits (labels in any order)")


def _world(rng, signal=8, nuisance=24):
    return np.linalg.qr(rng.normal(size=(signal + nuisance, signal + nuisance)))[0], signal, nuisance


def _classes(rng, world, n_classes, per_class):
    rot, signal, nuisance = world
    protos = rng.normal(size=(n_classes, signal))
    labels = np.repeat(np.arange(n_classes), per_class)
    z = np.hstack([protos[labels] + 0.35 * rng.normal(size=(len(labels), signal)),
                   2.0 * rng.normal(size=(len(labels), nuisance))])
    return (z @ rot).astype(np.float32), labels


def _episode_accuracy(embed, x, labels, rng, n_way, k_shot, episodes=60, q=10):
    accs = []
    for _ in range(episodes):
        classes = rng.choice(np.unique(labels), size=n_way, replace=False)
        s_idx, q_idx = [], []
        for c in classes:
            rows = rng.choice(np.flatnonzero(labels == c), size=k_shot + q, replace=False)
            s_idx.append(rows[:k_shot])
            q_idx.append(rows[k_shot:])
        es, eq = embed[np.concatenate(s_idx)], embed[np.concatenate(q_idx)]
        protos = es.reshape(n_way, k_shot, -1).mean(axis=1)
        pred = np.argmin(((eq[:, None, :] - protos[None]) ** 2).sum(-1), axis=1)
        accs.append(np.mean(pred == np.repeat(np.arange(n_way), q)))
    return float(np.mean(accs))


@pytest.mark.points(4)
def test_protonet_generalises_to_novel_classes(student, rng, thresholds):
    world = _world(rng)
    x_train, y_train = _classes(rng, world, 60, 20)
    x_test, y_test = _classes(rng, world, 20, 20)
    model = student.call("train_protonet", x_train, y_train, 5, 5, 10, 300, 16, int(rng.integers(1000)))
    embed = np.asarray(model(Tensor(x_test)))
    assert embed.shape[0] == len(x_test) and np.all(np.isfinite(embed)), "the model embeds a batch of rows"
    acc5 = _episode_accuracy(embed, x_test, y_test, np.random.default_rng(1), 5, 5)
    acc1 = _episode_accuracy(embed, x_test, y_test, np.random.default_rng(2), 5, 1)
    raw5 = _episode_accuracy(x_test, x_test, y_test, np.random.default_rng(1), 5, 5)
    assert acc5 >= thresholds["min_5shot_accuracy"], \
        f"5-way 5-shot accuracy on novel classes {acc5:.3f} (prototypes of your embeddings)"
    assert acc5 >= raw5 + thresholds["min_gain_over_raw"] and acc1 > raw5 - 0.1, \
        (f"5-way accuracy on novel classes: 5-shot {acc5:.3f}, 1-shot {acc1:.3f}; prototypes of the raw features "
         f"give {raw5:.3f} (5-shot)")


@pytest.mark.points(1)
def test_prototypical_logits_are_differentiable_in_both_embeddings(student, reference, rng):
    n_way, k, d = 3, 4, 5
    support = rng.normal(size=(n_way * k, d)).astype(np.float32)
    labels = np.repeat(np.arange(n_way), k).astype(np.int32)
    query = rng.normal(size=(6, d)).astype(np.float32)
    checks.assert_gradients(student, reference, "prototypical_logits",
                            [Tensor(support), Tensor(labels), Tensor(query), n_way], wrt=(0, 2), rtol=1e-4, atol=1e-5)
