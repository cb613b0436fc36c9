# expect: {"q6": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, layers come from the reference setup cell)
# tf.saved_model.save(model, dir) without a signature: serving_default has no 'features' input.
# %% [q6]
class MultiTaskNet(tf.keras.Model):
    """A subclassed multi-task model with a masked training step.

    ``trunk`` (Dense hidden relu) -> Dropout(dropout) -> heads ``digit`` (Dense num_classes,
    logits) and ``is_even`` (Dense 1, sigmoid); ``call`` returns ``{"digit": ..., "is_even": ...}``.

    Labels are the dict ``{"digit": int (-1 = missing), "is_even": float 0/1 (-1 = missing)}``.
    ``train_step``/``test_step`` compute each head's loss as the mean over the examples whose label
    is present (0 when none is): sparse softmax cross-entropy on the logits, binary cross-entropy
    on the probability; ``loss`` is their sum. They return ``loss``, ``digit_loss``,
    ``is_even_loss`` and ``digit_acc`` (accuracy over present digit labels), as running means.
    """

    def __init__(self, hidden: int = 32, num_classes: int = 10, dropout: float = 0.2, **kwargs):
        super().__init__(**kwargs)
        self.hidden, self.num_classes, self.dropout_rate = hidden, num_classes, dropout
        self.trunk = layers.Dense(hidden, activation="relu", name="trunk")
        self.dropout = layers.Dropout(dropout)
        self.digit = layers.Dense(num_classes, name="digit")
        self.is_even = layers.Dense(1, activation="sigmoid", name="is_even")
        self.loss_tracker = tf.keras.metrics.Mean(name="loss")
        self.digit_loss_tracker = tf.keras.metrics.Mean(name="digit_loss")
        self.is_even_loss_tracker = tf.keras.metrics.Mean(name="is_even_loss")
        self.digit_acc = tf.keras.metrics.SparseCategoricalAccuracy(name="digit_acc")

    def call(self, inputs, training=False):
        h = self.dropout(self.trunk(inputs), training=training)
        return {"digit": self.digit(h), "is_even": self.is_even(h)}

    @property
    def metrics(self):
        return [self.loss_tracker, self.digit_loss_tracker, self.is_even_loss_tracker, self.digit_acc]

    def _masked_losses(self, y, pred):
        digit = tf.cast(tf.reshape(y["digit"], [-1]), tf.int32)
        even = tf.cast(tf.reshape(y["is_even"], [-1]), tf.float32)
        d_mask = tf.cast(digit >= 0, tf.float32)
        e_mask = tf.cast(even >= 0, tf.float32)
        ce = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.maximum(digit, 0), pred["digit"])
        bce = tf.keras.backend.binary_crossentropy(tf.maximum(even, 0.0)[:, None], pred["is_even"])[:, 0]
        digit_loss = tf.reduce_sum(ce * d_mask) / tf.maximum(tf.reduce_sum(d_mask), 1.0)
        even_loss = tf.reduce_sum(bce * e_mask) / tf.maximum(tf.reduce_sum(e_mask), 1.0)
        return digit_loss, even_loss, tf.maximum(digit, 0), d_mask

    def _update(self, loss, digit_loss, even_loss, digit, d_mask, pred):
        self.loss_tracker.update_state(loss)
        self.digit_loss_tracker.update_state(digit_loss)
        self.is_even_loss_tracker.update_state(even_loss)
        self.digit_acc.update_state(digit, pred["digit"], sample_weight=d_mask)
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            pred = self(x, training=True)
            digit_loss, even_loss, digit, d_mask = self._masked_losses(y, pred)
            loss = digit_loss + even_loss
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables, strict=True))
        return self._update(loss, digit_loss, even_loss, digit, d_mask, pred)

    def test_step(self, data):
        x, y = data
        pred = self(x, training=False)
        digit_loss, even_loss, digit, d_mask = self._masked_losses(y, pred)
        return self._update(digit_loss + even_loss, digit_loss, even_loss, digit, d_mask, pred)

    def get_config(self):
        return {"hidden": self.hidden, "num_classes": self.num_classes, "dropout": self.dropout_rate,
                "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def export_multitask(model: tf.keras.Model, export_dir: str, input_dim: int) -> str:
    """Export ``model`` as a SavedModel for serving.

    Save it at ``export_dir`` with a ``serving_default`` signature takes
    ``features`` (float32, ``(None, input_dim)``) and returns the inference-mode dict
    ``{"digit", "is_even"}``. Returns ``export_dir``.
    """
    @tf.function(input_signature=[tf.TensorSpec([None, input_dim], tf.float32, name="features")])
    def serve(features):
        return model(features, training=False)

    tf.saved_model.save(model, export_dir)
    return export_dir
