"""Hidden tests for A11 Q4: sequence to sequence with teacher forcing, greedy and beam decoding.

Teacher-forcing batches are checked against the judge's NumPy; the encoder-decoder against the reference with the
judge's weights; greedy decoding on the probe's own seeded model against the reference; beam search on a step
function read from a judge-drawn table against the judge's exhaustive search and greedy path. The trained reverser
is scored on held-out sources drawn here, decoded by the probe's own greedy loop; the targets never leave the judge.
"""

import itertools

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q4")

PAD, START, END = 0, 1, 2
LAYERS = [["enc_embed", "Embedding"], ["dec_embed", "Embedding"], ["encoder", "LSTM"], ["decoder", "LSTM"],
          ["logits", "Dense"]]


@pytest.mark.points(2)
def test_teacher_forcing_batch(student, rng):
    for batch, steps, vocab in ((4, 5, 9), (1, 3, 6), (6, 8, 12)):
        src = rng.integers(3, vocab, (batch, steps)).astype(np.int32)
        got = student.call("teacher_forcing_batch", Tensor(src))
        if not isinstance(got, (list, tuple)) or len(got) != 2:
            raise checks.CheckFailed("teacher_forcing_batch must return (decoder_input, decoder_target)")
        rev = src[:, ::-1]
        dec_in = np.concatenate([np.full((batch, 1), START), rev], axis=1).astype(np.int32)
        target = np.concatenate([rev, np.full((batch, 1), END)], axis=1).astype(np.int32)
        checks.assert_tensor(got[0], dec_in, dtype="int32", atol=0, rtol=0,
                             name=f"decoder_input for src {batch}x{steps} ([START] + the target, shifted right)")
        checks.assert_tensor(got[1], target, dtype="int32", atol=0, rtol=0,
                             name=f"decoder_target for src {batch}x{steps} (the reversed source, then END)")


@pytest.mark.points(3)
def test_encoder_decoder_logits_with_fixed_weights(student, reference, rng):
    for vocab, embed, units, batch, t_src, t_dec in ((9, 4, 6, 3, 5, 6), (12, 3, 5, 2, 7, 4)):
        src = rng.integers(3, vocab, (batch, t_src)).astype(np.int32)
        dec_in = rng.integers(1, vocab, (batch, t_dec)).astype(np.int32)
        seed = int(rng.integers(0, 2**20))
        got = student.probe("seq2seq_forward", vocab, embed, units, seed, src, dec_in)
        want = reference.probe("seq2seq_forward", vocab, embed, units, seed, src, dec_in)
        checks.assert_value(sorted(got["layers"]), sorted(LAYERS), name="the model's layers [name, type]")
        checks.assert_value(got["weight_shapes"], want["weight_shapes"], name="weight shapes per named layer")
        checks.assert_tensor(got["logits"], want["logits"], dtype="float32", rtol=1e-4, atol=1e-5,
                             name=f"logits with the judge's weights (vocab {vocab}, units {units}): the decoder "
                                  "starts from the encoder's [h, c] and the output is logits, not softmax")


def _judge_greedy_ok(decoded):
    """PAD after the first END, nothing else."""
    for row in decoded:
        ends = np.flatnonzero(row == END)
        if ends.size and np.any(row[ends[0] + 1:] != PAD):
            return False
    return True


@pytest.mark.points(2)
def test_greedy_decode_stops_at_end_and_pads(student, reference, rng):
    saw_early_end = False
    for vocab, batch, steps, max_len, end_bias in ((9, 6, 5, 6, 1.5), (7, 5, 3, 5, 2.5)):
        src = rng.integers(3, vocab, (batch, steps)).astype(np.int32)
        seed = int(rng.integers(0, 2**20))
        got = student.probe("greedy_on_probe_model", vocab, seed, end_bias, src, max_len)
        want = reference.probe("greedy_on_probe_model", vocab, seed, end_bias, src, max_len)
        checks.assert_tensor(got, want, expect="tensor", dtype="int32", atol=0, rtol=0,
                             name=f"greedy_decode on the judge's model (vocab {vocab}, max_len {max_len}): arg-max "
                                  "of the last step, END kept, PAD after it")
        saw_early_end |= bool(np.any(np.asarray(want)[:, :-1] == END))
        if not _judge_greedy_ok(np.asarray(got)):
            raise checks.CheckFailed("greedy_decode must put PAD (0) at every position after a sequence's END")
    assert saw_early_end, "test inputs should make some sequence end early"


def _table(rng, vocab, max_len, sharp):
    logits = rng.normal(0, sharp, (max_len, vocab, vocab))
    logits[:, :, [PAD, START]] = -40.0  # never emitted
    return (logits - np.log(np.exp(logits).sum(-1, keepdims=True))).astype(np.float32)


