# expect: {"q5": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# The shuffle ignores the seed it is given (every epoch is still a new permutation).
# %% [q5]
def cached_pipeline(ds: tf.data.Dataset, expensive_fn, augment_fn, batch_size: int, seed: int,
                    cache_path: str = "") -> tf.data.Dataset:
    """A training pipeline that runs ``expensive_fn`` once per element, however many epochs.

    Order: ``map(expensive_fn)`` (deterministic, costly), then ``cache(cache_path)`` (``""``: in
    memory; a path: on disk, reused by later pipelines with the same path), then
    ``shuffle(buffer_size=1000, seed=seed)`` (a new order every epoch), then ``map(augment_fn)``
    (random, must run every epoch), then ``batch(batch_size)`` and ``prefetch(tf.data.AUTOTUNE)``.
    """
    ds = ds.map(expensive_fn, num_parallel_calls=AUTOTUNE)
    ds = ds.cache(cache_path)  # after the deterministic work, before anything random
    ds = ds.shuffle(1000, reshuffle_each_iteration=True)
    ds = ds.map(augment_fn, num_parallel_calls=AUTOTUNE)
    return ds.batch(batch_size).prefetch(AUTOTUNE)
