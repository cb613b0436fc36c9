"""Hidden tests for A20 Q2: named entity recognition (BIO spans, a linear-chain CRF, a BiLSTM-CRF, entity F1)."""

import itertools

import numpy as np
import pytest
from seqeval.metrics import f1_score as seqeval_f1
from seqeval.metrics.sequence_labeling import get_entities

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q2")

TAGS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-DATE", "I-DATE"]


def random_tags(rng, length, malformed=True):
    """Random BIO sequences; with ``malformed`` also I- tags that start an entity or switch type."""
    tags = []
    for _ in range(length):
        kind = str(rng.choice(["PER", "ORG", "LOC"]))
        r = rng.random()
        if r < 0.4:
            tags.append("O")
        elif r < 0.65:
            tags.append(f"B-{kind}")
        elif tags and tags[-1] != "O" and (malformed is False or rng.random() < 0.7):
            tags.append("I-" + tags[-1][2:])
        elif malformed:
            tags.append(f"I-{kind}")
        else:
            tags.append("O")
    return tags


def crf_case(rng, batch, length, num_tags, scale=1.0):
    potentials = rng.normal(0, scale, size=(batch, length, num_tags))
    transitions = rng.normal(0, scale, size=(num_tags, num_tags))
    lengths = rng.integers(1, length + 1, size=batch)
    lengths[0] = length
    tags = rng.integers(0, num_tags, size=(batch, length))
    return potentials, tags, lengths, transitions


def path_score(potentials, transitions, path):
    binary = sum(transitions[a, b] for a, b in zip(path, path[1:], strict=False))
    return potentials[np.arange(len(path)), path].sum() + binary


def brute_force(potentials, lengths, transitions):
    """log Z, best path and best score per sequence by enumerating every path of its true length."""
    log_z, best_paths, best_scores = [], [], []
    for b, n in enumerate(lengths):
        paths = list(itertools.product(range(transitions.shape[0]), repeat=int(n)))
        scores = np.array([path_score(potentials[b], transitions, p) for p in paths])
        log_z.append(np.log(np.sum(np.exp(scores - scores.max()))) + scores.max())
        best_paths.append(paths[int(np.argmax(scores))])
        best_scores.append(scores.max())
    return np.array(log_z), best_paths, np.array(best_scores)


def numpy_viterbi(potentials, length, transitions):
    delta, pointers = potentials[0].copy(), []
    for t in range(1, length):
        scores = delta[:, None] + transitions
        pointers.append(scores.argmax(axis=0))
        delta = scores.max(axis=0) + potentials[t]
    path = [int(delta.argmax())]
    for bp in reversed(pointers):
        path.append(int(bp[path[-1]]))
    return path[::-1]


@pytest.mark.points(2)
def test_bio_to_spans_matches_conll_chunking_and_round_trips(student, rng):
    for _ in range(12):
        tags = random_tags(rng, int(rng.integers(1, 14)))
        got = [tuple(s) for s in student.call("bio_to_spans", tags)]
        want = [(kind, start, end + 1) for kind, start, end in get_entities(tags)]
        checks.assert_value(sorted(got), sorted(want),
                            name="spans (type, start, end exclusive); an I-X that does not continue an X starts one")
    for _ in range(6):
        length = int(rng.integers(3, 15))
        tags = random_tags(rng, length, malformed=False)
        spans = [(kind, start, end + 1) for kind, start, end in get_entities(tags)]
        back = student.call("spans_to_bio", [list(s) for s in spans], length)
        checks.assert_value(list(back), tags, name="spans_to_bio(bio_to_spans(tags)) on well-formed tags")
    student.probe("import_ground_truth_libraries")
    checks.assert_no_forbidden_calls(
        student, "bio_to_spans", [random_tags(rng, 12)],
        ["seqeval.metrics.sequence_labeling.get_entities", "seqeval.metrics.sequence_labeling.end_of_chunk",
         "seqeval.metrics.sequence_labeling.start_of_chunk", "seqeval.scheme.Entities.__init__"],
        why="walk the tags yourself; seqeval's chunker is the judge's ground truth")


