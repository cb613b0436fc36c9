"""Hidden tests for A04 Q5: cache placement (counted calls), reshuffling, file cache reuse, prefetch."""

import pytest

from graders import checks

pytestmark = pytest.mark.question("q5")


@pytest.mark.points(3)
def test_expensive_fn_runs_once_and_augment_every_epoch(student, rng):
    n, epochs = int(rng.integers(20, 40)), 3
    got = student.probe("q5_epochs", n, 8, int(rng.integers(1 << 20)), epochs, False)
    assert got["expensive_calls"] == n, (
        f"expensive_fn ran {got['expensive_calls']} times over {epochs} epochs of {n} elements, expected {n}: cache "
        "right after map(expensive_fn)")
    assert got["augment_calls"] == n * epochs, (
        f"augment_fn ran {got['augment_calls']} times over {epochs} epochs of {n} elements, expected {n * epochs}: "
        "the random augmentation must come after the cache, or every epoch sees the same augmented data")


@pytest.mark.points(2)
def test_every_epoch_is_a_new_permutation(student, reference, rng):
    n, seed = int(rng.integers(20, 40)), int(rng.integers(1 << 20))
    got = student.probe("q5_epochs", n, 8, seed, 3, False)
    want = reference.probe("q5_epochs", n, 8, seed, 3, False)
    for e, order in enumerate(got["orders"]):
        assert sorted(order) == list(range(n)), f"epoch {e} is not a permutation of the {n} elements"
    assert len({tuple(o) for o in got["orders"]}) == 3, (
        "two epochs came out in the same order: shuffle after the cache (a shuffle before it is frozen into it)")
    checks.assert_tensor(got["values"], want["values"], rtol=1e-6, atol=1e-6,
                         name="the elements of one epoch, sorted (augment_fn(expensive_fn(x)))")
    # shuffle(1000, seed=seed) with the same seeds gives the same three orders in any worker: the seed is used.
    if got["orders"] != want["orders"]:
        raise checks.CheckFailed("the epochs' orders are not those of shuffle(buffer_size=1000, seed=seed) after the "
                                 "cache, reshuffled every epoch", values=f"expected {want['orders']}")
    if got["batch_sizes"] != want["batch_sizes"]:
        raise checks.CheckFailed(f"batch sizes {got['batch_sizes']} are wrong (batch after the shuffle, keep the last "
                                 "partial batch)", values=f"expected {want['batch_sizes']}")


@pytest.mark.points(3)
def test_file_cache_is_reused_by_a_new_pipeline(student, rng):
    n = int(rng.integers(15, 30))
    got = student.probe("q5_epochs", n, 8, int(rng.integers(1 << 20)), 2, True)
    assert "cache.index" in got["files"], (
        f"no cache file at cache_path (found {got['files']}): pass cache_path to cache()")
    assert got["expensive_calls"] == n, f"expensive_fn ran {got['expensive_calls']} times, expected {n}"
    assert got["rerun_elements"] == n, f"a second pipeline on the same cache gave {got['rerun_elements']} elements"
    assert got["rerun_expensive_calls"] == 0, (
        f"a new pipeline with the same cache_path ran expensive_fn {got['rerun_expensive_calls']} times, expected 0")


@pytest.mark.points(2)
def test_pipeline_prefetches_and_caches_before_shuffle(student, rng):
    ops = student.probe("q5_epochs", 10, 4, int(rng.integers(1 << 20)), 1, False)["ops"]
    assert "PrefetchDataset" in ops, "end the pipeline with prefetch(tf.data.AUTOTUNE)"
    cache = [i for i, op in enumerate(ops) if op.startswith("CacheDataset")]
    shuffle = [i for i, op in enumerate(ops) if op.startswith("ShuffleDataset")]
    assert cache and shuffle and cache[0] < shuffle[0], f"cache must come before shuffle (pipeline: {ops})"
