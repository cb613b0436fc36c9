from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_vectorizer_and_classifier_shapes", points=1, hidden=False)
def test_vectorizer_and_classifier_shapes(make_vectorizer, build_text_classifier):
    import numpy as np
    import tensorflow as tf

    texts = ["the battery is not good", "the screen was great", "The price is bad!"]
    vectorizer = make_vectorizer(texts, 50, 8)
    vocabulary = vectorizer.get_vocabulary()
    assert vocabulary[:2] == ["", "[UNK]"], "id 0 is padding and id 1 is [UNK]"
    ids = vectorizer(tf.constant(["the zebra is good"])).numpy()
    assert ids.shape == (1, 8) and ids[0, 1] == 1 and ids[0, -1] == 0, "unseen words -> 1, padded with 0"
    model = build_text_classifier(vectorizer, 3, False)
    probs = model(tf.constant([["the battery is good"], ["bad"]])).numpy()
    assert probs.shape == (2, 3) and np.allclose(probs.sum(axis=1), 1.0, atol=1e-5), "softmax head, one row per text"
