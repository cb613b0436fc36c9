# expect: {"q6": "below_full"}
# ruff: noqa: F821, F841  (a fragment: tf, np, os come from the reference setup cell)
# scaled_tanh not registered: the saved model needs custom_objects.
# %% [q6]
def scaled_tanh(x):
    """LeCun's scaled tanh, ``1.7159 * tanh(2 x / 3)``.

    Registered as ``"course>scaled_tanh"``, so that a saved model that uses it loads without
    ``custom_objects``.
    """
    return 1.7159 * tf.math.tanh(2.0 * x / 3.0)


def build_model(input_dim: int, hidden: int, num_classes: int) -> tf.keras.Sequential:
    """``Input((input_dim,))`` -> ``Dense(hidden, activation=scaled_tanh)`` -> ``Dense(num_classes)`` (logits)."""
    return tf.keras.Sequential([
        tf.keras.Input(shape=(input_dim,)),
        tf.keras.layers.Dense(hidden, activation=scaled_tanh),
        tf.keras.layers.Dense(num_classes),
    ])


def save_all(model: tf.keras.Model, outdir: str) -> dict:
    """Save a compiled, trained ``model`` three ways under the existing folder ``outdir``.

    Returns ``{"keras": ..., "savedmodel": ..., "weights": ...}``: the paths of the native Keras
    file ``<outdir>/model.keras`` (architecture, weights and optimizer state), a SavedModel folder
    ``<outdir>/savedmodel`` (with a ``serving_default`` signature) and a weights-only file
    ``<outdir>/model.weights.h5``.
    """
    paths = {"keras": os.path.join(outdir, "model.keras"),
             "savedmodel": os.path.join(outdir, "savedmodel"),
             "weights": os.path.join(outdir, "model.weights.h5")}
    model.save(paths["keras"])
    model.save(paths["savedmodel"], save_format="tf")
    model.save_weights(paths["weights"])
    return paths
