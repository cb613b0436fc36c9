from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_cache_counts", points=1, hidden=False)
def test_cache_counts(cached_pipeline):
    import tensorflow as tf

    calls = {"expensive": 0, "augment": 0}

    def counted(key, fn):
        def run(x):
            calls[key] += 1
            return fn(x)

        return lambda x: tf.ensure_shape(tf.py_function(run, [x], tf.float32), [])

    ds = cached_pipeline(tf.data.Dataset.range(12), counted("expensive", lambda x: tf.cast(x, tf.float32) * 2),
                         counted("augment", lambda x: x + 1), 5, 0)
    orders = [[float(v) for b in ds for v in b.numpy()] for _ in range(3)]
    assert calls["expensive"] == 12, f"expensive_fn ran {calls['expensive']} times, expected 12 (cache after it)"
    assert calls["augment"] == 36, f"augment_fn ran {calls['augment']} times, expected 36 (once per epoch)"
    assert all(sorted(o) == [2.0 * i + 1 for i in range(12)] for o in orders)
    assert len({tuple(o) for o in orders}) > 1, "shuffle after the cache: a new order every epoch"
