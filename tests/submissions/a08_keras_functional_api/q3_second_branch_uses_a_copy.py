# expect: {"q3": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, layers come from the reference setup cell)
# The right branch runs a clone of the embedding: two weight sets, not one shared layer.
# %% [q3]
def build_siamese(embedding: tf.keras.Model) -> tf.keras.Model:
    """Siamese model around ONE shared ``embedding``.

    Inputs ``left`` and ``right`` of the embedding's input shape; both go through the same
    ``embedding`` object; ``cosine`` = ``Dot(axes=1, normalize=True)``; ``head`` = Dense(1, sigmoid).
    """
    shape = embedding.input_shape[1:]
    left = tf.keras.Input(shape=shape, name="left")
    right = tf.keras.Input(shape=shape, name="right")
    copy = tf.keras.models.clone_model(embedding)
    cos = layers.Dot(axes=1, normalize=True, name="cosine")([embedding(left), copy(right)])
    out = layers.Dense(1, activation="sigmoid", name="head")(cos)
    return tf.keras.Model([left, right], out, name="siamese")


def make_pairs(x, y, n: int, seed: int) -> tuple:
    """Balanced positive and negative pairs of rows of ``x``.

    ``n`` (even) pairs: ``n // 2`` positives (two different rows of one label) and ``n // 2``
    negatives (rows of two different labels), shuffled, from
    ``np.random.default_rng(seed)``. Returns ``(left, right, same)``, ``same`` float32 1/0.
    """
    x, y = np.asarray(x), np.asarray(y)
    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    by_class = {c: np.flatnonzero(y == c) for c in classes}
    rich = [c for c in classes if len(by_class[c]) >= 2]
    left, right, same = [], [], []
    for _ in range(n // 2):
        c = rich[rng.integers(len(rich))]
        i, j = rng.choice(by_class[c], size=2, replace=False)
        left.append(i), right.append(j), same.append(1.0)
    for _ in range(n // 2):
        c1, c2 = rng.choice(classes, size=2, replace=False)
        left.append(rng.choice(by_class[c1])), right.append(rng.choice(by_class[c2])), same.append(0.0)
    order = rng.permutation(len(same))
    left, right = np.asarray(left)[order], np.asarray(right)[order]
    return x[left], x[right], np.asarray(same, np.float32)[order]


def build_transfer(backbone: tf.keras.Model, num_classes: int) -> tf.keras.Model:
    """Reuse a pre-trained ``backbone`` as a frozen feature extractor.

    Freeze it (``trainable = False``), call it on a new ``inputs`` Input with ``training=False``
    (so its Dropout and BatchNormalization stay in inference mode even during ``fit``) and add
    ``head`` = Dense(num_classes, softmax).
    """
    backbone.trainable = False
    inputs = tf.keras.Input(shape=backbone.input_shape[1:], name="inputs")
    features = backbone(inputs, training=False)
    outputs = layers.Dense(num_classes, activation="softmax", name="head")(features)
    return tf.keras.Model(inputs, outputs, name="transfer")
