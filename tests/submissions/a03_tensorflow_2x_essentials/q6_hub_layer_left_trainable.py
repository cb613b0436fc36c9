# expect: {"q6": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, hub, make_regressor, ... come from the reference setup cell)
# The hub layer is always trainable, so feature extraction changes the 'frozen' weights.
# %% [q6]
def hub_features(handle: str, x) -> tf.Tensor:
    """Feature vectors of ``x`` from a TF Hub model given by a local path.

    Args:
        handle: a local folder holding a TF2 SavedModel (a "hub module"); no URL.
        x: a ``float32`` batch.

    Returns:
        The module's output for ``x``, a ``float32`` tensor.
    """
    module = hub.load(handle)
    return module(tf.convert_to_tensor(x, tf.float32))


def build_hub_classifier(handle: str, input_dim: int, num_classes: int, trainable: bool, seed: int):
    """A classifier on top of a TF Hub feature extractor.

    ``tf.keras.Sequential`` of a ``hub.KerasLayer(handle, trainable=trainable,
    input_shape=(input_dim,))`` and a ``Dense(num_classes)`` head that outputs logits, with
    ``kernel_initializer=tf.keras.initializers.GlorotUniform(seed)``.

    Args:
        handle: a local SavedModel folder.
        input_dim: the number of input features.
        num_classes: the number of classes.
        trainable: fine-tune the hub weights (True) or keep them frozen (False).
        seed: the head's initializer seed.

    Returns:
        The built model.
    """
    return tf.keras.Sequential([
        hub.KerasLayer(handle, trainable=True, input_shape=(input_dim,)),
        tf.keras.layers.Dense(num_classes, kernel_initializer=tf.keras.initializers.GlorotUniform(seed)),
    ])


def fine_tune(model, x, y, epochs: int, lr: float) -> list:
    """Compile and fit a hub classifier deterministically.

    Compile with ``tf.keras.optimizers.Adam(lr)`` and
    ``tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)``, then ``fit`` on
    ``(x, y)`` with ``batch_size=32``, ``shuffle=False`` and ``verbose=0``.

    Returns:
        ``history.history["loss"]``.
    """
    model.compile(optimizer=tf.keras.optimizers.Adam(lr),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(x, y, epochs=epochs, batch_size=32, shuffle=False, verbose=0)
    return [float(v) for v in history.history["loss"]]
