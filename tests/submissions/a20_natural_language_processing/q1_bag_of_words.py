# expect: {"q1": "below_full"}
# ruff: noqa: F821, F841, F401, E501  (a fragment: tf, np, collections, math, re, string, NEG_INF come from the setup cell)
# A bag of embeddings (average pooling, no n-gram filters): it cannot read 'not good'.
# %% [q1]
def make_vectorizer(texts, max_tokens: int = 2000, seq_len: int = 24) -> tf.keras.layers.TextVectorization:
    """A ``TextVectorization`` layer adapted on ``texts``.

    Lower-cases and strips punctuation, splits on whitespace, outputs ``int`` ids padded/truncated
    to ``seq_len`` (id 0 = padding, id 1 = ``[UNK]``), vocabulary of at most ``max_tokens``.
    """
    vectorizer = tf.keras.layers.TextVectorization(
        max_tokens=max_tokens, standardize="lower_and_strip_punctuation", split="whitespace",
        output_mode="int", output_sequence_length=seq_len)
    vectorizer.adapt(tf.constant(list(texts)))
    return vectorizer


def build_text_classifier(vectorizer, num_labels: int, multilabel: bool = False) -> tf.keras.Model:
    """Raw strings in (``Input(shape=(1,), dtype=tf.string)``), probabilities out, ``[batch, num_labels]``.

    The model must see word order (a negation flips the next adjective): use an ``Embedding`` and a
    ``Conv1D`` (n-gram filters) or a recurrent layer, not a bag of words. The last layer is a
    ``Dense(num_labels)`` with ``sigmoid`` for multi-label and ``softmax`` for single-label problems.
    """
    inputs = tf.keras.Input(shape=(1,), dtype=tf.string)
    x = vectorizer(inputs)
    x = tf.keras.layers.Embedding(vectorizer.vocabulary_size(), 32)(x)
    x = tf.keras.layers.GlobalAveragePooling1D()(x)
    outputs = tf.keras.layers.Dense(num_labels, activation="sigmoid" if multilabel else "softmax")(x)
    return tf.keras.Model(inputs, outputs)


def train_text_classifier(texts, labels, num_labels: int, multilabel: bool = False, epochs: int = 6) -> tf.keras.Model:
    """Adapt a vectorizer, build the classifier, compile and fit it; return the trained model.

    ``labels``: class ids ``[N]`` (single-label) or a multi-hot ``[N, num_labels]`` array (multi-label).
    Single-label uses sparse categorical cross-entropy, multi-label binary cross-entropy.
    """
    model = build_text_classifier(make_vectorizer(texts), num_labels, multilabel)
    loss = "binary_crossentropy" if multilabel else "sparse_categorical_crossentropy"
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss=loss)
    x = tf.constant(np.asarray(texts, dtype=object).reshape(-1, 1))
    model.fit(x, np.asarray(labels, np.float32 if multilabel else np.int32), batch_size=32, epochs=epochs,
              verbose=0)
    return model
