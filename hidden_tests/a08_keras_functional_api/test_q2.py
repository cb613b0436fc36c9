"""Hidden tests for A08 Q2: a three-input, two-output model and its weighted losses.

The forward pass and the per-head gradients are compared with the reference's on the same named weights; the total
loss is checked against the loss weights by the judge; training uses synthetic data made here (the labels of the
held-out rows never enter the worker), and zeroing the numeric input must hurt the regression head.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q2")

KW = {"img_shape": [8, 8, 1], "seq_len": 10, "vocab": 30, "num_feats": 4, "num_classes": 4}


def _patterns():
    i, j = np.meshgrid(np.arange(8), np.arange(8), indexing="ij")
    return np.stack([(i % 2) * 2.0 - 1, (j % 2) * 2.0 - 1, ((i + j) % 2) * 2.0 - 1, np.ones((8, 8))]).astype(
        np.float32)


def _data(rng, n, w):
    labels = rng.integers(0, 4, size=n)
    image = (_patterns()[labels] + 0.8 * rng.normal(size=(n, 8, 8))).astype(np.float32)[..., None]
    text = rng.integers(2, KW["vocab"], size=(n, KW["seq_len"])).astype(np.int32)
    odd = labels % 2 == 1
    text[odd, rng.integers(0, KW["seq_len"], size=int(odd.sum()))] = 1
    numerical = rng.normal(size=(n, 4)).astype(np.float32)
    target = (numerical @ w + 0.05 * rng.normal(size=n)).astype(np.float32)
    return {"image": image, "text": text, "numerical": numerical}, {"classification": labels.astype(np.int32),
                                                                     "regression": target}


@pytest.mark.points(3)
def test_named_inputs_outputs_and_forward_pass(student, reference, rng):
    x, _ = _data(rng, 6, rng.normal(size=4))
    seed = int(rng.integers(1 << 20))
    got = student.probe("mm_forward", KW, seed, x)
    want = reference.probe("mm_forward", KW, seed, x)
    checks.assert_value(sorted(got["input_names"]), ["image", "numerical", "text"], name="the model's input names")
    checks.assert_value(sorted(got["output_names"]), ["classification", "regression"],
                        name="the model's output names")
    assert isinstance(got["out"], dict), "the model should return the dict {'classification': ..., 'regression': ...}"
    checks.assert_value(sorted(got["out"]), ["classification", "regression"], name="keys of the model's output dict")
    probs = got["out"]["classification"]
    checks.assert_tensor(np.sum(probs, axis=-1), np.ones(6, np.float32), expect="array", rtol=0, atol=1e-5,
                         name="row sums of the classification head (softmax)")
    for key in ("classification", "regression"):
        checks.assert_tensor(got["out"][key], want["out"][key], expect="array", rtol=1e-4, atol=1e-5,
                             name=f"output {key!r} with weights set by layer name")


@pytest.mark.points(3)
def test_total_loss_is_the_weighted_sum_of_head_losses(student, reference, rng):
    for w_cls, w_reg in ((0.7, 0.3), (0.25, 2.0)):
        x, y = _data(rng, 12, rng.normal(size=4))
        seed = int(rng.integers(1 << 20))
        got = student.probe("mm_loss_grads", KW, seed, x, y, w_cls, w_reg, 1e-3)
        want = reference.probe("mm_loss_grads", KW, seed, x, y, w_cls, w_reg, 1e-3)
        logs = got["logs"]
        for key in ("loss", "classification_loss", "regression_loss", "classification_accuracy", "regression_mae"):
            assert key in logs, f"evaluate(return_dict=True) has no {key!r} (found {sorted(logs)})"
            checks.assert_tensor(np.float64(logs[key]), np.float64(want["logs"][key]), expect="array", rtol=1e-4,
                                 atol=1e-5, name=f"evaluate's {key} (loss weights {w_cls}, {w_reg})")
        total = w_cls * logs["classification_loss"] + w_reg * logs["regression_loss"]
        assert abs(logs["loss"] - total) <= 1e-4 * max(1.0, abs(total)), (
            f"loss should equal {w_cls} * classification_loss + {w_reg} * regression_loss")
        checks.assert_tensor(np.float64(got["loss"]), np.float64(want["loss"]), expect="array", rtol=1e-4,
                             atol=1e-5, name="model.compute_loss in training mode")


@pytest.mark.points(3)
def test_each_head_gradient_and_one_adam_step(student, reference, rng):
    x, y = _data(rng, 16, rng.normal(size=4))
    seed = int(rng.integers(1 << 20))
    got = student.probe("mm_loss_grads", KW, seed, x, y, 0.4, 1.5, 5e-3)
    want = reference.probe("mm_loss_grads", KW, seed, x, y, 0.4, 1.5, 5e-3)
    assert sorted(got["grads"]) == sorted(want["grads"]), (
        f"trainable weights {sorted(got['grads'])}: use exactly the layers and names of the specification")
    for name in want["grads"]:
        checks.assert_tensor(got["grads"][name], want["grads"][name], expect="array", rtol=1e-3, atol=1e-6,
                             name=f"gradient of the weighted total loss with respect to {name}")
    for name in want["after"]:
        checks.assert_tensor(got["after"][name], want["after"][name], expect="array", rtol=1e-4, atol=1e-6,
                             name=f"{name} after one train_on_batch step (Adam with the given learning rate)")


@pytest.mark.points(3)
def test_training_on_held_out_data_and_the_numeric_branch_is_used(student, thresholds, rng):
    w = rng.normal(size=4)
    x, y = _data(rng, 800, w)
    x_test, y_test = _data(rng, 300, w)
    got = student.probe("mm_train", KW, x, y, {k: v for k, v in x_test.items()}, 10)
    probs, reg, ablated = (np.asarray(got[k]) for k in ("probs", "reg", "reg_ablated"))
    assert probs.shape == (300, 4) and reg.shape == (300, 1), "predict should give (n, 4) and (n, 1)"
    checks.assert_accuracy(np.argmax(probs, axis=1), y_test["classification"], thresholds["min_accuracy"],
                           name="held-out classification accuracy after 10 epochs")
    target = y_test["regression"]
    mae = float(np.mean(np.abs(reg[:, 0] - target)))
    assert mae <= thresholds["max_mae_ratio"] * float(np.std(target)), (
        f"held-out regression MAE {mae:.3f} is too large for a target that is linear in the numeric features")
    mae_ablated = float(np.mean(np.abs(ablated[:, 0] - target)))
    assert mae_ablated >= thresholds["min_ablation_ratio"] * mae, (
        "zeroing the 'numerical' input barely changes the regression: the numeric branch should feed the heads")
