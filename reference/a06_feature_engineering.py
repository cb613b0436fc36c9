"""Reference solution for A06, Feature Engineering.

Each ``# %% [qK]`` section is the solution cell of question ``qK``, verbatim; nbgrader removes the
marked solution regions from the student release. This docstring sits before the first section, so
it is in no notebook cell.

Course-text errors corrected here (and in the manifest's intro): ``tf.keras.utils.get_file.Normalization()``
does not exist (it is ``tf.keras.layers.Normalization()``); Python's ``hash(category) % num_buckets``
is salted per process (``PYTHONHASHSEED``), so the "hash encoding" of the course gives different
buckets in training and serving: use ``tf.keras.layers.Hashing`` (FarmHash, stable); the feature
columns (``tf.feature_column``) still work in TF 2.18 with ``tf_keras``'s ``DenseFeatures`` but are
deprecated, and do not exist in Keras 3; lookup and text layers run on the CPU, not the GPU.
"""

# %% [setup]

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np
import tensorflow as tf

SEED = 0


# %% [q1]
def build_preprocessor(train: dict, income_boundaries) -> tf.keras.Model:
    """A Keras model that turns raw features into one dense ``float32`` vector per example.

    The model's input is a dict of three ``tf.keras.Input(shape=(1,), name=...)``: ``"age"``
    (``float32``), ``"city"`` (``string``) and ``"income"`` (``float32``). Its output is the
    concatenation, in this order, of

    1. ``age`` standardized by a ``tf.keras.layers.Normalization`` adapted on ``train["age"]``
       (1 column);
    2. ``city`` one-hot encoded by a ``tf.keras.layers.StringLookup(output_mode="one_hot")`` adapted on
       ``train["city"]`` (vocabulary from ``adapt``: most frequent first; column 0 is the
       out-of-vocabulary slot, so an unseen city gives ``[1, 0, 0, ...]``);
    3. ``income`` bucketized by ``tf.keras.layers.Discretization(bin_boundaries=income_boundaries)``
       and one-hot encoded by ``tf.keras.layers.CategoryEncoding`` (``len(income_boundaries) + 1``
       columns).

    Args:
        train: a dict with the keys ``"age"``, ``"city"``, ``"income"``, each a NumPy array of shape
            ``(N, 1)`` (``float32``, ``str``, ``float32``).
        income_boundaries: a sorted list of floats.

    Returns:
        An uncompiled ``tf.keras.Model`` that also saves to and loads from a ``.keras`` file.
    """
    ### BEGIN SOLUTION
    inputs = {
        "age": tf.keras.Input(shape=(1,), name="age", dtype="float32"),
        "city": tf.keras.Input(shape=(1,), name="city", dtype="string"),
        "income": tf.keras.Input(shape=(1,), name="income", dtype="float32"),
    }
    normalizer = tf.keras.layers.Normalization(axis=-1)
    normalizer.adapt(np.asarray(train["age"], np.float32))
    lookup = tf.keras.layers.StringLookup(output_mode="one_hot")
    lookup.adapt(np.asarray(train["city"]).astype(str))
    bucketize = tf.keras.layers.Discretization(bin_boundaries=list(income_boundaries))
    encode = tf.keras.layers.CategoryEncoding(num_tokens=len(income_boundaries) + 1, output_mode="one_hot")
    outputs = tf.keras.layers.Concatenate()([
        normalizer(inputs["age"]),
        lookup(inputs["city"]),
        encode(bucketize(inputs["income"])),
    ])
    return tf.keras.Model(inputs, outputs)
    ### END SOLUTION


def crossed_ids(city, income, income_boundaries, num_bins: int) -> tf.Tensor:
    """A feature cross of city and income bucket, hashed: ``tf.keras.layers.HashedCrossing``.

    Bucketize ``income`` with ``tf.keras.layers.Discretization(bin_boundaries=income_boundaries)``, then cross
    it with ``city`` by ``tf.keras.layers.HashedCrossing(num_bins)`` (the Keras successor of
    ``tf.feature_column.crossed_column``): one id in ``[0, num_bins)`` per (city, bucket) pair, so a linear
    model can learn an interaction that neither feature shows alone.

    Args:
        city: ``N`` strings.
        income: ``N`` floats.
        income_boundaries: sorted bucket boundaries.
        num_bins: the hash space.

    Returns:
        An ``int64`` tensor of shape ``(N,)``.
    """
    ### BEGIN SOLUTION
    bucket = tf.keras.layers.Discretization(bin_boundaries=list(income_boundaries))(
        tf.constant(np.asarray(income, np.float32)))
    cross = tf.keras.layers.HashedCrossing(num_bins=int(num_bins))
    return tf.cast(tf.reshape(cross((tf.constant(np.asarray(city).astype(str)), bucket)), [-1]), tf.int64)
    ### END SOLUTION


