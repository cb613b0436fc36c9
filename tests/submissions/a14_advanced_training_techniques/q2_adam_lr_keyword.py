# expect: {"q2": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, make_base, make_encoder, make_decoder come from the setup cell)
# The course's `tf.keras.optimizers.Adam(lr=...)`: tf_keras 2.18 ignores `lr` (with a warning), so both groups
# train at Adam's default 0.001.
# %% [q2]
def build_transfer_model(base: tf.keras.Model, num_classes: int) -> tf.keras.Model:
    """The transfer model: ``base(inputs, training=False)`` then a new ``Dense(num_classes)`` logits head.

    ``training=False`` keeps BatchNormalization in inference mode even after the base is unfrozen.
    The base starts frozen.
    """
    base.trainable = False
    inputs = tf.keras.Input(shape=base.input_shape[1:])
    features = base(inputs, training=False)
    outputs = tf.keras.layers.Dense(num_classes, name="head")(features)
    return tf.keras.Model(inputs, outputs)


def unfreeze_top(base: tf.keras.Model, n: int) -> None:
    """Make the top ``n`` weighted non-BatchNormalization layers of ``base`` trainable, everything else frozen.

    BatchNormalization layers always stay frozen. ``n = 0`` freezes the whole base.
    """
    base.trainable = True
    for layer in base.layers:
        layer.trainable = False
    weighted = [layer for layer in base.layers
                if layer.weights and not isinstance(layer, tf.keras.layers.BatchNormalization)]
    for layer in weighted[len(weighted) - n:] if n > 0 else []:
        layer.trainable = True


class DiscriminativeFineTuner:
    """One Adam optimizer for the head (``head_lr``) and one for the base (``base_lr``)."""

    def __init__(self, model: tf.keras.Model, base: tf.keras.Model, head_lr: float, base_lr: float):
        self.model, self.base = model, base
        self.head_opt = tf.keras.optimizers.Adam(lr=head_lr)
        self.base_opt = tf.keras.optimizers.Adam(lr=base_lr)
        base_ids = {id(v) for v in base.weights}
        self.head_vars = [v for v in model.trainable_weights if id(v) not in base_ids]
        self.base_candidates = [v for v in base.weights if v.trainable]  # every variable that may be unfrozen
        self.head_opt.build(self.head_vars)
        self.base_opt.build(self.base_candidates)
        self.loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def train_step(self, x, y) -> tf.Tensor:
        """One step on the mean sparse cross-entropy; returns the loss. Only trainable variables move."""
        base_ids = {id(v) for v in self.base.weights}
        trainable = self.model.trainable_weights
        with tf.GradientTape() as tape:
            loss = self.loss_fn(y, self.model(x, training=True))
        grads = tape.gradient(loss, trainable)
        base_pairs = [(g, v) for g, v in zip(grads, trainable, strict=True) if id(v) in base_ids and g is not None]
        head_pairs = [(g, v) for g, v in zip(grads, trainable, strict=True) if id(v) not in base_ids and g is not None]
        if base_pairs:
            self.base_opt.apply_gradients(base_pairs)
        self.head_opt.apply_gradients(head_pairs)
        return loss


def fine_tune(base: tf.keras.Model, x, y, num_classes: int, schedule=((20, 0), (15, 1), (15, 2)),
              head_lr: float = 1e-2, base_lr: float = 1e-3, batch_size: int = 32) -> tf.keras.Model:
    """Gradual unfreezing with discriminative learning rates; returns the transfer model.

    For each ``(epochs, n)`` stage: ``unfreeze_top(base, n)``, then that many epochs with a new
    ``DiscriminativeFineTuner`` (a fresh train function per stage).
    """
    model = build_transfer_model(base, num_classes)
    x = np.asarray(x, np.float32)
    y = np.asarray(y)
    for epochs, n in schedule:
        unfreeze_top(base, n)
        tuner = DiscriminativeFineTuner(model, base, head_lr, base_lr)
        step = tf.function(tuner.train_step)  # a new train function per stage: it sees the new trainable flags
        data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=SEED).batch(batch_size)
        for _ in range(epochs):
            for xb, yb in data:
                step(xb, yb)
    return model
