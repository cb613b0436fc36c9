# expect: {"q5": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, AUTOTUNE come from the reference setup cell)
# "Cache at the end, it is fastest": the cache comes after the shuffle and the augmentation, so
# every epoch replays the first epoch's order and augmentation, and there is no prefetch.
# %% [q5]
def cached_pipeline(ds: tf.data.Dataset, expensive_fn, augment_fn, batch_size: int, seed: int,
                    cache_path: str = "") -> tf.data.Dataset:
    """Cache last."""
    ds = ds.map(expensive_fn).shuffle(1000, seed=seed).map(augment_fn)
    return ds.cache(cache_path).batch(batch_size)