def embed_cities(train_city, city, embedding_dim: int, seed: int) -> tf.Tensor:
    """Dense learned-style embeddings of a categorical feature: ``StringLookup`` then ``Embedding``.

    A ``tf.keras.layers.StringLookup()`` adapted on ``train_city`` (index 0 is the out-of-vocabulary slot,
    shared by every city not seen in training), then ``tf.keras.layers.Embedding(vocabulary_size,
    embedding_dim, embeddings_initializer=tf.keras.initializers.RandomUniform(-0.05, 0.05, seed=seed))``.

    Args:
        train_city: the training cities (strings).
        city: ``N`` cities to embed.
        embedding_dim: the embedding width.
        seed: the initializer's seed.

    Returns:
        A ``float32`` tensor of shape ``(N, embedding_dim)``.
    """
    ### BEGIN SOLUTION
    lookup = tf.keras.layers.StringLookup()
    lookup.adapt(np.asarray(train_city).astype(str))
    embedding = tf.keras.layers.Embedding(
        lookup.vocabulary_size(), int(embedding_dim),
        embeddings_initializer=tf.keras.initializers.RandomUniform(-0.05, 0.05, seed=int(seed)))
    return embedding(lookup(tf.constant(np.asarray(city).astype(str))))
    ### END SOLUTION


def legacy_feature_columns(vocabulary, income_boundaries, age_mean: float, age_std: float) -> list:
    """The same features as ``tf.feature_column`` columns (the deprecated, pre-Keras-layers way).

    Return three columns: ``numeric_column("age", normalizer_fn=...)`` standardizing with the given
    mean and std, ``indicator_column(categorical_column_with_vocabulary_list("city", vocabulary,
    num_oov_buckets=1))`` and ``bucketized_column(numeric_column("income"), boundaries=...)``.
    ``tf.keras.layers.DenseFeatures(columns)`` turns them into one tensor (columns sorted by name:
    age, city, income). Note that here the out-of-vocabulary slot is the *last* city column, while
    ``StringLookup`` puts it first.

    Args:
        vocabulary: the city vocabulary (list of str), in the order ``StringLookup`` learned it.
        income_boundaries: a sorted list of floats.
        age_mean: the training mean of ``age``.
        age_std: the training (population) standard deviation of ``age``.

    Returns:
        A list of feature columns.
    """
    ### BEGIN SOLUTION
    fc = tf.feature_column
    age = fc.numeric_column("age", normalizer_fn=lambda x: (x - age_mean) / age_std)
    city = fc.indicator_column(fc.categorical_column_with_vocabulary_list("city", list(vocabulary),
                                                                          num_oov_buckets=1))
    income = fc.bucketized_column(fc.numeric_column("income"), boundaries=[float(b) for b in income_boundaries])
    return [age, city, income]
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    lookup = tf.keras.layers.StringLookup(vocabulary=list(vocabulary), output_mode="one_hot")
    return tf.cast(lookup(tf.constant(np.asarray(values).astype(str))), tf.float32)
    ### END SOLUTION


def ordinal_encode(values, order) -> tf.Tensor:
    """Ordinal encoding: the position of each value in ``order``; ``-1`` for a value not in it.

    Args:
        values: a 1-D array-like of strings.
        order: the ordered list of levels (``["poor", "fair", "good", "excellent"]``, say).

    Returns:
        An ``int64`` tensor of shape ``(N,)``.
    """
    ### BEGIN SOLUTION
    # One OOV index at 0 and the levels at 1..K: shifting by one gives -1 for unknown values.
    lookup = tf.keras.layers.StringLookup(vocabulary=list(order), num_oov_indices=1)
    return lookup(tf.constant(np.asarray(values).astype(str))) - 1
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    return tf.keras.layers.Hashing(num_bins=num_bins)(tf.constant(np.asarray(values).astype(str)))
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    lookup = tf.keras.layers.IntegerLookup(vocabulary=[int(v) for v in vocabulary], output_mode="multi_hot")
    return tf.cast(lookup(tf.constant(np.asarray(ids, np.int64))), tf.float32)
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    from sklearn.model_selection import KFold

    train_values = np.asarray(train_values).astype(str)
    train_targets = np.asarray(train_targets, np.float64)

    def encoder(keys, targets):
        prior = targets.mean()
        sums, counts = {}, {}
        for key, target in zip(keys, targets, strict=True):
            sums[key] = sums.get(key, 0.0) + target
            counts[key] = counts.get(key, 0) + 1
        return lambda key: (sums.get(key, 0.0) + smoothing * prior) / (counts.get(key, 0) + smoothing)

    train_encoded = np.empty(len(train_values))
    for fit_rows, encode_rows in KFold(n_folds, shuffle=True, random_state=seed).split(train_values):
        encode = encoder(train_values[fit_rows], train_targets[fit_rows])
        train_encoded[encode_rows] = [encode(key) for key in train_values[encode_rows]]
    encode = encoder(train_values, train_targets)
    encoded = np.array([encode(key) for key in np.asarray(values).astype(str)])
    return train_encoded.astype(np.float32), encoded.astype(np.float32)
    ### END SOLUTION


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
    ### BEGIN SOLUTION
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
    ### END SOLUTION


