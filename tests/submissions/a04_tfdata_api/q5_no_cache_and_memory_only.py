# expect: {"q5": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, AUTOTUNE come from the reference setup cell)
# Caches in memory whatever cache_path says, so a new pipeline recomputes everything. The order is
# otherwise right.
# %% [q5]
def cached_pipeline(ds: tf.data.Dataset, expensive_fn, augment_fn, batch_size: int, seed: int,
                    cache_path: str = "") -> tf.data.Dataset:
    """Memory cache only."""
    ds = ds.map(expensive_fn).cache()
    ds = ds.shuffle(1000, seed=seed).map(augment_fn)
    return ds.batch(batch_size).prefetch(AUTOTUNE)
