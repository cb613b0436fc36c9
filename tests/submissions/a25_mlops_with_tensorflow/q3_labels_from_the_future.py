# expect: {"q3": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, scipy, ... come from the reference setup cell)
# window_metrics counts labels that arrive after `now`, and a second label overwrites the first.
# %% [q3]
def population_stability_index(reference, current, bins: int = 10) -> float:
    """PSI of a numeric feature, with bins at the reference's quantiles.

    ``edges = np.quantile(reference, np.linspace(0, 1, bins + 1))[1:-1]``; a value's bin is
    ``np.searchsorted(edges, value, side="right")`` (0 .. bins-1); ``p`` and ``q`` are the reference's and the
    current sample's bin shares, each clipped below at ``1e-4``; ``PSI = sum((q - p) * ln(q / p))``.
    """
    reference, current = np.asarray(reference, dtype=np.float64), np.asarray(current, dtype=np.float64)
    edges = np.quantile(reference, np.linspace(0, 1, bins + 1))[1:-1]
    p = np.bincount(np.searchsorted(edges, reference, side="right"), minlength=bins) / len(reference)
    q = np.bincount(np.searchsorted(edges, current, side="right"), minlength=bins) / len(current)
    p, q = np.clip(p, 1e-4, None), np.clip(q, 1e-4, None)
    return float(np.sum((q - p) * np.log(q / p)))


def benjamini_hochberg(p_values) -> list:
    """Benjamini-Hochberg adjusted p-values (step-up, monotone, capped at 1), in the input order."""
    p = np.asarray(p_values, dtype=np.float64)
    m = len(p)
    order = np.argsort(p)
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out.tolist()


def feature_drift(reference: dict, current: dict, categorical: list, alpha: float = 0.05) -> dict:
    """Drift tests per feature between a reference sample and a current window.

    ``reference`` and ``current`` map feature -> list of values. Per feature (every key of ``reference``):

    - numeric: ``{"test": "ks", "statistic", "p_value"}`` from ``scipy.stats.ks_2samp``, plus ``"wasserstein"``
      (``scipy.stats.wasserstein_distance``) and ``"psi"`` (``population_stability_index``);
    - categorical (named in ``categorical``): ``{"test": "chi2", "statistic", "p_value"}`` from
      ``scipy.stats.chi2_contingency(table, correction=False)`` on the 2 x K table of counts (reference row, then
      current row) over the sorted categories seen in either sample;

    then, over all features together, ``"p_adjusted"`` (``benjamini_hochberg``) and
    ``"drifted" = p_adjusted < alpha``. All numbers are Python floats, ``drifted`` a bool.
    """
    out = {}
    for name, ref in reference.items():
        cur = current[name]
        if name in categorical:
            cats = sorted(set(ref) | set(cur))
            table = np.array([[list(ref).count(c) for c in cats], [list(cur).count(c) for c in cats]])
            res = scipy.stats.chi2_contingency(table, correction=False)
            out[name] = {"test": "chi2", "statistic": float(res.statistic), "p_value": float(res.pvalue)}
        else:
            res = scipy.stats.ks_2samp(ref, cur)
            out[name] = {"test": "ks", "statistic": float(res.statistic), "p_value": float(res.pvalue),
                         "wasserstein": float(scipy.stats.wasserstein_distance(ref, cur)),
                         "psi": population_stability_index(ref, cur)}
    names = list(out)
    adjusted = benjamini_hochberg([out[n]["p_value"] for n in names])
    for name, p_adj in zip(names, adjusted, strict=True):
        out[name]["p_adjusted"] = float(p_adj)
        out[name]["drifted"] = bool(p_adj < alpha)
    return out


class DelayedLabelMonitor:
    """Prediction quality when labels arrive late.

    ``log_prediction(request_id, pred, ts)`` records a prediction (a request id seen before raises ``ValueError``).
    ``log_label(request_id, label, ts)`` attaches the true label; it returns ``False`` and changes nothing for an
    unknown request id or a request that already has a label (the first label wins), ``True`` otherwise.

    ``window_metrics(now, window_s)`` covers the predictions with ``now - window_s < ts <= now`` and counts only
    labels that had arrived by ``now`` (label ``ts <= now``): ``{"n_predictions", "n_labeled", "label_coverage"
    (n_labeled / n_predictions, 0.0 when there are none), "accuracy" (over the labeled ones, None when none),
    "mean_label_delay_s" (mean of label ts - prediction ts over the labeled ones, None when none)}``.
    """

    def __init__(self):
        self.predictions = {}
        self.labels = {}

    def log_prediction(self, request_id, pred, ts: float) -> None:
        if request_id in self.predictions:
            raise ValueError(f"duplicate request id {request_id!r}")
        self.predictions[request_id] = (pred, float(ts))

    def log_label(self, request_id, label, ts: float) -> bool:
        if request_id not in self.predictions:
            return False
        self.labels[request_id] = (label, float(ts))
        return True

    def window_metrics(self, now: float, window_s: float) -> dict:
        n_pred, correct, delays = 0, 0, []
        for request_id, (pred, ts) in self.predictions.items():
            if not now - window_s < ts <= now:
                continue
            n_pred += 1
            label = self.labels.get(request_id)
            if label is not None:
                correct += int(label[0] == pred)
                delays.append(label[1] - ts)
        n_lab = len(delays)
        return {"n_predictions": n_pred, "n_labeled": n_lab,
                "label_coverage": n_lab / n_pred if n_pred else 0.0,
                "accuracy": correct / n_lab if n_lab else None,
                "mean_label_delay_s": float(np.mean(delays)) if n_lab else None}