# %% [q3]
def standardize(train, x) -> tf.Tensor:
    """Z-score ``x`` per feature with statistics of ``train`` only, via ``tf.keras.layers.Normalization``.

    Adapt a ``Normalization(axis=-1)`` layer on ``train`` and apply it to ``x``. It uses the
    population variance (``np.var``, ``ddof=0``), like scikit-learn's ``StandardScaler`` (which,
    unlike the layer, divides a constant column by 1 instead of by the layer's ``1e-7`` floor).

    Args:
        train: a ``float32`` array of shape ``(N, F)``.
        x: a ``float32`` array of shape ``(M, F)`` (held-out data: never adapt on it).

    Returns:
        A ``float32`` tensor of shape ``(M, F)``.
    """
    ### BEGIN SOLUTION
    normalizer = tf.keras.layers.Normalization(axis=-1)
    normalizer.adapt(np.asarray(train, np.float32))
    return normalizer(tf.constant(np.asarray(x, np.float32)))
    ### END SOLUTION


def minmax_scale(train, x) -> tf.Tensor:
    """Min-max scale ``x`` per feature to ``[0, 1]`` with the minimum and maximum of ``train``.

    ``(x - min) / (max - min)``; a constant training column (``max == min``) gives ``x - min``
    (divide by 1, never by 0). Held-out values may fall outside ``[0, 1]``: do not clip.

    Args:
        train: a ``float32`` array of shape ``(N, F)``.
        x: a ``float32`` array of shape ``(M, F)``.

    Returns:
        A ``float32`` tensor of shape ``(M, F)``.
    """
    ### BEGIN SOLUTION
    train = tf.constant(np.asarray(train, np.float32))
    lo, hi = tf.reduce_min(train, axis=0), tf.reduce_max(train, axis=0)
    span = hi - lo
    span = tf.where(span > 0, span, tf.ones_like(span))
    return (tf.constant(np.asarray(x, np.float32)) - lo) / span
    ### END SOLUTION


def robust_scale(train, x) -> tf.Tensor:
    """Robust scaling: ``(x - median) / IQR`` per feature, statistics from ``train`` only.

    The median and quartiles use linear interpolation between order statistics (NumPy's default
    ``np.percentile`` method, as in scikit-learn's ``RobustScaler``); an IQR of 0 gives a scale of 1.

    Args:
        train: a ``float32`` array of shape ``(N, F)``.
        x: a ``float32`` array of shape ``(M, F)``.

    Returns:
        A ``float32`` tensor of shape ``(M, F)``.
    """
    ### BEGIN SOLUTION
    train = tf.sort(tf.constant(np.asarray(train, np.float32)), axis=0)
    n = int(train.shape[0])

    def quantile(q):
        pos = q * (n - 1)
        lo = int(np.floor(pos))
        hi = min(lo + 1, n - 1)
        frac = np.float32(pos - lo)
        return train[lo] + frac * (train[hi] - train[lo])

    median = quantile(0.5)
    iqr = quantile(0.75) - quantile(0.25)
    iqr = tf.where(iqr > 0, iqr, tf.ones_like(iqr))
    return (tf.constant(np.asarray(x, np.float32)) - median) / iqr
    ### END SOLUTION


def power_transform(train, x, method: str = "yeo-johnson") -> tuple:
    """Box-Cox or Yeo-Johnson per feature, each ``lambda`` fitted by maximum likelihood on ``train``.

    Per column, ``lambda`` maximizes the transform's normal log-likelihood on the training column
    (``scipy.stats.yeojohnson_normmax(col)``, or ``scipy.stats.boxcox_normmax(col, method="mle")``).
    The transform of ``x`` is then written in TensorFlow ops (``float64`` arithmetic), so it can live in a
    model or a ``tf.data`` pipeline:

    - Box-Cox (``x > 0`` only): ``(x**lam - 1) / lam``, or ``log(x)`` when ``lam == 0``.
    - Yeo-Johnson: for ``x >= 0``, ``((x + 1)**lam - 1) / lam`` (``log(x + 1)`` when ``lam == 0``); for
      ``x < 0``, ``-((1 - x)**(2 - lam) - 1) / (2 - lam)`` (``-log(1 - x)`` when ``lam == 2``).

    Args:
        train: a ``float32`` array of shape ``(N, F)``.
        x: a ``float32`` array of shape ``(M, F)``.
        method: ``"yeo-johnson"`` or ``"box-cox"``.

    Returns:
        ``(transformed, lambdas)``: a ``float32`` tensor ``(M, F)`` and a ``float64`` array ``(F,)``.

    Raises:
        ValueError: for Box-Cox when ``train`` or ``x`` holds a value ``<= 0``, or for an unknown method.
    """
    ### BEGIN SOLUTION
    import scipy.stats

    train = np.asarray(train, np.float64)
    x = tf.constant(np.asarray(x, np.float64))
    if method == "box-cox":
        if np.any(train <= 0) or bool(tf.reduce_any(x <= 0)):
            raise ValueError("Box-Cox needs strictly positive data; use Yeo-Johnson")
        lambdas = np.array([scipy.stats.boxcox_normmax(train[:, j], method="mle") for j in range(train.shape[1])])
        lam = tf.constant(lambdas)
        safe = tf.where(lam == 0, tf.ones_like(lam), lam)
        out = tf.where(lam == 0, tf.math.log(x), (tf.pow(x, lam) - 1) / safe)
    elif method == "yeo-johnson":
        lambdas = np.array([scipy.stats.yeojohnson_normmax(train[:, j]) for j in range(train.shape[1])])
        lam = tf.constant(lambdas)
        positive, negative = tf.maximum(x, 0.0), tf.minimum(x, 0.0)
        safe = tf.where(lam == 0, tf.ones_like(lam), lam)
        upper = tf.where(lam == 0, tf.math.log1p(positive), (tf.pow(positive + 1, lam) - 1) / safe)
        safe2 = tf.where(lam == 2, tf.ones_like(lam), 2 - lam)
        lower = tf.where(lam == 2, -tf.math.log1p(-negative), -(tf.pow(1 - negative, 2 - lam) - 1) / safe2)
        out = tf.where(x >= 0, upper, lower)
    else:
        raise ValueError(f"unknown method {method!r}")
    return tf.cast(out, tf.float32), lambdas
    ### END SOLUTION


