from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_vocab_and_padding", points=1, hidden=False)
def test_vocab_and_padding(standardize, build_vocab, text_pipeline):
    assert standardize(["Hello, World!  It's me"]).to_list() == [[b"hello", b"world", b"its", b"me"]]
    vocab = build_vocab(["b a c", "a b", "a"], 10)
    assert vocab == ["[PAD]", "[UNK]", "a", "b", "c"], vocab
    assert build_vocab(["b a c", "a b", "a"], 3) == ["[PAD]", "[UNK]", "a"]
    ((features, labels),) = list(text_pipeline(["a zebra b", "c c c c c"], [3, 4], vocab, 4, 8))
    assert features["ids"].numpy().tolist() == [[2, 1, 3, 0], [4, 4, 4, 4]], "post-padding, [UNK] = 1"
    assert features["mask"].numpy().tolist() == [[True, True, True, False], [True] * 4]
    assert features["ids"].dtype.name == "int32" and labels.numpy().tolist() == [3, 4]
