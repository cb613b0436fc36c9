# expect: {"q3": "below_full"}
# ruff: noqa: F821, F841  (a fragment: tf, np, DEVICES, build_mlp, ... come from the reference setup cell)
# Ignores num_microbatches: one forward and backward pass over the whole batch gives the full-batch gradients
# without any accumulation. Before the batch-coupled check this passed every test of q3.
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
    for xb, yb in [(x, y)]:
        with tf.GradientTape() as tape:
            per_example = tf.keras.losses.sparse_categorical_crossentropy(yb, model(xb, training=True),
                                                                          from_logits=True)
            loss = tf.reduce_sum(per_example) / n  # weight by micro-batch size
        step_grads = tape.gradient(loss, model.trainable_variables)
        grads = [g + s for g, s in zip(grads, step_grads, strict=True)]
        total_loss += loss
    return total_loss, grads


def pipeline_train_step(model, optimizer, x, y, num_microbatches: int):
    """One optimizer update from ``microbatch_gradients``; returns the whole batch's mean loss."""
    loss, grads = microbatch_gradients(model, x, y, num_microbatches)
    optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    return loss


class TensorParallelMLP(tf.keras.layers.Layer):
    """A Megatron-style tensor-parallel MLP: ``relu(x @ W1 + b1) @ W2 + b2`` with the weights sharded.

    ``W1`` (``d x hidden``) is split by **columns** into ``len(devices)`` equal shards, ``W2``
    (``hidden x d_out``) by the matching **rows**; shard ``k`` (``self.column_kernels[k]``,
    ``self.column_biases[k]``, ``self.row_kernels[k]``) is created and used under
    ``tf.device(devices[k])``. Each device computes ``relu(x @ W1_k + b1_k) @ W2_k``, a partial output;
    their sum (the all-reduce), plus ``b2`` (``self.output_bias``), is the output. ``hidden`` must be
    divisible by the number of devices. ``load_dense(w1, b1, w2, b2)`` assigns the shards from dense
    weights.
    """

    def __init__(self, hidden: int, units: int, devices):
        super().__init__()
        self.hidden, self.units, self.devices = hidden, units, list(devices)

    def build(self, input_shape):
        d, shard = int(input_shape[-1]), self.hidden // len(self.devices)
        self.column_kernels, self.column_biases, self.row_kernels = [], [], []
        for k, device in enumerate(self.devices):
            with tf.device(device):
                self.column_kernels.append(self.add_weight(name=f"w1_{k}", shape=(d, shard)))
                self.column_biases.append(self.add_weight(name=f"b1_{k}", shape=(shard,), initializer="zeros"))
                self.row_kernels.append(self.add_weight(name=f"w2_{k}", shape=(shard, self.units)))
        self.output_bias = self.add_weight(name="b2", shape=(self.units,), initializer="zeros")

    def load_dense(self, w1, b1, w2, b2):
        if not self.built:
            self(tf.zeros((1, w1.shape[0])))  # builds the shards
        n = len(self.devices)
        for k, (a, b, c) in enumerate(zip(np.split(w1, n, axis=1), np.split(b1, n), np.split(w2, n, axis=0),
                                          strict=True)):
            self.column_kernels[k].assign(a)
            self.column_biases[k].assign(b)
            self.row_kernels[k].assign(c)
        self.output_bias.assign(b2)

    def call(self, x):
        partials = []
        for k, device in enumerate(self.devices):
            with tf.device(device):
                h = tf.nn.relu(tf.matmul(x, self.column_kernels[k]) + self.column_biases[k])
                partials.append(tf.matmul(h, self.row_kernels[k]))
        return tf.add_n(partials) + self.output_bias