def quantile_transform(train, x, n_quantiles: int = 100) -> tf.Tensor:
    """Map each feature to ``[0, 1]`` through the training column's empirical distribution.

    scikit-learn's ``QuantileTransformer(n_quantiles, output_distribution="uniform")``: the references
    are ``np.linspace(0, 1, q)`` with ``q = min(n_quantiles, N)``, the quantiles
    ``np.percentile(col, 100 * references)`` (made non-decreasing with ``np.maximum.accumulate``), and a
    value maps to ``0.5 * (np.interp(v, quantiles, refs) - np.interp(-v, -quantiles[::-1], -refs[::-1]))``
    (the average of the forward and backward interpolation, so ties map to the middle of their run).
    Values beyond the training range map to 0 or 1.

    Args:
        train: a ``float32`` array of shape ``(N, F)``.
        x: a ``float32`` array of shape ``(M, F)``.
        n_quantiles: the number of quantiles.

    Returns:
        A ``float32`` tensor of shape ``(M, F)`` with values in ``[0, 1]``.
    """
    ### BEGIN SOLUTION
    train, x = np.asarray(train, np.float64), np.asarray(x, np.float64)
    references = np.linspace(0, 1, min(int(n_quantiles), train.shape[0]))
    out = np.empty_like(x)
    for j in range(train.shape[1]):
        quantiles = np.maximum.accumulate(np.percentile(train[:, j], 100 * references))
        forward = np.interp(x[:, j], quantiles, references)
        backward = -np.interp(-x[:, j], -quantiles[::-1], -references[::-1])
        out[:, j] = 0.5 * (forward + backward)
    return tf.constant(out, tf.float32)
    ### END SOLUTION


