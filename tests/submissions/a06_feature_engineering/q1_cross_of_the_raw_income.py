# expect: {"q1": "below_full"}
# ruff: noqa: F821, F841  (a fragment: tf, np, ... come from the reference setup cell)
# Crosses the city with the raw income value instead of its bucket: every income is its own category.
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
    bucket = tf.keras.layers.Discretization(bin_boundaries=list(income_boundaries))(
        tf.constant(np.asarray(income, np.float32)))
    cross = tf.keras.layers.HashedCrossing(num_bins=int(num_bins))
    raw = tf.constant(np.asarray(income, np.float32).astype(np.int64))
    return tf.cast(tf.reshape(cross((tf.constant(np.asarray(city).astype(str)), raw)), [-1]), tf.int64)


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
    lookup = tf.keras.layers.StringLookup()
    lookup.adapt(np.asarray(train_city).astype(str))
    embedding = tf.keras.layers.Embedding(
        lookup.vocabulary_size(), int(embedding_dim),
        embeddings_initializer=tf.keras.initializers.RandomUniform(-0.05, 0.05, seed=int(seed)))
    return embedding(lookup(tf.constant(np.asarray(city).astype(str))))


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
    fc = tf.feature_column
    age = fc.numeric_column("age", normalizer_fn=lambda x: (x - age_mean) / age_std)
    city = fc.indicator_column(fc.categorical_column_with_vocabulary_list("city", list(vocabulary),
                                                                          num_oov_buckets=1))
    income = fc.bucketized_column(fc.numeric_column("income"), boundaries=[float(b) for b in income_boundaries])
    return [age, city, income]
