"""Hidden tests for A04 Q3: padded and bucketed batching, seeded per-epoch shuffling."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q3")


def _lengths(rng, n):
    return [int(v) for v in np.clip(rng.geometric(0.12, size=n), 1, 40)]


def _tokens_by_label(batches, pad_id):
    """{label: unpadded tokens} and the total padding of a list of (tokens, labels) batches."""
    seen, pads, cells = {}, 0, 0
    for tokens, labels in batches:
        tokens, labels = np.asarray(tokens), np.asarray(labels)
        for row, label in zip(tokens, labels, strict=True):
            real = row[row != pad_id]
            assert int(label) not in seen, f"sequence {int(label)} appears twice"
            seen[int(label)] = real.tolist()
        pads += int((tokens == pad_id).sum())
        cells += tokens.size
    return seen, pads / max(cells, 1)


@pytest.mark.points(2)
def test_padded_batches(student, reference, rng):
    lengths, batch_size, pad_id = _lengths(rng, 37), int(rng.integers(4, 9)), -int(rng.integers(1, 9))
    got = student.probe("q3_batches", "padded_batches", lengths, batch_size, pad_id)
    want = reference.probe("q3_batches", "padded_batches", lengths, batch_size, pad_id)
    checks.assert_value(got["spec"], want["spec"], name="padded_batches(...).element_spec")
    checks.assert_value(got["batches"], want["batches"],
                        name=f"padded_batches(batch_size={batch_size}, pad_id={pad_id}) (pad to each batch's longest)")


@pytest.mark.points(3)
def test_bucketed_batches_keep_every_sequence_in_one_bucket(student, reference, rng):
    lengths, batch_size, pad_id = _lengths(rng, 80), int(rng.integers(4, 8)), -1
    boundaries = [int(b) for b in sorted(rng.choice(np.arange(3, 20), size=3, replace=False))]
    got = student.probe("q3_batches", "bucketed_batches", lengths, boundaries, batch_size, pad_id)
    seen, _ = _tokens_by_label(got["batches"], pad_id)
    want_tokens = {i: (np.arange(1, n + 1) + 1000 * i).tolist() for i, n in enumerate(lengths)}
    assert seen == want_tokens, "bucketed_batches must yield every sequence exactly once, unchanged apart from padding"
    edges = [0, *boundaries, 10**9]
    for tokens, labels in got["batches"]:
        lens = [lengths[int(label)] for label in np.asarray(labels)]
        buckets = {int(np.searchsorted(edges, n, side="right")) - 1 for n in lens}
        assert len(buckets) == 1, (f"a batch mixes lengths {sorted(lens)} from different buckets of boundaries "
                                   f"{boundaries} (bucket b holds boundaries[b-1] <= len < boundaries[b])")
        assert len(lens) <= batch_size, f"a batch holds {len(lens)} sequences, more than batch_size={batch_size}"
        assert np.shape(tokens)[1] == max(lens), (
            f"a batch of lengths {sorted(lens)} is padded to {np.shape(tokens)[1]}; pad to the batch's longest")
    want = reference.probe("q3_batches", "bucketed_batches", lengths, boundaries, batch_size, pad_id)
    if len(got["batches"]) != len(want["batches"]):
        raise checks.CheckFailed(f"{len(got['batches'])} batches is the wrong number: fill every batch of a bucket up "
                                 "to batch_size and keep each bucket's last partial batch",
                                 values=f"expected {len(want['batches'])} batches")


def test_bucketing_pads_less_than_plain_padded_batches(student, rng):
    lengths, batch_size, pad_id = _lengths(rng, 120), 8, -1
    plain = student.probe("q3_batches", "padded_batches", lengths, batch_size, pad_id)
    bucketed = student.probe("q3_batches", "bucketed_batches", lengths, [4, 8, 16], batch_size, pad_id)
    _, plain_ratio = _tokens_by_label(plain["batches"], pad_id)
    _, bucket_ratio = _tokens_by_label(bucketed["batches"], pad_id)
    assert bucket_ratio <= 0.7 * plain_ratio, (
        f"bucketing should cut the share of padding tokens by at least 30% (plain padded_batch: {plain_ratio:.2f}, "
        f"bucketed: {bucket_ratio:.2f})")


@pytest.mark.points(3)
def test_epoch_stream_permutes_each_epoch_and_reshuffles(student, rng):
    n, epochs = int(rng.integers(20, 40)), 4
    seed = int(rng.integers(1 << 20))
    got = student.probe("q3_epochs", n, n, seed, epochs, seed + 1)
    stream = np.asarray(got["stream"])
    assert stream.shape == (n * epochs,), f"epoch_stream gave {stream.shape[0]} elements, expected {n * epochs}"
    blocks = stream.reshape(epochs, n)
    for e, block in enumerate(blocks):
        assert sorted(block.tolist()) == list(range(n)), (
            f"epoch {e} is not a permutation of the dataset: epochs mix (shuffle before repeat, not after)")
    assert len({tuple(b) for b in blocks}) > 1, (
        "every epoch has the same order: reshuffle each iteration (reshuffle_each_iteration=True)")
    assert not np.array_equal(blocks[0], np.arange(n)), "the first epoch is not shuffled"


@pytest.mark.points(2)
def test_epoch_stream_is_reproducible_and_respects_the_buffer(student, rng):
    n, buffer_size, epochs = 40, int(rng.integers(4, 9)), 2
    seed = int(rng.integers(1 << 20))
    got = student.probe("q3_epochs", n, buffer_size, seed, epochs, seed + 7)
    np.testing.assert_array_equal(got["again"], got["stream"],
                                  err_msg="building epoch_stream twice with the same seed must give the same stream "
                                          "(pass seed= to shuffle)")
    assert not np.array_equal(got["other"], got["stream"]), "a different seed must give a different stream"
    for block in np.asarray(got["stream"]).reshape(epochs, n):
        late = [int(p) for p, v in enumerate(block) if v > p + buffer_size - 1]
        assert not late, (f"element {int(block[late[0]])} came out at position {late[0]}, before a shuffle buffer of "
                          f"{buffer_size} could hold it: use shuffle(buffer_size, ...)")
