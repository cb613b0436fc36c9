from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_statistics_schema_anomalies", points=1, hidden=False)
def test_statistics_schema_anomalies(generate_statistics, infer_schema, validate_statistics, linf_distance,
                                     approx_js_divergence):
    from tensorflow_metadata.proto.v0 import anomalies_pb2, schema_pb2, statistics_pb2

    stats = generate_statistics({"n": [1, 2, 3, None], "c": ["a", "b", "a", "a"]}, 2)
    assert isinstance(stats, statistics_pb2.DatasetFeatureStatisticsList)
    n = stats.datasets[0].features[0]
    assert n.num_stats.mean == 2.0 and n.num_stats.common_stats.num_missing == 1
    assert [b.sample_count for b in n.num_stats.histograms[0].buckets] == [1, 2]
    schema = infer_schema(stats)
    assert isinstance(schema, schema_pb2.Schema)
    assert [f.type for f in schema.feature] == [schema_pb2.INT, schema_pb2.BYTES]
    assert list(schema.string_domain[0].value) == ["a", "b"]
    anomalies = validate_statistics(stats, schema)
    assert isinstance(anomalies, anomalies_pb2.Anomalies) and not anomalies.anomaly_info
    new = generate_statistics({"n": [1, 2], "c": ["a", "z"]}, 2)
    reasons = validate_statistics(new, schema).anomaly_info["c"].reason
    assert [r.type for r in reasons] == [anomalies_pb2.AnomalyInfo.ENUM_TYPE_UNEXPECTED_STRING_VALUES]
    assert abs(linf_distance({"a": 3, "b": 1}, {"a": 1, "c": 1}) - 0.5) < 1e-12
    h = statistics_pb2.Histogram(buckets=[statistics_pb2.Histogram.Bucket(low_value=0, high_value=1, sample_count=5)])
    g = statistics_pb2.Histogram(buckets=[statistics_pb2.Histogram.Bucket(low_value=1, high_value=2, sample_count=5)])
    assert abs(approx_js_divergence(h, g) - 1.0) < 1e-12, "disjoint histograms have divergence 1 (log base 2)"
