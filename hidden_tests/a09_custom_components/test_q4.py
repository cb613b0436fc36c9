"""Hidden tests for A09 Q4: streaming metrics (StreamingF1, PresentClassIoU) against scikit-learn in the judge."""

import numpy as np
import pytest
from sklearn.metrics import f1_score, jaccard_score

from graders import checks

pytestmark = pytest.mark.question("q4")


def _batches(rng, k, sizes, weighted, absent=None):
    out = []
    for n in sizes:
        y = rng.integers(0, k, size=n)
        scores = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[y]
        if absent is not None:
            y[y == absent] = (absent + 1) % k
            scores[:, absent] = -10.0
        w = rng.uniform(0, 2, size=n).astype(np.float32) if weighted else None
        if weighted:
            w[:2] = 0.0
        out.append((y.astype(np.int32), scores.astype(np.float32), w))
    return out


def _pooled(batches):
    y = np.concatenate([b[0] for b in batches])
    pred = np.concatenate([np.argmax(b[1], axis=1) for b in batches])
    w = None if batches[0][2] is None else np.concatenate([b[2] for b in batches])
    return y, pred, w


def _present(y, pred, w):
    """The classes that occur with positive weight in the labels or the predictions (the metric's definition)."""
    keep = np.ones(len(y), bool) if w is None else np.asarray(w) > 0
    return np.unique(np.concatenate([np.ravel(y)[keep], np.ravel(pred)[keep]]))


def _check_stream(got, batches, score, what):
    checks.assert_value(got["initial"], 0.0, atol=1e-7, name=f"{what} before any update_state")
    want = [score(*_pooled(batches[:i + 1])) for i in range(len(batches))]
    checks.assert_tensor(np.asarray(got["steps"]), np.asarray(want), rtol=1e-5, atol=1e-6,
                         name=f"{what} after each update_state (streaming over all batches so far)")
    checks.assert_value(got["after_reset"], 0.0, atol=1e-7, name=f"{what} right after reset_state")
    checks.assert_value(got["reordered"], want[-1], rtol=1e-5, atol=1e-6,
                        name=f"{what} after reset_state and the same batches in another order")


@pytest.mark.points(3)
def test_macro_f1_streams_like_sklearn_with_sample_weights(student, rng):
    k = 4
    batches = _batches(rng, k, [7, 11, 5, 9, 13], weighted=True)
    got = student.probe("metric_stream", "StreamingF1", {"num_classes": k, "average": "macro"}, batches,
                        [3, 0, 4, 2, 1])

    def score(y, pred, w):
        return f1_score(y, pred, labels=_present(y, pred, w), average="macro", sample_weight=w, zero_division=0)

    _check_stream(got, batches, score, "StreamingF1(average='macro')")


@pytest.mark.points(2)
def test_micro_f1_with_int64_labels(student, rng):
    k = 3
    batches = [(y.astype(np.int64)[:, None], s, w) for y, s, w in _batches(rng, k, [6, 10, 8], weighted=False)]
    got = student.probe("metric_stream", "StreamingF1", {"num_classes": k, "average": "micro"}, batches, [2, 1, 0])

    def score(y, pred, w):
        return f1_score(y.ravel(), pred, average="micro", sample_weight=w)

    _check_stream(got, batches, score, "StreamingF1(average='micro') with int64 labels of shape (batch, 1)")


@pytest.mark.points(2)
def test_macro_f1_leaves_out_classes_never_seen(student, rng):
    k = 5
    batches = _batches(rng, k, [9, 12, 10], weighted=False, absent=k - 1)
    got = student.probe("metric_stream", "StreamingF1", {"num_classes": k, "average": "macro"}, batches, [1, 2, 0])

    def score(y, pred, w):
        return f1_score(y, pred, average="macro", zero_division=0)

    _check_stream(got, batches, score, "StreamingF1(average='macro') when the last class never occurs (leave it out of "
                                       "the mean)")


@pytest.mark.points(3)
def test_present_class_iou_matches_sklearn_jaccard(student, rng):
    k = 5
    batches = _batches(rng, k, [8, 12, 6, 10], weighted=True, absent=3)
    got = student.probe("metric_stream", "PresentClassIoU", {"num_classes": k}, batches, [2, 3, 1, 0])

    def score(y, pred, w):
        return jaccard_score(y, pred, labels=_present(y, pred, w), average="macro", sample_weight=w,
                             zero_division=0)

    _check_stream(got, batches, score, "PresentClassIoU (classes absent from labels and predictions are left out)")


@pytest.mark.points(2)
def test_metrics_work_inside_compile_fit_evaluate(student, rng):
    k = 4
    centers = rng.normal(0, 2.0, size=(k, 6))
    y = rng.integers(0, k, size=96)
    x = (centers[y] + rng.normal(size=(96, 6))).astype(np.float32)
    seed = int(rng.integers(0, 2**20))
    got = student.probe("metric_in_fit", seed, x, y, k)
    pred = np.argmax(np.asarray(got["probs"]), axis=1)
    checks.assert_value(got["f1"], f1_score(y, pred, average="macro", zero_division=0), rtol=1e-4, atol=1e-5,
                        name="StreamingF1 from model.evaluate (graph mode, streamed over 4 batches) vs F1 of the "
                             "model's predictions")
    checks.assert_value(got["iou"], jaccard_score(y, pred, average="macro", zero_division=0), rtol=1e-4, atol=1e-5,
                        name="PresentClassIoU from model.evaluate vs the IoU of the model's predictions")


@pytest.mark.points(1)
def test_metrics_do_not_wrap_the_builtin_ones(student, rng):
    k = 3
    batches = _batches(rng, k, [6, 9], weighted=False)
    got = student.probe("metric_stream", "StreamingF1", {"num_classes": k, "average": "macro"}, batches, [1, 0])
    checks.assert_value(got["steps"][-1], f1_score(*_pooled(batches)[:2], average="macro", zero_division=0),
                        rtol=1e-5, atol=1e-6, name="StreamingF1 result")
    for cls, kwargs in (("StreamingF1", {"num_classes": k, "average": "macro"}),
                        ("PresentClassIoU", {"num_classes": k})):
        checks.assert_no_forbidden_calls(
            student, "probes.metric_stream", [cls, kwargs, batches, [0, 1]],
            forbidden=["tf.keras.metrics.F1Score.update_state", "tf.keras.metrics.FBetaScore.update_state",
                       "tf.keras.metrics.MeanIoU.update_state", "tf.keras.metrics.IoU.update_state",
                       "tf.keras.metrics.Precision.update_state", "tf.keras.metrics.Recall.update_state"],
            why="keep your own confusion-matrix state")
