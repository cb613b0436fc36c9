from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_bpe_beam_and_bleu_basics", points=1, hidden=False)
def test_bpe_beam_and_bleu_basics(learn_bpe, bpe_encode, beam_search, corpus_bleu):
    import numpy as np

    merges = learn_bpe({"low": 5, "lower": 2, "newest": 6, "widest": 3}, 3)
    assert [tuple(m) for m in merges][0] == ("e", "s"), "the most frequent pair of the toy corpus is (e, s)"
    assert "".join(bpe_encode("lowest", merges)) == "lowest</w>"
    table = np.log(np.array([[0.1, 0.6, 0.3], [0.2, 0.2, 0.6], [0.5, 0.4, 0.1]]))
    results = beam_search(lambda prefixes: np.stack([table[p[-1]] for p in prefixes]), 0, 2, 1, 3)
    assert results[0][0] == [1, 2], "beam width 1 is greedy: 0 -> 1 -> 2 (eos)"
    assert abs(corpus_bleu(["a b c d e"], ["a b c d e"]) - 1.0) < 1e-9, "identical text has BLEU 1"
