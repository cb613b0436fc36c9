# expect: {"q1": "below_full"}
# ruff: noqa: F821, F841  (a fragment: tf, np, os come from the reference setup cell)
# Dropout placed before BatchNormalization in both builders.
# %% [q1]
def build_mlp(input_dim: int, hidden: tuple, num_classes: int, dropout: float = 0.0,
              batchnorm: bool = False) -> tf.keras.Sequential:
    """A classifier MLP as a list-style ``tf.keras.Sequential``.

    Layers, in order: ``tf.keras.Input(shape=(input_dim,))``; then for each ``i, units`` in
    ``enumerate(hidden, start=1)``: ``Dense(units, activation="relu", name=f"hidden_{i}")``,
    then (only if ``batchnorm``) ``BatchNormalization(name=f"bn_{i}")``, then (only if
    ``dropout > 0``) ``Dropout(dropout, name=f"dropout_{i}")``; finally
    ``Dense(num_classes, activation="softmax", name="output")``.

    Returns:
        The model, built (it has an Input, so its weights exist before any call).
    """
    layers = [tf.keras.Input(shape=(input_dim,))]
    for i, units in enumerate(hidden, start=1):
        layers.append(tf.keras.layers.Dense(units, activation="relu", name=f"hidden_{i}"))
        if dropout > 0:
            layers.append(tf.keras.layers.Dropout(dropout, name=f"dropout_{i}"))
        if batchnorm:
            layers.append(tf.keras.layers.BatchNormalization(name=f"bn_{i}"))
    layers.append(tf.keras.layers.Dense(num_classes, activation="softmax", name="output"))
    return tf.keras.Sequential(layers)


def build_mlp_incremental(input_dim: int, hidden: tuple, num_classes: int, dropout: float = 0.0,
                          batchnorm: bool = False) -> tf.keras.Sequential:
    """The same model as ``build_mlp``, built with ``Sequential()`` and ``model.add(...)``."""
    model = tf.keras.Sequential()
    model.add(tf.keras.Input(shape=(input_dim,)))
    for i, units in enumerate(hidden, start=1):
        model.add(tf.keras.layers.Dense(units, activation="relu", name=f"hidden_{i}"))
        if dropout > 0:
            model.add(tf.keras.layers.Dropout(dropout, name=f"dropout_{i}"))
        if batchnorm:
            model.add(tf.keras.layers.BatchNormalization(name=f"bn_{i}"))
    model.add(tf.keras.layers.Dense(num_classes, activation="softmax", name="output"))
    return model
