# expect: {"q5": "below_full"}
# ruff: noqa: F821, F401, F841  (a fragment: tf, np, math come from the reference setup cell)
# step() starts every sample from a zero state: each output is the first step of a new sequence.
# %% [q5]
def build_gru_model(n_features: int, units: int, n_out: int) -> tf.keras.Model:
    """A GRU with a prediction at every time step.

    ``Input((None, n_features))`` -> ``GRU(units, return_sequences=True)`` -> ``Dense(n_out)``.
    """
    return tf.keras.Sequential([
        tf.keras.layers.Input((None, n_features)),
        tf.keras.layers.GRU(units, return_sequences=True),
        tf.keras.layers.Dense(n_out),
    ])


class StreamingGRU:
    """Serve a model from ``build_gru_model`` one sample at a time.

    Keep the GRU's hidden state between calls: ``step(x_t)`` takes one ``[n_features]`` sample and
    returns the ``[n_out]`` prediction for it, equal to the full-sequence model's output at that
    time step; ``reset()`` starts a new sequence (zero state). Use the trained model's own weights
    (its layers), never a copy made at construction time, and do not keep the history.
    """

    def __init__(self, model: tf.keras.Model):
        self.gru = next(layer for layer in model.layers if isinstance(layer, tf.keras.layers.GRU))
        self.head = model.layers[-1]
        self.reset()

    def reset(self) -> None:
        self.state = tf.zeros((1, self.gru.units))

    def step(self, x_t) -> np.ndarray:
        x = tf.reshape(tf.cast(x_t, tf.float32), (1, -1))
        out, states = self.gru.cell(x, [tf.zeros_like(self.state)])
        self.state = states[0] if isinstance(states, (list, tuple)) else states
        return self.head(out)[0].numpy()


def online_update(model: tf.keras.Model, optimizer: tf.keras.optimizers.Optimizer, x, y) -> float:
    """One online learning step on the newest mini-batch.

    Compute the mean squared error of ``model(x)`` against ``y`` under a ``tf.GradientTape``, apply
    one ``optimizer`` step to ``model.trainable_variables``, and return the loss measured before the
    step (the prequential error: every sample is scored before it is learned from).
    """
    y = tf.cast(y, tf.float32)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(tf.cast(x, tf.float32), training=True) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    return float(loss)