def fit_predict_numeric(train_x, train_y, test_x) -> np.ndarray:
    """Train a binary classifier on raw numeric features whose scales differ by orders of magnitude.

    Put a ``Normalization`` layer adapted on ``train_x`` as the model's first layer (so serving
    sees the same scaling), then a small dense network. Seed with
    ``tf.keras.utils.set_random_seed(SEED)``; a few seconds of training.

    Args:
        train_x: a ``float32`` array of shape ``(N, F)``.
        train_y: an int array of shape ``(N,)`` with values 0 and 1.
        test_x: a ``float32`` array of shape ``(M, F)``.

    Returns:
        An ``int64`` NumPy array of shape ``(M,)``: the predicted classes.
    """
    ### BEGIN SOLUTION
    tf.keras.utils.set_random_seed(SEED)
    train_x = np.asarray(train_x, np.float32)
    normalizer = tf.keras.layers.Normalization(axis=-1)
    normalizer.adapt(train_x)
    model = tf.keras.Sequential([
        tf.keras.Input(shape=(train_x.shape[1],)),
        normalizer,
        tf.keras.layers.Dense(16, activation="relu"),
        tf.keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    model.fit(train_x, np.asarray(train_y, np.float32), epochs=40, batch_size=32, verbose=0)
    scores = model.predict(np.asarray(test_x, np.float32), verbose=0)[:, 0]
    return (scores > 0.5).astype(np.int64)
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    layer = tf.keras.layers.TextVectorization(max_tokens=max_tokens, output_mode="int",
                                              output_sequence_length=sequence_length)
    layer.adapt(np.asarray(train_texts).astype(str))
    return layer
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    ds = tf.data.Dataset.from_tensor_slices(np.asarray(texts).astype(str)).batch(batch_size)
    return ds.map(vectorizer, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    layer = tf.keras.layers.TextVectorization(max_tokens=max_tokens, output_mode="tf_idf")
    layer.adapt(np.asarray(train_texts).astype(str))
    return layer(tf.constant(np.asarray(texts).astype(str)))
    ### END SOLUTION


def _merge_pair(symbols: tuple, pair: tuple) -> tuple:
    """``symbols`` with every occurrence of ``pair`` merged, left to right, without overlaps."""
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return tuple(out)


def learn_bpe(word_counts: dict, num_merges: int) -> list:
    """Byte-pair encoding merges learned from word frequencies (Sennrich et al. 2016), by hand.

    Each word starts as its characters followed by the end-of-word symbol ``"</w>"`` (``"low"`` is
    ``l o w </w>``), so a merge never joins the end of one word to the start of the next. Repeat
    ``num_merges`` times: count every adjacent pair of symbols, weighted by the word's count; take the
    most frequent pair, the lexicographically smallest ``(left, right)`` among ties; merge all its
    occurrences (left to right, no overlaps) in every word. Stop early when no pair is left.

    Args:
        word_counts: ``{word: count}``.
        num_merges: the number of merges.

    Returns:
        The merges in the order learned, as ``(left, right)`` tuples of strings.
    """
    ### BEGIN SOLUTION
    words = {tuple(word) + ("</w>",): int(count) for word, count in word_counts.items()}
    merges = []
    for _ in range(int(num_merges)):
        pairs = {}
        for symbols, count in words.items():
            for pair in zip(symbols, symbols[1:], strict=False):
                pairs[pair] = pairs.get(pair, 0) + count
        if not pairs:
            break
        best = min(pairs, key=lambda pair: (-pairs[pair], pair))
        merges.append(best)
        words = {_merge_pair(symbols, best): count for symbols, count in words.items()}
    return merges
    ### END SOLUTION


def bpe_encode(word: str, merges) -> list:
    """Segment a word with learned merges: repeatedly apply the earliest-learned merge present.

    Start from the characters and ``"</w>"``; while some adjacent pair is a learned merge, merge every
    occurrence of the pair with the lowest rank (the earliest learned). Characters never seen stay as they are.

    Args:
        word: a word.
        merges: the list from ``learn_bpe``.

    Returns:
        The list of subword symbols (the last one ends with ``"</w>"``).
    """
    ### BEGIN SOLUTION
    ranks = {tuple(pair): rank for rank, pair in enumerate(merges)}
    symbols = tuple(word) + ("</w>",)
    while len(symbols) > 1:
        present = [pair for pair in zip(symbols, symbols[1:], strict=False) if pair in ranks]
        if not present:
            break
        symbols = _merge_pair(symbols, min(present, key=ranks.__getitem__))
    return list(symbols)
    ### END SOLUTION


def wordpiece_tokenize(word: str, vocab, unk: str = "[UNK]") -> list:
    """WordPiece (BERT) tokenization of one word: greedy longest match first.

    From the start of the word, take the longest prefix in ``vocab``; every later piece must be in
    ``vocab`` with the continuation prefix ``"##"``. If at some position no piece matches, the whole
    word becomes ``[unk]``.

    Args:
        word: a word (no spaces).
        vocab: a set or list of pieces (``"play"``, ``"##ing"``, ...).
        unk: the unknown token.

    Returns:
        The list of pieces.
    """
    ### BEGIN SOLUTION
    vocab = set(vocab)
    pieces, start = [], 0
    while start < len(word):
        end = len(word)
        while end > start:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                break
            end -= 1
        if end == start:
            return [unk]
        pieces.append(piece)
        start = end
    return pieces
    ### END SOLUTION


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
    ### BEGIN SOLUTION
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
    ### END SOLUTION


# %% [q5]
def make_augmenter(seed: int) -> tf.keras.Sequential:
    """A seeded augmentation model made of Keras preprocessing layers.

    In this order: ``RandomFlip("horizontal")``, ``RandomRotation(0.05, fill_mode="reflect")``,
    ``RandomZoom(0.1, fill_mode="reflect")``, ``RandomContrast(0.2)``, each with ``seed=seed``.

    A fresh augmenter made with the same seed gives the same outputs (whatever the global seed);
    called with ``training=False`` (inference) it is the identity, so the same model can serve.

    Args:
        seed: an int.

    Returns:
        A ``tf.keras.Sequential`` of the four layers.
    """
    ### BEGIN SOLUTION
    return tf.keras.Sequential([
        tf.keras.layers.RandomFlip("horizontal", seed=seed),
        tf.keras.layers.RandomRotation(0.05, fill_mode="reflect", seed=seed),
        tf.keras.layers.RandomZoom(0.1, fill_mode="reflect", seed=seed),
        tf.keras.layers.RandomContrast(0.2, seed=seed),
    ])
    ### END SOLUTION


def preprocess_images(images, size: int) -> tf.Tensor:
    """Resize ``uint8`` images and scale them to ``[-1, 1]`` with Keras preprocessing layers.

    ``tf.keras.layers.Resizing(size, size)`` (bilinear), then
    ``tf.keras.layers.Rescaling(1 / 127.5, offset=-1)``.

    Args:
        images: a ``uint8`` array of shape ``(B, H, W, C)``.
        size: the output height and width.

    Returns:
        A ``float32`` tensor of shape ``(B, size, size, C)`` with values in ``[-1, 1]``.
    """
    ### BEGIN SOLUTION
    x = tf.keras.layers.Resizing(size, size)(tf.constant(np.asarray(images, np.uint8)))
    return tf.keras.layers.Rescaling(1.0 / 127.5, offset=-1.0)(x)
    ### END SOLUTION


def imagenet_normalize(images) -> tf.Tensor:
    """ImageNet normalization of images in ``[0, 1]``: ``(x - mean) / std`` per channel.

    ``mean = [0.485, 0.456, 0.406]`` and ``std = [0.229, 0.224, 0.225]`` (RGB), via
    ``tf.keras.layers.Normalization(mean=..., variance=std**2)``.

    Args:
        images: a ``float32`` array of shape ``(B, H, W, 3)``.

    Returns:
        A ``float32`` tensor of the same shape.
    """
    ### BEGIN SOLUTION
    std = np.array([0.229, 0.224, 0.225])
    layer = tf.keras.layers.Normalization(mean=[0.485, 0.456, 0.406], variance=(std ** 2).tolist())
    return layer(tf.constant(np.asarray(images, np.float32)))
    ### END SOLUTION


def _beta(shape, alpha: float, seed: int, stream: int) -> tf.Tensor:
    """``Beta(alpha, alpha)`` draws as ``g1 / (g1 + g2)`` of two stateless Gamma draws."""
    g1 = tf.random.stateless_gamma(shape, seed=[seed, stream], alpha=alpha)
    g2 = tf.random.stateless_gamma(shape, seed=[seed, stream + 1], alpha=alpha)
    return g1 / (g1 + g2)


def mixup(images, labels, alpha: float, seed: int) -> tuple:
    """MixUp (Zhang et al. 2018) of a batch with a shuffled copy of itself, written by hand.

    Per example ``i``: ``lam_i ~ Beta(alpha, alpha)``, a partner ``perm[i]`` from a random permutation of
    the batch, ``x_i' = lam_i * x_i + (1 - lam_i) * x_perm[i]`` and the same mix of the one-hot labels.
    Draw everything from ``seed`` with stateless ops, so a seed repeats and another seed differs.

    Args:
        images: ``float32`` ``(B, H, W, C)``.
        labels: one-hot ``float32`` ``(B, K)``.
        alpha: the Beta distribution's parameter (> 0).
        seed: an int.

    Returns:
        ``(images, labels, lam, perm)``: the mixed batch and labels, ``lam`` ``float32`` ``(B,)`` and ``perm``
        ``int32`` ``(B,)``.
    """
    ### BEGIN SOLUTION
    images, labels = tf.constant(images, tf.float32), tf.constant(labels, tf.float32)
    batch = tf.shape(images)[0]
    lam = _beta([batch], alpha, seed, 0)
    perm = tf.random.experimental.stateless_shuffle(tf.range(batch), seed=[seed, 2])
    mixed = lam[:, None, None, None] * images + (1 - lam[:, None, None, None]) * tf.gather(images, perm)
    mixed_labels = lam[:, None] * labels + (1 - lam[:, None]) * tf.gather(labels, perm)
    return mixed, mixed_labels, lam, perm
    ### END SOLUTION


def _boxes(height: int, width: int, box_h, box_w, seed: int, stream: int) -> tf.Tensor:
    """Boxes ``[y0, x0, y1, x1]`` (end exclusive) of the given sizes around uniform centres, clipped."""
    batch = tf.shape(box_h)[0]
    cy = tf.random.stateless_uniform([batch], seed=[seed, stream], maxval=height, dtype=tf.int32)
    cx = tf.random.stateless_uniform([batch], seed=[seed, stream + 1], maxval=width, dtype=tf.int32)
    y0 = tf.clip_by_value(cy - box_h // 2, 0, height)
    x0 = tf.clip_by_value(cx - box_w // 2, 0, width)
    y1 = tf.clip_by_value(cy - box_h // 2 + box_h, 0, height)
    x1 = tf.clip_by_value(cx - box_w // 2 + box_w, 0, width)
    return tf.stack([y0, x0, y1, x1], axis=1)


def _box_masks(boxes, height: int, width: int) -> tf.Tensor:
    """``float32`` ``(B, H, W, 1)``: 1 inside each example's box."""
    rows = tf.range(height)[None, :, None]
    cols = tf.range(width)[None, None, :]
    inside = ((rows >= boxes[:, 0, None, None]) & (rows < boxes[:, 2, None, None])
              & (cols >= boxes[:, 1, None, None]) & (cols < boxes[:, 3, None, None]))
    return tf.cast(inside, tf.float32)[..., None]


def cutmix(images, labels, alpha: float, seed: int) -> tuple:
    """CutMix (Yun et al. 2019): paste a box of a partner image, mix the labels by the pasted area.

    Per example ``i``: ``lam_i ~ Beta(alpha, alpha)``; a box of height ``int(H * sqrt(1 - lam_i))`` and width
    ``int(W * sqrt(1 - lam_i))`` around a uniform centre ``(cy, cx)`` (``y0 = cy - h // 2``, ``y1 = y0 + h``,
    then both clipped to ``[0, H]``; the same for x); the pixels inside come from ``perm[i]``. Because the
    box is clipped at the border, the label weight is the *pasted area*:
    ``y_i' = (1 - a_i) * y_i + a_i * y_perm[i]`` with ``a_i = (y1 - y0) * (x1 - x0) / (H * W)``, not
    ``1 - lam_i``.

    Args:
        images: ``float32`` ``(B, H, W, C)``.
        labels: one-hot ``float32`` ``(B, K)``.
        alpha: the Beta distribution's parameter.
        seed: an int.

    Returns:
        ``(images, labels, boxes, perm)``: ``boxes`` ``int32`` ``(B, 4)`` as ``[y0, x0, y1, x1]`` (end
        exclusive), ``perm`` ``int32`` ``(B,)``.
    """
    ### BEGIN SOLUTION
    images, labels = tf.constant(images, tf.float32), tf.constant(labels, tf.float32)
    batch, height, width = tf.shape(images)[0], int(images.shape[1]), int(images.shape[2])
    lam = _beta([batch], alpha, seed, 0)
    perm = tf.random.experimental.stateless_shuffle(tf.range(batch), seed=[seed, 2])
    cut = tf.sqrt(1.0 - lam)
    box_h = tf.cast(tf.cast(height, tf.float32) * cut, tf.int32)
    box_w = tf.cast(tf.cast(width, tf.float32) * cut, tf.int32)
    boxes = _boxes(height, width, box_h, box_w, seed, 3)
    mask = _box_masks(boxes, height, width)
    mixed = (1 - mask) * images + mask * tf.gather(images, perm)
    area = tf.cast((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]), tf.float32) / (height * width)
    mixed_labels = (1 - area[:, None]) * labels + area[:, None] * tf.gather(labels, perm)
    return mixed, mixed_labels, boxes, perm
    ### END SOLUTION


def cutout(images, size: int, seed: int) -> tuple:
    """Cutout (DeVries and Taylor 2017): zero a ``size x size`` square around a uniform centre, clipped.

    The box is placed as in ``cutmix`` (``y0 = cy - size // 2``, ``y1 = y0 + size``, clipped to the image),
    with the centre drawn from ``seed``; the pixels inside become 0 in every channel, the rest are unchanged.

    Args:
        images: ``float32`` ``(B, H, W, C)``.
        size: the side of the square.
        seed: an int.

    Returns:
        ``(images, boxes)``: the images and the ``int32`` ``(B, 4)`` boxes ``[y0, x0, y1, x1]``.
    """
    ### BEGIN SOLUTION
    images = tf.constant(images, tf.float32)
    batch, height, width = tf.shape(images)[0], int(images.shape[1]), int(images.shape[2])
    sides = tf.fill([batch], tf.constant(int(size), tf.int32))
    boxes = _boxes(height, width, sides, sides, seed, 5)
    return images * (1 - _box_masks(boxes, height, width)), boxes
    ### END SOLUTION


# %% [q6]
def make_windows(series, window: int, horizon: int, batch_size: int) -> tf.data.Dataset:
    """Sliding windows ``(x, y)`` for multi-step forecasting, via ``timeseries_dataset_from_array``.

    Use ``tf.keras.utils.timeseries_dataset_from_array``, in order (no shuffling).
    For ``i = 0, 1, ..., T - window - horizon``: ``x = series[i : i + window]`` and
    ``y = series[i + window : i + window + horizon]``, exactly the course's ``create_sequences``.
    Hint: ask for sequences of ``window + horizon`` steps and split each one in a ``map``.

    Args:
        series: a ``float32`` array of shape ``(T, F)``.
        window: the input length.
        horizon: the number of future steps to predict.
        batch_size: the batch size (no shuffling).

    Returns:
        A dataset of ``(x, y)`` batches: ``x`` of shape ``(b, window, F)``, ``y`` of shape
        ``(b, horizon, F)``, both ``float32``.
    """
    ### BEGIN SOLUTION
    ds = tf.keras.utils.timeseries_dataset_from_array(np.asarray(series, np.float32), None,
                                                      sequence_length=window + horizon, sequence_stride=1,
                                                      shuffle=False, batch_size=batch_size)
    return ds.map(lambda seq: (seq[:, :window], seq[:, window:]))
    ### END SOLUTION


def lag_features(x, lags) -> tf.Tensor:
    """Lagged copies of a 1-D series: ``out[t, j] = x[t - lags[j]]``, NaN where ``t < lags[j]``.

    Args:
        x: a ``float32`` array of shape ``(T,)``.
        lags: a list of positive ints.

    Returns:
        A ``float32`` tensor of shape ``(T, len(lags))``.
    """
    ### BEGIN SOLUTION
    x = tf.constant(np.asarray(x, np.float32))
    columns = []
    for lag in lags:
        lag = min(int(lag), int(x.shape[0]))
        pad = tf.fill([lag], tf.constant(np.nan, tf.float32))
        columns.append(tf.concat([pad, x[: int(x.shape[0]) - lag]], axis=0))
    return tf.stack(columns, axis=1)
    ### END SOLUTION


def rolling_features(x, window: int) -> tf.Tensor:
    """Trailing rolling mean, standard deviation and minimum of a 1-D series (no look-ahead).

    Row ``t`` summarizes ``x[t - window + 1 : t + 1]``: the mean, the sample standard deviation
    (``ddof=1``) and the minimum; rows ``t < window - 1`` are NaN. This is pandas'
    ``s.rolling(window).mean() / .std() / .min()``, here in TensorFlow ops (``tf.signal.frame``).

    Args:
        x: a ``float32`` array of shape ``(T,)`` without NaN.
        window: the window length (>= 2).

    Returns:
        A ``float32`` tensor of shape ``(T, 3)``: mean, std, min.
    """
    ### BEGIN SOLUTION
    x = tf.constant(np.asarray(x, np.float32))
    frames = tf.signal.frame(x, window, 1)
    mean = tf.reduce_mean(frames, axis=1)
    std = tf.sqrt(tf.reduce_sum(tf.square(frames - mean[:, None]), axis=1) / (window - 1))
    stats = tf.stack([mean, std, tf.reduce_min(frames, axis=1)], axis=1)
    pad = tf.fill([min(window - 1, int(x.shape[0])), 3], tf.constant(np.nan, tf.float32))
    return tf.concat([pad, stats], axis=0)[: int(x.shape[0])]
    ### END SOLUTION


def difference(x, lag: int = 1) -> tf.Tensor:
    """``x[t] - x[t - lag]`` (pandas' ``s.diff(lag)``), NaN for the first ``lag`` steps.

    Args:
        x: a ``float32`` array of shape ``(T,)``.
        lag: a positive int.

    Returns:
        A ``float32`` tensor of shape ``(T,)``.
    """
    ### BEGIN SOLUTION
    x = tf.constant(np.asarray(x, np.float32))
    lag = min(int(lag), int(x.shape[0]))
    return tf.concat([tf.fill([lag], tf.constant(np.nan, tf.float32)), x[lag:] - x[: int(x.shape[0]) - lag]], 0)
    ### END SOLUTION


def forward_fill(x) -> tf.Tensor:
    """Replace each NaN by the last observed value before it (pandas' ``s.ffill()``).

    Leading NaNs (nothing observed yet) stay NaN: filling them would need a value from the future.

    Args:
        x: a ``float32`` array of shape ``(T,)``.

    Returns:
        A ``float32`` tensor of shape ``(T,)``.
    """
    ### BEGIN SOLUTION
    x = tf.constant(np.asarray(x, np.float32))
    positions = tf.range(tf.shape(x)[0])
    last_seen = tf.where(tf.math.is_nan(x), tf.zeros_like(positions), positions)
    return tf.gather(x, tf.scan(tf.maximum, last_seen))
    ### END SOLUTION


def walk_forward_splits(n_samples: int, n_splits: int, test_size: int, gap: int = 0) -> list:
    """Expanding-window walk-forward validation folds, as scikit-learn's ``TimeSeriesSplit``.

    Fold ``k`` (``k = 0 .. n_splits - 1``) tests on the ``test_size`` steps that start at
    ``n_samples - (n_splits - k) * test_size`` and trains on every step before that start minus ``gap``
    (the steps in the gap are used for neither). Every training index comes before every test index.

    Args:
        n_samples: the series length.
        n_splits: the number of folds.
        test_size: the steps per test fold.
        gap: the steps dropped between training and test (a forecast horizon, say).

    Returns:
        A list of ``(train_indices, test_indices)`` pairs of ``int64`` arrays, oldest fold first.

    Raises:
        ValueError: when the first fold would have no training step.
    """
    ### BEGIN SOLUTION
    folds = []
    for k in range(n_splits):
        start = n_samples - (n_splits - k) * test_size
        if start - gap <= 0:
            raise ValueError(f"fold {k} would train on no step: n_samples={n_samples} is too short")
        folds.append((np.arange(0, start - gap, dtype=np.int64), np.arange(start, start + test_size, dtype=np.int64)))
    return folds
    ### END SOLUTION


def prepare_splits(series, window: int, horizon: int, batch_size: int, train_frac: float = 0.7,
                   val_frac: float = 0.15) -> dict:
    """Chronological train/validation/test windows with no leakage.

    1. Split ``series`` by time: the first ``n_train = int(T * train_frac)`` steps, the next
       ``n_val = int(T * val_frac)``, the rest. Never shuffle before splitting.
    2. Normalize all three with the *training* mean and population standard deviation per feature
       (a ``Normalization`` layer adapted on the training part): statistics of the validation or
       test steps must not leak into the inputs.
    3. Window each part separately with ``make_windows``, so that no window spans two parts.

    Args:
        series: a ``float32`` array of shape ``(T, F)``.
        window: the input length.
        horizon: the number of future steps.
        batch_size: the batch size.
        train_frac: the training fraction.
        val_frac: the validation fraction.

    Returns:
        A dict with ``"train"``, ``"val"``, ``"test"`` (datasets from ``make_windows``), ``"mean"`` and
        ``"std"`` (``float32`` arrays of shape ``(F,)``, the training statistics).
    """
    ### BEGIN SOLUTION
    series = np.asarray(series, np.float32)
    n_train = int(len(series) * train_frac)
    n_val = int(len(series) * val_frac)
    parts = {"train": series[:n_train], "val": series[n_train:n_train + n_val], "test": series[n_train + n_val:]}
    normalizer = tf.keras.layers.Normalization(axis=-1)
    normalizer.adapt(parts["train"])
    out = {name: make_windows(normalizer(part).numpy(), window, horizon, batch_size) for name, part in parts.items()}
    out["mean"] = np.asarray(normalizer.mean).reshape(-1).astype(np.float32)
    out["std"] = np.sqrt(np.asarray(normalizer.variance).reshape(-1)).astype(np.float32)
    return out
    ### END SOLUTION