def _score(table, tokens):
    prev, total = START, 0.0
    for step, tok in enumerate(tokens):
        total += float(table[step, prev, tok])
        prev = tok
    return total


def _sequences(vocab, max_len):
    for length in range(1, max_len + 1):
        for body in itertools.product(range(vocab), repeat=length):
            if END in body[:-1]:
                continue
            if length < max_len and body[-1] != END:
                continue
            yield list(body)


def _greedy(table, max_len):
    prev, out = START, []
    for step in range(max_len):
        prev = int(np.argmax(table[step, prev]))
        out.append(prev)
        if prev == END:
            break
    return out


def _tokens(got, max_len, what):
    tokens = np.asarray(got["tokens"])
    if tokens.shape != (max_len,):
        raise checks.CheckFailed(f"beam_search ({what}) must return a [max_len] token vector padded with PAD")
    ends = np.flatnonzero(tokens == END)
    return [int(t) for t in (tokens[:ends[0] + 1] if ends.size else tokens)]


@pytest.mark.points(3)
def test_beam_search_width_one_is_greedy_and_wide_beam_is_exact(student, rng):
    vocab, max_len = 5, 4
    tables = [_table(rng, vocab, max_len, 1.5) for _ in range(2)]
    for _ in range(200):  # and one where greedy decoding misses the best sequence
        table = _table(rng, vocab, max_len, 1.0)
        best = max(_sequences(vocab, max_len), key=lambda s: _score(table, s))
        if _score(table, best) > _score(table, _greedy(table, max_len)) + 0.05:
            tables.append(table)
            break
    assert len(tables) == 3, "some table should make greedy decoding miss the best sequence"
    for table in tables:
        best = max(_sequences(vocab, max_len), key=lambda s: _score(table, s))
        greedy = _greedy(table, max_len)
        one = student.probe("beam_on_table", table, 1, max_len)
        checks.assert_value(_tokens(one, max_len, "width 1"), greedy,
                            name="beam_search with beam_width=1 (must be the greedy path)")
        wide = student.probe("beam_on_table", table, 1000, max_len)
        checks.assert_value(_tokens(wide, max_len, "width 1000"), best,
                            name="beam_search with a beam wider than the search space (must be the best sequence)")
        checks.assert_value(wide["score"], _score(table, best), rtol=1e-4, atol=1e-4,
                            name="the returned score (sum of the log-probabilities up to and including END)")


@pytest.mark.points(1)
def test_beam_search_matches_reference_for_a_narrow_beam(student, reference, rng):
    for vocab, max_len, width in ((6, 5, 2), (5, 6, 3)):
        table = _table(rng, vocab, max_len, 2.0)
        got = student.probe("beam_on_table", table, width, max_len)
        want = reference.probe("beam_on_table", table, width, max_len)
        checks.assert_value(_tokens(got, max_len, f"width {width}"), _tokens(want, max_len, "reference"),
                            name=f"beam_search tokens, width {width}: finished hypotheses compete with live ones")
        checks.assert_value(got["score"], want["score"], rtol=1e-4, atol=1e-4, name="beam_search score")


@pytest.mark.points(4)
def test_trained_reverser_on_held_out_sources(student, rng, thresholds):
    vocab, steps = 10, 4
    train = rng.integers(3, vocab, (1024, steps)).astype(np.int32)
    seen = {tuple(r) for r in train}
    test = np.array([r for r in rng.integers(3, vocab, (400, steps)) if tuple(r) not in seen][:200], np.int32)
    got = student.probe("seq2seq_train_and_decode", vocab, train, test, 0)
    checks.assert_value(sorted(got["layers"]), sorted(LAYERS), name="the model's layers [name, type]")
    losses = got["losses"]
    if losses is None or len(losses) != 8 or not np.all(np.isfinite(losses)):
        raise checks.CheckFailed("train_seq2seq must return the list of its per-epoch training losses (one float "
                                 "per epoch)")
    want = np.concatenate([test[:, ::-1], np.full((len(test), 1), END)], axis=1)
    before = float(np.mean(np.all(np.asarray(got["before"]) == want, axis=1)))
    if before > 0.2:
        raise checks.CheckFailed("the freshly built model already reverses sequences: build_seq2seq must return an "
                                 "untrained model", values=f"exact match before training {before:.3f}")
    exact = float(np.mean(np.all(np.asarray(got["after"]) == want, axis=1)))
    if exact < thresholds["min_exact_match"]:
        raise checks.CheckFailed(
            f"after train_seq2seq (8 epochs, lr 1.5e-2, batch 64) greedy decoding reverses too few held-out "
            f"sequences exactly (need {thresholds['min_exact_match']}): train with teacher forcing on "
            "teacher_forcing_batch's (input, target) pairs, with a from_logits loss", values=f"exact match {exact:.3f}")
