# expect: {"q2": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# String statistics list top_values with their frequencies but without the values.
# %% [q2]
def _feature_name(feature) -> str:
    return feature.path.step[0] if feature.path.step else feature.name


def generate_statistics(columns: dict, num_buckets: int = 10) -> statistics_pb2.DatasetFeatureStatisticsList:
    """TFDV-style statistics of a table, as a real ``DatasetFeatureStatisticsList`` with one dataset.

    ``columns`` maps a feature name to its values (one per example, ``None`` = missing). A column whose present
    values are all ``str`` is ``STRING``; all ``int`` (not ``bool``) is ``INT``; otherwise numeric is ``FLOAT``.
    For each feature (in the dict's order), ``path.step = [name]``, ``type`` and:

    - ``common_stats``: ``num_non_missing``, ``num_missing``, ``min_num_values = max_num_values = 1``,
      ``avg_num_values = 1.0`` and ``tot_num_values = num_non_missing`` (when some value is present);
    - numeric (``num_stats``): ``mean``, ``std_dev`` (population), ``min``, ``max``, ``median``, ``num_zeros`` and one
      ``STANDARD`` histogram of ``num_buckets`` equal-width buckets from ``min`` to ``max`` (a value on an inner
      edge goes to the upper bucket, the maximum to the last bucket; ``min == max`` gives one bucket
      ``[min, max]``);
    - string (``string_stats``): ``unique``, ``avg_length`` and a ``rank_histogram`` with one bucket per distinct
      value (``label``, ``sample_count``), most frequent first, ties by label; ``top_values`` are the first 10 of
      those (``value``, ``frequency``).

    ``datasets[0].num_examples`` is the number of rows.

    Args:
        columns: ``{name: list of values or None}``, all of the same length.
        num_buckets: histogram buckets for numeric features.

    Returns:
        The statistics proto.
    """
    stats = statistics_pb2.DatasetFeatureStatisticsList()
    dataset = stats.datasets.add()
    n_rows = len(next(iter(columns.values()))) if columns else 0
    dataset.num_examples = n_rows
    for name, values in columns.items():
        present = [v for v in values if v is not None]
        feature = dataset.features.add()
        feature.path.step.append(name)
        if present and all(isinstance(v, str) for v in present):
            feature.type = statistics_pb2.FeatureNameStatistics.STRING
            common = feature.string_stats.common_stats
            counts = {}
            for v in present:
                counts[v] = counts.get(v, 0) + 1
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            feature.string_stats.unique = len(counts)
            feature.string_stats.avg_length = float(np.mean([len(v) for v in present]))
            for rank, (label, count) in enumerate(ranked):
                bucket = feature.string_stats.rank_histogram.buckets.add()
                bucket.low_rank = bucket.high_rank = rank
                bucket.label = label
                bucket.sample_count = count
            for label, count in ranked[:10]:
                feature.string_stats.top_values.add(frequency=count)
        else:
            is_int = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in present)
            feature.type = (statistics_pb2.FeatureNameStatistics.INT if is_int
                            else statistics_pb2.FeatureNameStatistics.FLOAT)
            common = feature.num_stats.common_stats
            if present:
                x = np.asarray(present, np.float64)
                num = feature.num_stats
                num.mean, num.std_dev = float(x.mean()), float(x.std())
                num.min, num.max, num.median = float(x.min()), float(x.max()), float(np.median(x))
                num.num_zeros = int(np.sum(x == 0))
                hist = num.histograms.add()
                hist.type = statistics_pb2.Histogram.STANDARD
                lo, hi = float(x.min()), float(x.max())
                if lo == hi:
                    hist.buckets.add(low_value=lo, high_value=hi, sample_count=float(len(x)))
                else:
                    edges = np.linspace(lo, hi, num_buckets + 1)
                    index = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, num_buckets - 1)
                    counts = np.bincount(index, minlength=num_buckets)
                    for k in range(num_buckets):
                        hist.buckets.add(low_value=float(edges[k]), high_value=float(edges[k + 1]),
                                         sample_count=float(counts[k]))
        common.num_non_missing = len(present)
        common.num_missing = len(values) - len(present)
        if present:
            common.min_num_values = common.max_num_values = 1
            common.avg_num_values = 1.0
            common.tot_num_values = len(present)
    return stats


