"""Hidden tests for A14 Q1: transfer learning by feature extraction from a pretrained base.

The base is pretrained once in the reference worker (``probes.pretrain_base``, 10-class digits on the source
half); its weights go to both workers, where the probes rebuild it. The target task is "digit mod 3" on the
other half with 10 labels per class, through ``graders.heldout.disguise``; the held-out labels stay here.
"""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from graders import checks
from graders.heldout import disguise

pytestmark = pytest.mark.question("q1")


def _transfer(split_seed=0):
    data = load_digits()
    x, y = (data.data / 16.0).astype(np.float32), data.target.astype(np.int64)
    order = np.random.default_rng(split_seed).permutation(len(y))
    source, target = order[:900], order[900:]
    x = disguise(x, fit=x[source], seed=split_seed + 1414).astype(np.float32)
    x_t, y_t = x[target], y[target] % 3
    pick = np.random.default_rng(split_seed + 5)
    few = np.concatenate([pick.choice(np.flatnonzero(y_t == c), 10, replace=False) for c in range(3)])
    rest = np.setdiff1d(np.arange(len(y_t)), few)
    return x[source], y[source], x_t[few], y_t[few], x_t[rest], y_t[rest]


def _same_weights(got, want, what):
    checks.assert_value(len(got), len(want), name=f"number of base weight arrays {what}")
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        checks.assert_tensor(g, w, expect="array", rtol=0, atol=0,
                             name=f"base weight {i} {what} (the base must stay frozen; BatchNormalization's "
                                  "moving statistics must not move)")


@pytest.mark.points(2)
def test_load_pretrained_base_from_savedmodel(student, reference):
    xs, ys, x, _, x_test, _ = _transfer()
    weights = reference.probe("pretrain_base", xs, ys, 14)
    got = student.probe("load_base_report", weights, x_test[:64])
    assert got["is_model"], f"load_pretrained_base should return a tf.keras.Model, got {got.get('type')}"
    want = {"inference": reference.probe("features_report", weights, x_test[:64])["features"]}
    checks.assert_tensor(got["inference"], want["inference"], expect="array", rtol=1e-5, atol=1e-5,
                         name="the loaded base's features (inference mode)")
    checks.assert_value(got["bn_layers"], 3, name="BatchNormalization layers in the loaded base")
    checks.assert_value(got["trainable_shapes"], [], name="trainable weights of the loaded base (freeze it)")
    checks.assert_tensor(got["training_call"], want["inference"], expect="array", rtol=1e-5, atol=1e-5,
                         name="the loaded base called with training=True (a frozen base keeps BatchNormalization "
                              "in inference mode)")
    _same_weights(got["weights_after"], weights, "after loading")


@pytest.mark.points(2)
def test_extract_features_in_inference_mode(student, reference):
    xs, ys, x, _, x_test, _ = _transfer()
    weights = reference.probe("pretrain_base", xs, ys, 14)
    got = student.probe("features_report", weights, x_test[:100])
    want = reference.probe("features_report", weights, x_test[:100])
    checks.assert_tensor(got["features"], want["features"], expect="array", rtol=1e-5, atol=1e-5,
                         name="extract_features(base, x) (the base in inference mode: BatchNormalization uses its "
                              "moving statistics, not the batch's)")
    _same_weights(got["weights_after"], weights, "after extract_features")


@pytest.mark.points(3)
def test_feature_extractor_trains_only_the_head(student, reference, rng):
    xs, ys, x, y, _, _ = _transfer()
    weights = reference.probe("pretrain_base", xs, ys, 14)
    head = [rng.normal(0, 0.3, size=(32, 3)).astype(np.float32), rng.normal(0, 0.1, size=3).astype(np.float32)]
    got = student.probe("feature_extractor_report", weights, head, x, y)
    checks.assert_value(got["trainable_shapes"], [[32, 3], [3]],
                        name="shapes of the feature extractor's trainable weights (only the Dense head's kernel and "
                             "bias; the base is frozen)")
    features = reference.probe("features_report", weights, x)["features"].astype(np.float64)
    want = features @ head[0] + head[1]
    checks.assert_tensor(got["logits"], want.astype(np.float32), expect="array", rtol=1e-4, atol=1e-4,
                         name="the feature extractor's logits with the given head weights, called with training=True "
                              "(base(inputs, training=False) then Dense, no activation)")
    assert got["head_changed"], "fit did not change the head: it should be the trainable part of the model"
    _same_weights(got["base_after"], weights, "after one epoch of fit")


@pytest.mark.points(4)
def test_feature_extraction_beats_raw_pixels_on_the_target_task(student, reference, thresholds):
    xs, ys, x, y, x_test, y_test = _transfer()
    weights = reference.probe("pretrain_base", xs, ys, 14)
    got = student.probe("train_fe_report", weights, x, y, x_test)
    _same_weights(got["base_after"], weights, "after train_feature_extractor")
    raw = LogisticRegression(max_iter=3000).fit(x, y).score(x_test, y_test)
    acc = checks.assert_accuracy(np.asarray(got["pred"]), y_test, thresholds["min_accuracy"],
                                 name=f"held-out accuracy on the few-shot target task (raw pixels: {raw:.3f})")
    assert acc >= raw + thresholds["min_gain_over_raw"], (
        f"feature extraction ({acc:.3f}) should beat logistic regression on the raw inputs ({raw:.3f}) by at least "
        f"{thresholds['min_gain_over_raw']}")


@pytest.mark.points(1)
def test_train_feature_extractor_follows_the_recipe(student, reference):
    xs, ys, x, y, x_test, _ = _transfer()
    weights = reference.probe("pretrain_base", xs, ys, 14)
    got = student.probe("train_fe_report", weights, x, y, x_test[:50], 21)
    want = reference.probe("train_fe_report", weights, x, y, x_test[:50], 21)
    checks.assert_tensor(got["logits"], want["logits"], expect="array", rtol=1e-3, atol=1e-3,
                         name="held-out logits after train_feature_extractor with its defaults (Adam at "
                              "learning_rate, batch_size 16, 40 epochs, sparse cross-entropy from logits; same seed)")
