# expect: {"q2": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, ... come from the reference setup cell)
# Plain category means without smoothing: a level seen once encodes as its single label.
# %% [q2]
def one_hot_encode(values, vocabulary) -> tf.Tensor:
    """One-hot encode strings with a fixed vocabulary, unknown values in an extra slot.

    Use ``tf.keras.layers.StringLookup(vocabulary=..., output_mode="one_hot")``.

    Args:
        values: a 1-D array-like of ``N`` strings.
        vocabulary: a list of distinct strings.

    Returns:
        A ``float32`` tensor of shape ``(N, len(vocabulary) + 1)``; column 0 is the
        out-of-vocabulary slot, column ``k + 1`` is ``vocabulary[k]``.
    """
    lookup = tf.keras.layers.StringLookup(vocabulary=list(vocabulary), output_mode="one_hot")
    return tf.cast(lookup(tf.constant(np.asarray(values).astype(str))), tf.float32)


def ordinal_encode(values, order) -> tf.Tensor:
    """Ordinal encoding: the position of each value in ``order``; ``-1`` for a value not in it.

    Args:
        values: a 1-D array-like of strings.
        order: the ordered list of levels (``["poor", "fair", "good", "excellent"]``, say).

    Returns:
        An ``int64`` tensor of shape ``(N,)``.
    """
    # One OOV index at 0 and the levels at 1..K: shifting by one gives -1 for unknown values.
    lookup = tf.keras.layers.StringLookup(vocabulary=list(order), num_oov_indices=1)
    return lookup(tf.constant(np.asarray(values).astype(str))) - 1


def hash_encode(values, num_bins: int) -> tf.Tensor:
    """Hash strings into ``num_bins`` buckets, the same in every process.

    Use ``tf.keras.layers.Hashing(num_bins=num_bins)`` (FarmHash64, as
    ``tf.strings.to_hash_bucket_fast``). The course's ``hash(category) % num_buckets`` is wrong:
    Python salts ``str`` hashes per process, so training and serving would disagree.

    Args:
        values: a 1-D array-like of strings.
        num_bins: the number of buckets.

    Returns:
        An ``int64`` tensor of shape ``(N,)`` with values in ``[0, num_bins)``.
    """
    return tf.keras.layers.Hashing(num_bins=num_bins)(tf.constant(np.asarray(values).astype(str)))


def multi_hot_ids(ids, vocabulary) -> tf.Tensor:
    """Multi-hot encode rows of integer ids (tags, say) with ``tf.keras.layers.IntegerLookup``.

    Use ``IntegerLookup(vocabulary=..., output_mode="multi_hot")``: column 0 is the
    out-of-vocabulary slot, column ``k + 1`` is ``vocabulary[k]``. An id not in the vocabulary
    (``-1`` padding included) sets the out-of-vocabulary column.

    Args:
        ids: an integer array of shape ``(N, K)``.
        vocabulary: a list of distinct non-negative ints.

    Returns:
        A ``float32`` tensor of shape ``(N, len(vocabulary) + 1)`` of zeros and ones.
    """
    lookup = tf.keras.layers.IntegerLookup(vocabulary=[int(v) for v in vocabulary], output_mode="multi_hot")
    return tf.cast(lookup(tf.constant(np.asarray(ids, np.int64))), tf.float32)


def target_encode(train_values, train_targets, values, smoothing: float = 10.0, n_folds: int = 5,
                  seed: int = 0) -> tuple:
    """Smoothed target (mean) encoding, out-of-fold on the training rows.

    A category ``v`` seen ``n`` times with mean target ``mean_v`` encodes as
    ``(n * mean_v + smoothing * prior) / (n + smoothing)``, where ``prior`` is the mean target; a category
    never seen encodes as ``prior``. Rare categories are pulled towards the prior.

    - ``values`` (held-out rows) use the statistics of all training rows.
    - Each *training* row uses the statistics of the other folds only (its own target never enters its
      encoding, which would leak the label into the feature): the folds are
      ``sklearn.model_selection.KFold(n_folds, shuffle=True, random_state=seed).split(train_values)``, and
      ``prior`` too comes from the other folds.

    Args:
        train_values: ``N`` category strings.
        train_targets: ``N`` numeric targets (0/1 labels or a regression target).
        values: ``M`` category strings to encode.
        smoothing: the prior's weight ``m`` (>= 0).
        n_folds: the number of folds for the training rows.
        seed: ``KFold``'s ``random_state``.

    Returns:
        ``(train_encoded, encoded)``: ``float32`` arrays of shapes ``(N,)`` and ``(M,)``.
    """
    from sklearn.model_selection import KFold

    train_values = np.asarray(train_values).astype(str)
    train_targets = np.asarray(train_targets, np.float64)

    def encoder(keys, targets):
        prior = targets.mean()
        sums, counts = {}, {}
        for key, target in zip(keys, targets, strict=True):
            sums[key] = sums.get(key, 0.0) + target
            counts[key] = counts.get(key, 0) + 1
        return lambda key: sums[key] / counts[key] if key in counts else prior

    train_encoded = np.empty(len(train_values))
    for fit_rows, encode_rows in KFold(n_folds, shuffle=True, random_state=seed).split(train_values):
        encode = encoder(train_values[fit_rows], train_targets[fit_rows])
        train_encoded[encode_rows] = [encode(key) for key in train_values[encode_rows]]
    encode = encoder(train_values, train_targets)
    encoded = np.array([encode(key) for key in np.asarray(values).astype(str)])
    return train_encoded.astype(np.float32), encoded.astype(np.float32)


def fit_predict_categorical(train_tokens, train_labels, test_tokens) -> np.ndarray:
    """Train a classifier on purely categorical features and predict held-out labels.

    Each column of ``train_tokens`` is one categorical feature (strings such as ``"alcohol=q2"``).
    Encode every column with its own ``StringLookup(output_mode="one_hot")`` adapted on that training
    column, concatenate, and train a small Keras classifier (softmax regression is enough). Seed it
    with ``tf.keras.utils.set_random_seed(SEED)`` and keep training to a few seconds.

    Args:
        train_tokens: a string array of shape ``(N, F)``.
        train_labels: an int array of shape ``(N,)`` with classes ``0..C-1``.
        test_tokens: a string array of shape ``(M, F)``.

    Returns:
        An ``int64`` NumPy array of shape ``(M,)``: the predicted classes.
    """
    tf.keras.utils.set_random_seed(SEED)
    train_tokens = np.asarray(train_tokens).astype(str)
    test_tokens = np.asarray(test_tokens).astype(str)
    labels = np.asarray(train_labels, np.int64)
    lookups = []
    for j in range(train_tokens.shape[1]):
        lookup = tf.keras.layers.StringLookup(output_mode="one_hot")
        lookup.adapt(train_tokens[:, j])
        lookups.append(lookup)

    def encode(tokens):
        return tf.concat([lookup(tokens[:, j]) for j, lookup in enumerate(lookups)], axis=1)

    x_train, x_test = encode(train_tokens), encode(test_tokens)
    model = tf.keras.Sequential([tf.keras.layers.Dense(int(labels.max()) + 1, activation="softmax")])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy")
    model.fit(x_train, labels, epochs=60, batch_size=32, verbose=0)
    return np.argmax(model.predict(x_test, verbose=0), axis=1).astype(np.int64)
