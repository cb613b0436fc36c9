# expect: {"q3": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, DEVICES, build_mlp, ... come from the reference setup cell)
# Averages the micro-batch means without weighting them by size (8, 8, 7, 7 examples): wrong loss and gradients.
# %% [q3]
class PipelineModel(tf.keras.Model):
    """A model split into stages, one ``Dense`` layer per stage, each stage on its own device.

    ``sizes = [input_dim, h1, ..., out]`` gives ``len(sizes) - 1`` stages; stage ``i`` is
    ``Dense(sizes[i + 1])`` with ReLU (no activation on the last) placed on ``devices[i]``: build its
    variables under ``tf.device(devices[i])`` and run it there. ``self.stages`` is the list of layers.
    """

    def __init__(self, sizes, devices):
        super().__init__()
        self.devices = list(devices)
        self.stages = []
        for i, device in enumerate(self.devices):
            last = i == len(self.devices) - 1
            with tf.device(device):
                layer = tf.keras.layers.Dense(sizes[i + 1], activation=None if last else "relu")
                layer.build((None, sizes[i]))
            self.stages.append(layer)

    def call(self, x, training=False):
        for device, layer in zip(self.devices, self.stages, strict=True):
            with tf.device(device):
                x = layer(x)
        return x


def microbatch_gradients(model, x, y, num_microbatches: int):
    """GPipe-style gradient accumulation over micro-batches.

    Split the batch into ``num_microbatches`` consecutive micro-batches of sizes as even as possible
    (``np.array_split`` sizes: the first ``n % m`` get one more example), run forward and backward on
    each, and accumulate. Return ``(loss, grads)``: the mean sparse cross-entropy (from logits) over the
    *whole* batch and its gradients for ``model.trainable_variables``, equal to the full-batch ones.
    """
    x = tf.convert_to_tensor(x, tf.float32)
    y = tf.convert_to_tensor(y, tf.int32)
    n = int(x.shape[0])
    sizes = [n // num_microbatches + (1 if i < n % num_microbatches else 0) for i in range(num_microbatches)]
    total_loss = tf.constant(0.0)
    grads = [tf.zeros_like(v) for v in model.trainable_variables]
    for xb, yb in zip(tf.split(x, sizes), tf.split(y, sizes), strict=True):
        with tf.GradientTape() as tape:
            per_example = tf.keras.losses.sparse_categorical_crossentropy(yb, model(xb, training=True),
                                                                          from_logits=True)
            loss = tf.reduce_mean(per_example) / num_microbatches
        step_grads = tape.gradient(loss, model.trainable_variables)
        grads = [g + s for g, s in zip(grads, step_grads, strict=True)]
        total_loss += loss
    return total_loss, grads


def pipeline_train_step(model, optimizer, x, y, num_microbatches: int):
    """One optimizer update from ``microbatch_gradients``; returns the whole batch's mean loss."""
    loss, grads = microbatch_gradients(model, x, y, num_microbatches)
    optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    return loss
