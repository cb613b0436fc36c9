# expect: {"q1": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, make_base, make_encoder, make_decoder come from the setup cell)
# extract_features calls the base with training=True: BatchNormalization normalises with the batch's statistics
# instead of the pretrained moving statistics (and updates them).
# %% [q1]
def load_pretrained_base(path: str) -> tf.keras.Model:
    """Load the pretrained base saved as a SavedModel folder at ``path`` and freeze it (every layer)."""
    base = tf.keras.models.load_model(path, compile=False)
    base.trainable = False
    return base


def extract_features(base: tf.keras.Model, x) -> np.ndarray:
    """Features of ``x`` from the base in inference mode (BatchNormalization uses its moving statistics)."""
    return np.asarray(base(tf.convert_to_tensor(x, tf.float32), training=True))


def build_feature_extractor(base: tf.keras.Model, num_classes: int) -> tf.keras.Model:
    """Frozen ``base`` (called with ``training=False``) followed by a new ``Dense(num_classes)`` logits head."""
    base.trainable = False
    inputs = tf.keras.Input(shape=base.input_shape[1:])
    features = base(inputs, training=False)
    outputs = tf.keras.layers.Dense(num_classes, name="head")(features)
    return tf.keras.Model(inputs, outputs)


def train_feature_extractor(base: tf.keras.Model, x, y, num_classes: int, epochs: int = 40,
                            learning_rate: float = 1e-2, batch_size: int = 16) -> tf.keras.Model:
    """Build the feature extractor and train its head with Adam on sparse cross-entropy from logits."""
    model = build_feature_extractor(base, num_classes)
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=learning_rate),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(np.asarray(x, np.float32), np.asarray(y), epochs=epochs, batch_size=batch_size, verbose=0)
    return model