@pytest.mark.points(3)
def test_crf_log_norm_and_likelihood_equal_brute_force_enumeration(student, rng):
    for num_tags, length in ((3, 4), (4, 5), (2, 5)):
        potentials, tags, lengths, transitions = crf_case(rng, 4, length, num_tags)
        padded = potentials.copy()
        for b, n in enumerate(lengths):
            padded[b, n:] = rng.normal(0, 50, size=padded[b, n:].shape)    # padding must not matter
        log_z, _, _ = brute_force(potentials, lengths, transitions)
        got = student.call("crf_log_norm", Tensor(padded), Tensor(lengths.astype(np.int32)), Tensor(transitions))
        checks.assert_tensor(got, log_z, expect="tensor", rtol=1e-5, atol=1e-5,
                             name=f"log Z (K={num_tags}, T={length}, padded positions hold garbage)")
        want_ll = np.array([path_score(potentials[b], transitions, tags[b, :n]) for b, n in enumerate(lengths)]) - log_z
        got_ll = student.call("crf_log_likelihood", Tensor(padded), Tensor(tags.astype(np.int32)),
                              Tensor(lengths.astype(np.int32)), Tensor(transitions))
        checks.assert_tensor(got_ll, want_ll, expect="tensor", rtol=1e-5, atol=1e-5,
                             name="log-likelihood = path score - log Z (only t < length counts)")


@pytest.mark.points(2)
def test_crf_at_sizes_beyond_brute_force_matches_the_reference_with_gradients(student, reference, rng):
    potentials, tags, lengths, transitions = crf_case(rng, 5, 60, 9, scale=2.0)
    args = [Tensor(potentials), Tensor(tags.astype(np.int32)), Tensor(lengths.astype(np.int32)),
            Tensor(transitions)]
    got = student.call("crf_log_likelihood", *args)
    want = reference.call("crf_log_likelihood", *args)
    checks.assert_tensor(got, want, expect="tensor", rtol=1e-7, atol=1e-7,
                         name="log-likelihood at T=60, K=9 (9^60 paths: only the forward algorithm gets there)")
    checks.assert_gradients(student, reference, "crf_log_likelihood", args, wrt=(0, 3), rtol=1e-6, atol=1e-8)


@pytest.mark.points(3)
def test_viterbi_equals_brute_force_and_the_reference(student, reference, rng):
    potentials, _, lengths, transitions = crf_case(rng, 6, 5, 4)
    _, best_paths, best_scores = brute_force(potentials, lengths, transitions)
    tags, scores = student.call("crf_decode", Tensor(potentials), Tensor(lengths.astype(np.int32)),
                                Tensor(transitions))
    tags = np.asarray(tags)
    checks.assert_value(list(tags.shape), list(potentials.shape[:2]), name="shape of the decoded tags")
    for b, n in enumerate(lengths):
        checks.assert_value([int(t) for t in tags[b, :n]], list(best_paths[b]),
                            name=f"decoded path of sequence {b} (the argmax over all paths)")
        assert np.all(tags[b, n:] == 0), "decoded tags at padded positions should be 0"
    checks.assert_tensor(scores, best_scores, expect="tensor", rtol=1e-6, atol=1e-6, name="score of the best path")
    big = crf_case(rng, 4, 60, 9, scale=2.0)
    args = [Tensor(big[0]), Tensor(big[2].astype(np.int32)), Tensor(big[3])]
    got_tags, got_scores = student.call("crf_decode", *args)
    want_tags, want_scores = reference.call("crf_decode", *args)
    checks.assert_tensor(got_tags, want_tags, expect="tensor", atol=0, name="Viterbi paths at T=60, K=9")
    checks.assert_tensor(got_scores, want_scores, expect="tensor", rtol=1e-7, atol=1e-7, name="Viterbi scores")


@pytest.mark.points(2)
def test_allowed_transitions_make_viterbi_output_valid_bio(student, rng):
    allowed = np.asarray(student.call("allowed_transitions", TAGS))
    want = np.array([[not (b.startswith("I-") and a[2:] != b[2:]) for b in TAGS] for a in TAGS])
    checks.assert_tensor(allowed.astype(bool), want, expect="array", atol=0,
                         name="allowed[i, j]: may TAGS[j] follow TAGS[i] (I-X only after B-X or I-X)")
    potentials, _, lengths, transitions = crf_case(rng, 8, 20, len(TAGS), scale=3.0)
    masked = np.where(want, transitions, -1e4)
    tags, _ = student.call("crf_decode", Tensor(potentials), Tensor(lengths.astype(np.int32)), Tensor(masked))
    tags = np.asarray(tags)
    for b, n in enumerate(lengths):
        path = [int(t) for t in tags[b, :n]]
        assert all(want[p, q] for p, q in zip(path, path[1:], strict=False)), (
            "with the forbidden transitions at -1e4 the Viterbi path must never take one")
        assert path == numpy_viterbi(potentials[b], n, masked), "constrained Viterbi path is not the best valid path"


