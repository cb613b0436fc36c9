from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_spans_and_crf_on_a_tiny_case", points=1, hidden=False)
def test_spans_and_crf_on_a_tiny_case(bio_to_spans, spans_to_bio, crf_log_norm, crf_decode):
    import itertools

    import numpy as np

    tags = ["B-PER", "I-PER", "O", "I-LOC", "B-ORG"]
    assert [tuple(s) for s in bio_to_spans(tags)] == [("PER", 0, 2), ("LOC", 3, 4), ("ORG", 4, 5)]
    assert spans_to_bio([("PER", 0, 2)], 3) == ["B-PER", "I-PER", "O"]
    rng = np.random.default_rng(0)
    pot, trans = rng.normal(size=(1, 3, 2)), rng.normal(size=(2, 2))
    scores = {p: pot[0, range(3), p].sum() + trans[p[0], p[1]] + trans[p[1], p[2]]
              for p in itertools.product(range(2), repeat=3)}
    log_z = np.log(sum(np.exp(s) for s in scores.values()))
    np.testing.assert_allclose(np.asarray(crf_log_norm(pot, np.array([3]), trans)), [log_z], rtol=1e-6)
    path, _ = crf_decode(pot, np.array([3]), trans)
    assert tuple(np.asarray(path)[0]) == max(scores, key=scores.get), "Viterbi should find the best path"