def infer_schema(stats, max_string_domain_size: int = 50) -> schema_pb2.Schema:
    """Infer a ``schema_pb2.Schema`` from statistics, as TFDV's ``infer_schema`` does.

    One ``Feature`` per statistics feature, in order, with ``name``; ``type`` ``INT``, ``FLOAT`` or ``BYTES``
    (for ``STRING``); ``value_count.min = value_count.max = 1``; ``presence.min_count = 1`` and
    ``presence.min_fraction = 1.0`` if no value is missing (else only ``min_count = 1``). A string feature with at
    most ``max_string_domain_size`` distinct values gets a top-level ``string_domain`` named after the feature
    (its values sorted) and ``feature.domain = name``. No numeric ranges are inferred.

    Args:
        stats: a ``DatasetFeatureStatisticsList`` (its first dataset is used).
        max_string_domain_size: the largest vocabulary that becomes a domain.

    Returns:
        The schema proto.
    """
    schema = schema_pb2.Schema()
    for fstats in stats.datasets[0].features:
        name = _feature_name(fstats)
        feature = schema.feature.add()
        feature.name = name
        if fstats.type == statistics_pb2.FeatureNameStatistics.STRING:
            feature.type = schema_pb2.BYTES
            common = fstats.string_stats.common_stats
            labels = sorted(b.label for b in fstats.string_stats.rank_histogram.buckets)
            if len(labels) <= max_string_domain_size:
                domain = schema.string_domain.add()
                domain.name = name
                domain.value.extend(labels)
                feature.domain = name
        else:
            feature.type = (schema_pb2.INT if fstats.type == statistics_pb2.FeatureNameStatistics.INT
                            else schema_pb2.FLOAT)
            common = fstats.num_stats.common_stats
        feature.value_count.min = 1
        feature.value_count.max = 1
        feature.presence.min_count = 1
        if common.num_missing == 0:
            feature.presence.min_fraction = 1.0
    return schema


def linf_distance(counts_a: dict, counts_b: dict) -> float:
    """TFDV's categorical distance: the L-infinity distance of two normalized value counts.

    ``max_v |p_a(v) - p_b(v)|`` over the union of values, each side's counts normalized to sum to 1 (a value absent
    from one side has probability 0 there).
    """
    total_a, total_b = float(sum(counts_a.values())), float(sum(counts_b.values()))
    values = set(counts_a) | set(counts_b)
    return max((abs(counts_a.get(v, 0) / total_a - counts_b.get(v, 0) / total_b) for v in values), default=0.0)


def approx_js_divergence(hist_a, hist_b) -> float:
    """TFDV's numeric distance: the Jensen-Shannon divergence (log base 2, in ``[0, 1]``) of two histograms.

    Both ``statistics_pb2.Histogram`` are re-bucketed onto the sorted union of all their bucket edges
    (``low_value`` and ``high_value``), spreading each bucket's ``sample_count`` uniformly over its width (a
    zero-width bucket puts its whole count into the new interval that starts at its value, or the last interval),
    normalized to probabilities ``p`` and ``q``; then with ``m = (p + q) / 2``,
    ``JS = KL(p || m) / 2 + KL(q || m) / 2`` (terms with zero probability contribute 0). This is the divergence,
    not ``scipy.spatial.distance.jensenshannon``, which returns its square root.
    """
    def _rebucket(hist, edges) -> np.ndarray:
        """Counts of ``hist`` on the intervals of ``edges``, spreading each bucket uniformly over its width."""
        out = np.zeros(len(edges) - 1)
        for bucket in hist.buckets:
            lo, hi, count = bucket.low_value, bucket.high_value, bucket.sample_count
            if hi <= lo:  # a zero-width bucket: all of it in the interval that starts at lo (or the last one)
                k = min(int(np.searchsorted(edges, lo, side="right")) - 1, len(out) - 1)
                out[max(k, 0)] += count
                continue
            for k in range(len(out)):
                overlap = min(hi, edges[k + 1]) - max(lo, edges[k])
                if overlap > 0:
                    out[k] += count * overlap / (hi - lo)
        return out

    edges = sorted({b.low_value for b in hist_a.buckets} | {b.high_value for b in hist_a.buckets}
                   | {b.low_value for b in hist_b.buckets} | {b.high_value for b in hist_b.buckets})
    if len(edges) == 1:
        return 0.0
    edges = np.asarray(edges)
    p, q = _rebucket(hist_a, edges), _rebucket(hist_b, edges)
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2

    def kl(a):
        mask = a > 0
        return float(np.sum(a[mask] * np.log2(a[mask] / m[mask])))

    return 0.5 * kl(p) + 0.5 * kl(q)


