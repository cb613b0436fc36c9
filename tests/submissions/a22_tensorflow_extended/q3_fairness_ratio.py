# expect: {"q3": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, beam, ... come from the reference setup cell)
# Equalized odds computed from the TPR gap only (the FPR gap is ignored).
# %% [q3]
def binary_metrics(labels, scores, threshold: float = 0.5) -> dict:
    """TFMA's binary-classification metrics for one slice.

    Predictions are ``scores >= threshold``. Returns ``{"example_count": int, "accuracy", "precision", "recall",
    "auc"}``: precision is 0.0 with no positive prediction, recall 0.0 with no positive label, and ``auc`` is the
    exact ROC AUC (ties count one half, as ``sklearn.metrics.roc_auc_score``), ``None`` when the slice has a single
    class.
    """
    def _auc(labels: np.ndarray, scores: np.ndarray):
        """Exact ROC AUC (the Mann-Whitney statistic, ties counted one half); None with a single class."""
        pos, neg = scores[labels == 1], scores[labels == 0]
        if len(pos) == 0 or len(neg) == 0:
            return None
        order = np.argsort(scores, kind="mergesort")
        ranks = np.empty(len(scores))
        sorted_scores = scores[order]
        i = 0
        while i < len(scores):  # average ranks over ties
            j = i
            while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
                j += 1
            ranks[order[i:j + 1]] = (i + j) / 2 + 1
            i = j + 1
        return float((ranks[labels == 1].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))

    y = np.asarray(labels).astype(np.int64)
    s = np.asarray(scores, np.float64)
    pred = (s >= threshold).astype(np.int64)
    tp = int(np.sum((pred == 1) & (y == 1)))
    fp = int(np.sum((pred == 1) & (y == 0)))
    fn = int(np.sum((pred == 0) & (y == 1)))
    return {"example_count": int(len(y)),
            "accuracy": float(np.mean(pred == y)) if len(y) else 0.0,
            "precision": tp / (tp + fp) if tp + fp else 0.0,
            "recall": tp / (tp + fn) if tp + fn else 0.0,
            "auc": _auc(y, s)}


def evaluate_slices(labels, scores, features: dict, slicing_specs: list, threshold: float = 0.5,
                    min_slice_size: int = 1) -> dict:
    """Sliced model analysis: ``binary_metrics`` for the whole data set and for every slice, as TFMA does.

    Each slicing spec is a list of feature names: ``[]`` is the overall slice, ``["sex"]`` gives one slice per
    value of ``sex`` and ``["sex", "age_bucket"]`` one per combination that occurs. A slice's key is ``"Overall"``
    or ``"name:value"`` parts joined by ``","`` in the spec's order (``"sex:F,age_bucket:old"``; values as
    ``str(value)``). Slices with fewer than ``min_slice_size`` examples are left out.

    Args:
        labels: ``N`` labels in ``{0, 1}``.
        scores: ``N`` predicted probabilities.
        features: ``{name: N values}``.
        slicing_specs: a list of lists of feature names.
        threshold: the decision threshold.
        min_slice_size: the smallest slice reported.

    Returns:
        ``{slice_key: metrics dict}``.
    """
    y = np.asarray(labels)
    s = np.asarray(scores, np.float64)
    out = {}
    for spec in slicing_specs:
        if not spec:
            if len(y) >= min_slice_size:
                out["Overall"] = binary_metrics(y, s, threshold)
            continue
        keys = [",".join(f"{name}:{features[name][i]}" for name in spec) for i in range(len(y))]
        for key in dict.fromkeys(keys):
            mask = np.array([k == key for k in keys])
            if mask.sum() >= min_slice_size:
                out[key] = binary_metrics(y[mask], s[mask], threshold)
    return out


def fairness_metrics(labels, scores, groups, threshold: float = 0.5) -> dict:
    """Group fairness of thresholded predictions ``scores >= threshold``.

    Per group: ``selection_rate`` (share predicted positive), ``tpr`` (recall on positives, 0.0 with none) and
    ``fpr`` (share of negatives predicted positive, 0.0 with none). Then
    ``demographic_parity_difference = max - min`` selection rate over groups and
    ``equalized_odds_difference = max(max - min tpr, max - min fpr)``.

    Returns:
        ``{"per_group": {str(group): {"selection_rate", "tpr", "fpr"}}, "demographic_parity_difference",
        "equalized_odds_difference"}``.
    """
    y = np.asarray(labels).astype(np.int64)
    pred = (np.asarray(scores, np.float64) >= threshold).astype(np.int64)
    g = np.asarray([str(v) for v in groups])
    per = {}
    for group in dict.fromkeys(g.tolist()):
        m = g == group
        pos, neg = m & (y == 1), m & (y == 0)
        per[group] = {"selection_rate": float(pred[m].mean()),
                      "tpr": float(pred[pos].mean()) if pos.any() else 0.0,
                      "fpr": float(pred[neg].mean()) if neg.any() else 0.0}

    def spread(key):
        values = [v[key] for v in per.values()]
        return float(max(values) - min(values))

    return {"per_group": per, "demographic_parity_difference": spread("selection_rate"),
            "equalized_odds_difference": spread("tpr")}


