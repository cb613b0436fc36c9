# expect: {"q4": "partial"}
# ruff: noqa: F821  (a fragment: tf, np, SEED come from the reference setup cell)
# Correct but slow: the texts are vectorized one at a time in a Python loop before the dataset is
# built, so the values and order are right but it loses the throughput test.
# %% [q4]
def build_text_vectorizer(train_texts, max_tokens: int, sequence_length: int):
    """A ``tf.keras.layers.TextVectorization`` in ``"int"`` mode, adapted on ``train_texts``.

    Defaults otherwise (lower-case, strip punctuation, split on whitespace); index 0 is padding,
    1 is ``[UNK]``; every output is padded or truncated to ``sequence_length`` tokens.

    Args:
        train_texts: a 1-D array-like of strings.
        max_tokens: the vocabulary size, padding and ``[UNK]`` included.
        sequence_length: the output length.

    Returns:
        The adapted layer.
    """
    layer = tf.keras.layers.TextVectorization(max_tokens=max_tokens, output_mode="int",
                                              output_sequence_length=sequence_length)
    layer.adapt(np.asarray(train_texts).astype(str))
    return layer


def text_pipeline(texts, vectorizer, batch_size: int) -> tf.data.Dataset:
    """A ``tf.data`` pipeline that vectorizes ``texts`` in order, inside the pipeline.

    Batch the raw strings first, then ``map`` the vectorizer over whole batches with
    ``num_parallel_calls=tf.data.AUTOTUNE`` and ``prefetch``: one vectorized op per batch instead of
    one Python call per text. No shuffling: the batches must come in the order of ``texts``.

    Args:
        texts: a 1-D array-like of strings.
        vectorizer: an adapted ``TextVectorization`` layer (``int`` mode, fixed length ``L``).
        batch_size: the batch size.

    Returns:
        A dataset of ``int64`` tensors of shape ``(batch, L)`` (the last batch may be smaller).
    """
    rows = [vectorizer(tf.constant([text]))[0] for text in np.asarray(texts).astype(str)]
    return tf.data.Dataset.from_tensor_slices(tf.stack(rows)).batch(batch_size)


def tfidf_features(train_texts, texts, max_tokens: int) -> tf.Tensor:
    """TF-IDF vectors from ``TextVectorization(output_mode="tf_idf")`` adapted on ``train_texts``.

    Keras weights raw counts with ``idf = log(1 + N / (1 + df))`` (not the course's ``log(N / df)``),
    learned from the training texts only.

    Args:
        train_texts: a 1-D array-like of strings.
        texts: a 1-D array-like of strings to vectorize.
        max_tokens: the vocabulary size (``[UNK]`` included).

    Returns:
        A ``float32`` tensor of shape ``(len(texts), max_tokens)`` (fewer columns if the vocabulary
        is smaller).
    """
    layer = tf.keras.layers.TextVectorization(max_tokens=max_tokens, output_mode="tf_idf")
    layer.adapt(np.asarray(train_texts).astype(str))
    return layer(tf.constant(np.asarray(texts).astype(str)))


def fit_predict_text(train_texts, train_labels, test_texts) -> np.ndarray:
    """Train a text classifier and predict held-out labels.

    A ``TextVectorization`` adapted on ``train_texts`` (``multi_hot``, ``count`` or ``tf_idf``
    mode) followed by a small dense classifier works well. Seed with
    ``tf.keras.utils.set_random_seed(SEED)``; a few seconds of training.

    Args:
        train_texts: a 1-D array-like of strings.
        train_labels: an int array of shape ``(N,)`` with classes ``0..C-1``.
        test_texts: a 1-D array-like of strings.

    Returns:
        An ``int64`` NumPy array of shape ``(M,)``: the predicted classes.
    """
    tf.keras.utils.set_random_seed(SEED)
    labels = np.asarray(train_labels, np.int64)
    vectorizer = tf.keras.layers.TextVectorization(max_tokens=2000, output_mode="tf_idf")
    vectorizer.adapt(np.asarray(train_texts).astype(str))
    x_train = vectorizer(tf.constant(np.asarray(train_texts).astype(str)))
    x_test = vectorizer(tf.constant(np.asarray(test_texts).astype(str)))
    model = tf.keras.Sequential([tf.keras.layers.Dense(int(labels.max()) + 1, activation="softmax")])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy")
    model.fit(x_train, labels, epochs=30, batch_size=32, verbose=0)
    return np.argmax(model.predict(x_test, verbose=0), axis=1).astype(np.int64)