def validate_statistics(stats, schema, previous_stats=None, serving_stats=None) -> anomalies_pb2.Anomalies:
    """Check statistics against a schema (and drift / skew against other statistics), as TFDV does.

    For each problem add an ``AnomalyInfo`` under ``anomalies.anomaly_info[feature_name]`` with
    ``severity = ERROR``, a ``short_description`` and one ``reason`` per problem (``reason.type`` below):

    - ``SCHEMA_MISSING_COLUMN``: a schema feature with ``presence.min_count >= 1`` that the statistics lack;
    - ``SCHEMA_NEW_COLUMN``: a statistics feature that the schema lacks;
    - ``UNEXPECTED_DATA_TYPE``: the statistics type differs from the schema type (INT/INT, FLOAT/FLOAT,
      STRING/BYTES);
    - ``FEATURE_TYPE_LOW_FRACTION_PRESENT``: ``num_non_missing / num_examples < presence.min_fraction``;
    - ``ENUM_TYPE_UNEXPECTED_STRING_VALUES``: a string value outside the feature's ``string_domain``;
    - ``INT_TYPE_SMALL_INT`` / ``INT_TYPE_BIG_INT`` (``int_domain``) and ``FLOAT_TYPE_SMALL_FLOAT`` /
      ``FLOAT_TYPE_BIG_FLOAT`` (``float_domain``): ``min`` below the domain's ``min`` / ``max`` above its ``max``
      (only bounds that are set);
    - drift, when ``previous_stats`` is given and the feature has a ``drift_comparator``: categorical
      (``infinity_norm.threshold``) with ``linf_distance`` of the rank-histogram counts, numeric
      (``jensen_shannon_divergence.threshold``) with ``approx_js_divergence`` of the standard histograms; a distance
      strictly above the threshold adds ``COMPARATOR_L_INFTY_HIGH`` or ``COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH``;
    - skew: the same against ``serving_stats`` with the feature's ``skew_comparator``.

    Every computed drift or skew distance (above the threshold or not) is also recorded in
    ``anomalies.drift_skew_info`` (one entry per feature with ``path.step = [name]``, a ``drift_measurements`` or
    ``skew_measurements`` item with ``type`` ``L_INFTY`` or ``JENSEN_SHANNON_DIVERGENCE``, ``value`` and
    ``threshold``). Set ``anomaly_name_format = SERIALIZED_PATH`` and ``baseline`` to the schema.

    Returns:
        An ``anomalies_pb2.Anomalies``; no ``anomaly_info`` entries means the data is valid.
    """
    anomalies = anomalies_pb2.Anomalies()
    anomalies.baseline.CopyFrom(schema)
    anomalies.anomaly_name_format = anomalies_pb2.Anomalies.SERIALIZED_PATH
    Reason = anomalies_pb2.AnomalyInfo

    def add(name, kind, text):
        info = anomalies.anomaly_info[name]
        info.severity = anomalies_pb2.AnomalyInfo.ERROR
        info.short_description = text if not info.short_description else "Multiple errors"
        info.reason.add(type=kind, short_description=text)

    def by_name(s):
        return {_feature_name(f): f for f in s.datasets[0].features} if s is not None else {}

    current, previous, serving = by_name(stats), by_name(previous_stats), by_name(serving_stats)
    num_examples = stats.datasets[0].num_examples
    domains = {d.name: d for d in schema.string_domain}
    type_of = {schema_pb2.INT: statistics_pb2.FeatureNameStatistics.INT,
               schema_pb2.FLOAT: statistics_pb2.FeatureNameStatistics.FLOAT,
               schema_pb2.BYTES: statistics_pb2.FeatureNameStatistics.STRING}
    schema_names = {f.name for f in schema.feature}
    for name in current:
        if name not in schema_names:
            add(name, Reason.SCHEMA_NEW_COLUMN, "New column")

    def counts(fstats):
        return {b.label: b.sample_count for b in fstats.string_stats.rank_histogram.buckets}

    def histogram(fstats):
        for hist in fstats.num_stats.histograms:
            if hist.type == statistics_pb2.Histogram.STANDARD:
                return hist
        return statistics_pb2.Histogram()

    for feature in schema.feature:
        name = feature.name
        fstats = current.get(name)
        if fstats is None:
            if feature.presence.min_count >= 1:
                add(name, Reason.SCHEMA_MISSING_COLUMN, "Column dropped")
            continue
        if type_of.get(feature.type) != fstats.type:
            add(name, Reason.UNEXPECTED_DATA_TYPE, "Unexpected data type")
            continue
        is_string = fstats.type == statistics_pb2.FeatureNameStatistics.STRING
        common = fstats.string_stats.common_stats if is_string else fstats.num_stats.common_stats
        if num_examples and common.num_non_missing / num_examples < feature.presence.min_fraction:
            add(name, Reason.FEATURE_TYPE_LOW_FRACTION_PRESENT, "Column dropped (low fraction present)")
        if is_string:
            domain = domains.get(feature.domain) if feature.HasField("domain") else (
                feature.string_domain if feature.HasField("string_domain") else None)
            if domain is not None and set(counts(fstats)) - set(domain.value):
                add(name, Reason.ENUM_TYPE_UNEXPECTED_STRING_VALUES, "Unexpected string values")
        elif common.num_non_missing:
            num = fstats.num_stats
            dom = feature.int_domain if feature.HasField("int_domain") else (
                feature.float_domain if feature.HasField("float_domain") else None)
            small, big = ((Reason.INT_TYPE_SMALL_INT, Reason.INT_TYPE_BIG_INT) if feature.HasField("int_domain")
                          else (Reason.FLOAT_TYPE_SMALL_FLOAT, Reason.FLOAT_TYPE_BIG_FLOAT))
            if dom is not None:
                if dom.HasField("min") and num.min < dom.min:
                    add(name, small, "Out-of-range values (too small)")
                if dom.HasField("max") and num.max > dom.max:
                    add(name, big, "Out-of-range values (too large)")
        for other, field, measurements in ((previous, "drift_comparator", "drift_measurements"),
                                           (serving, "skew_comparator", "skew_measurements")):
            if name not in other or not feature.HasField(field):
                continue
            comparator = getattr(feature, field)
            base = other[name]
            if comparator.HasField("infinity_norm") and is_string:
                value = linf_distance(counts(fstats), counts(base))
                threshold, kind = comparator.infinity_norm.threshold, anomalies_pb2.DriftSkewInfo.Measurement.L_INFTY
                reason = Reason.COMPARATOR_L_INFTY_HIGH
            elif comparator.HasField("jensen_shannon_divergence") and not is_string:
                value = approx_js_divergence(histogram(fstats), histogram(base))
                threshold = comparator.jensen_shannon_divergence.threshold
                kind = anomalies_pb2.DriftSkewInfo.Measurement.JENSEN_SHANNON_DIVERGENCE
                reason = Reason.COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH
            else:
                continue
            info = next((i for i in anomalies.drift_skew_info if list(i.path.step) == [name]), None)
            if info is None:
                info = anomalies.drift_skew_info.add()
                info.path.step.append(name)
            getattr(info, measurements).add(type=kind, value=value, threshold=threshold)
            if value > threshold:
                what = "drift" if field == "drift_comparator" else "skew"
                add(name, reason, f"High {what}: distance {value:.4g} above {threshold:g}")
    return anomalies