@pytest.mark.points(2)
def test_entity_f1_equals_seqeval_without_calling_it(student, rng):
    for _ in range(4):
        true = [random_tags(rng, int(rng.integers(2, 12)), malformed=False) for _ in range(15)]
        pred = [t if rng.random() < 0.4 else random_tags(rng, len(t)) for t in true]
        got = student.call("entity_f1", true, pred)
        checks.assert_value(float(got), float(seqeval_f1(true, pred)), rtol=1e-9, atol=1e-12,
                            name="micro entity-level F1 (exact type, start and end)")
    # No predicted entity matches a gold one (all O, or every span shifted by one token): F1 is 0.0.
    shifted = [["O"] + t[:-1] for t in true]
    for label, pred in (("an all-O prediction", [["O"] * len(t) for t in true]), ("shifted spans", shifted)):
        want = float(seqeval_f1(true, pred, zero_division=0))
        got = student.call("entity_f1", true, pred)
        assert got is not None, "entity_f1 should return a float, 0.0 when no entity matches"
        checks.assert_value(float(got), want, rtol=1e-9, atol=1e-12, name=f"entity F1 of {label}")
    student.probe("import_ground_truth_libraries")
    checks.assert_no_forbidden_calls(
        student, "probes.entity_f1", [true, pred],
        ["seqeval.metrics.f1_score", "seqeval.metrics.classification_report",
         "seqeval.metrics.sequence_labeling.get_entities", "seqeval.metrics.sequence_labeling.f1_score",
         "seqeval.metrics.sequence_labeling.precision_recall_fscore_support",
         "seqeval.metrics.v1.precision_recall_fscore_support"],
        why="count exact span matches with your bio_to_spans; seqeval is the judge's ground truth")


@pytest.mark.points(1)
def test_bilstm_crf_loss_is_the_crf_nll_of_its_own_potentials(student, rng):
    vocab, num_tags, batch, length = 50, 5, 6, 9
    lengths = rng.integers(3, length + 1, size=batch)
    ids = rng.integers(2, vocab, size=(batch, length))
    ids[np.arange(length)[None, :] >= lengths[:, None]] = 0
    tags = rng.integers(0, num_tags, size=(batch, length))
    set_transitions = rng.normal(0, 1.0, size=(num_tags, num_tags))
    got = student.probe("bilstm_crf_outputs", vocab, num_tags, ids, tags, lengths, set_transitions)
    potentials = np.asarray(got["potentials"])
    checks.assert_value(list(potentials.shape), [batch, length, num_tags], name="BiLSTMCRF potentials shape")
    transitions = np.asarray(got["transitions"])
    checks.assert_value(list(transitions.shape), [num_tags, num_tags], name="transitions shape")
    assert got["transitions_trainable"], "model.transitions should be a trainable [num_tags, num_tags] variable"
    checks.assert_tensor(transitions, set_transitions, expect="array", rtol=1e-6, atol=1e-6,
                         name="model.transitions after the grader assigned random values to it")
    log_z = []
    for b, n in enumerate(lengths):
        alpha = potentials[b, 0]
        for t in range(1, n):
            m = alpha[:, None] + transitions
            alpha = np.log(np.exp(m - m.max(axis=0)).sum(axis=0)) + m.max(axis=0) + potentials[b, t]
        log_z.append(np.log(np.exp(alpha - alpha.max()).sum()) + alpha.max())
    ll = [path_score(potentials[b], transitions, tags[b, :n]) - log_z[b] for b, n in enumerate(lengths)]
    checks.assert_value(float(got["nll"]), -float(np.mean(ll)), rtol=1e-4, atol=1e-4,
                        name="model.nll: mean negative CRF log-likelihood of the model's own potentials")


