from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_vectorizer_and_pipeline", points=1, hidden=False)
def test_vectorizer_and_pipeline(build_text_vectorizer, text_pipeline, tfidf_features):
    import numpy as np
    import tensorflow as tf

    train = ["The cat sat.", "the cat ran!", "A dog sat"]
    layer = build_text_vectorizer(train, 10, 4)
    assert layer.get_vocabulary()[:4] == ["", "[UNK]", "the", "sat"] or layer.get_vocabulary()[2] == "the"
    ds = text_pipeline(["cat sat", "bird", "the cat the dog the"], layer, 2)
    assert isinstance(ds, tf.data.Dataset)
    rows = np.concatenate([b.numpy() for b in ds])
    np.testing.assert_array_equal(rows, layer(tf.constant(["cat sat", "bird", "the cat the dog the"])).numpy())
    assert rows.shape == (3, 4) and rows[1, 0] == 1, "an unknown word is [UNK] = 1, padding is 0"
    tfidf = tfidf_features(train, ["cat cat"], 10).numpy()
    assert tfidf.dtype == np.float32 and tfidf.shape[0] == 1


@test_case(name="test_bpe_and_wordpiece", points=1, hidden=False)
def test_bpe_and_wordpiece(learn_bpe, bpe_encode, wordpiece_tokenize):
    merges = [tuple(pair) for pair in learn_bpe({"low": 5, "lower": 2, "newest": 6, "widest": 3}, 4)]
    assert merges == [("e", "s"), ("es", "t"), ("est", "</w>"), ("l", "o")], merges
    assert bpe_encode("lowest", merges) == ["lo", "w", "est</w>"]
    vocab = {"un", "##aff", "##able", "play", "##ing"}
    assert wordpiece_tokenize("unaffable", vocab) == ["un", "##aff", "##able"]
    assert wordpiece_tokenize("playful", vocab) == ["[UNK]"]