# --- held-out NER: test-time names are disjoint from training names and reach the model as [UNK] (id 1) ---
CONTEXT = ["<pad>", "[UNK]", "met", "visited", "joined", "in", "on", "at", "works", "for", "lives", "the", "mr",
           "ms", "corp", "inc", "city", "january", "march", "may", "june", "monday", "friday", "2019", "2021",
           "yesterday", ".", "and", "said", "that", "with", "travelled", "to", "from", "since"]
NUM_NAMES = 400


def ner_sentences(rng, n, name_ids, p_unknown):
    """Template sentences as ids (context words, then names drawn from ``name_ids``) with BIO tag ids."""
    w = {t: i for i, t in enumerate(CONTEXT)}

    def entity(kind):
        tokens = [int(rng.choice(name_ids)) if rng.random() >= p_unknown else 1 for _ in range(int(rng.integers(1, 3)))]
        if kind == "PER" and rng.random() < 0.3:
            tokens = [w[str(rng.choice(["mr", "ms"]))]] + tokens
        if kind == "ORG" and rng.random() < 0.5:
            tokens = tokens + [w[str(rng.choice(["corp", "inc"]))]]
        if kind == "LOC" and rng.random() < 0.3:
            tokens = tokens + [w["city"]]
        return tokens, kind

    def date():
        if rng.random() < 0.5:
            month, year = str(rng.choice(["january", "march", "may", "june"])), str(rng.choice(["2019", "2021"]))
            return [w[month], w[year]], "DATE"
        return [w[str(rng.choice(["monday", "friday"]))]], "DATE"

    templates = [
        lambda: [entity("PER"), [w["met"]], entity("PER"), [w["in"]], entity("LOC"), [w["on"]], date()],
        lambda: [entity("PER"), [w["joined"]], entity("ORG"), [w["on"]], date()],
        lambda: [entity("PER"), [w["works"], w["for"]], entity("ORG"), [w["in"]], entity("LOC")],
        lambda: [entity("PER"), [w["lives"], w["in"]], entity("LOC"), [w["since"]], date()],
        lambda: [entity("PER"), [w["travelled"], w["from"]], entity("LOC"), [w["to"]], entity("LOC")],
        lambda: [[w["yesterday"]], entity("PER"), [w["said"], w["that"]], entity("ORG"), [w["visited"]],
                 entity("LOC")],
    ]
    ids, tags = [], []
    for _ in range(n):
        tokens, labels = [], []
        for part in templates[int(rng.integers(len(templates)))]():
            if isinstance(part, tuple):
                tokens += part[0]
                labels += [TAGS.index(f"B-{part[1]}")] + [TAGS.index(f"I-{part[1]}")] * (len(part[0]) - 1)
            else:
                tokens += part
                labels += [0] * len(part)
        ids.append(tokens + [w["."]])
        tags.append(labels + [0])
    width = max(map(len, ids))
    lengths = np.array([len(s) for s in ids], np.int32)
    pad = lambda rows: np.array([r + [0] * (width - len(r)) for r in rows], np.int32)  # noqa: E731
    return pad(ids), pad(tags), lengths


@pytest.mark.points(2)
def test_trained_bilstm_crf_finds_entities_with_unseen_names(student, thresholds, rng):
    base = len(CONTEXT)
    names = rng.permutation(NUM_NAMES) + base
    ids, tags, lengths = ner_sentences(rng, 500, names[:300], 0.25)
    test_ids, test_tags, test_lengths = ner_sentences(rng, 200, names[300:], 1.0)
    got = student.probe("ner_train_predict", ids, tags, lengths, base + NUM_NAMES, len(TAGS), test_ids)
    potentials, transitions = np.asarray(got["potentials"]), np.asarray(got["transitions"])
    checks.assert_value(list(potentials.shape), [len(test_ids), test_ids.shape[1], len(TAGS)],
                        name="potentials of the trained model on held-out sentences")
    true = [[TAGS[t] for t in test_tags[b, :n]] for b, n in enumerate(test_lengths)]
    pred = [[TAGS[t] for t in numpy_viterbi(potentials[b], n, transitions)] for b, n in enumerate(test_lengths)]
    f1 = float(seqeval_f1(true, pred))
    if f1 < thresholds["min_entity_f1"]:
        raise checks.CheckFailed("entity F1 of the trained BiLSTM-CRF (Viterbi over its potentials and transitions) "
                                 "on sentences with unseen names is too low", values=f"F1 {f1:.3f}")
