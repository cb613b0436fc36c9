# expect: {"q1": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, DEVICES, build_mlp, ... come from the reference setup cell)
# The replica's loss is a plain mean: the optimizer sums 2 or 4 replica gradients, so each update is N times too big.
# %% [q1]
def make_mirrored_strategy(num_replicas: int) -> tf.distribute.MirroredStrategy:
    """A synchronous ``MirroredStrategy`` over the first ``num_replicas`` logical devices.

    Use ``DEVICES[:num_replicas]`` and ``tf.distribute.ReductionToOneDevice()`` as the cross-device
    ops (NCCL all-reduce exists only on GPUs).
    """
    return tf.distribute.MirroredStrategy(devices=DEVICES[:num_replicas],
                                          cross_device_ops=tf.distribute.ReductionToOneDevice())


class ReplicaScaledClassifier(tf.keras.Model):
    """Wraps ``net`` (logits) with its own ``train_step``: sparse cross-entropy, plain SGD.

    Under a ``MirroredStrategy``, ``train_step`` runs once per replica on that replica's share of the
    global batch, and the optimizer *sums* the replicas' gradients. Scale the loss so that the summed
    gradient equals the gradient of the mean loss over the whole global batch.
    """

    def __init__(self, net: tf.keras.Model):
        super().__init__()
        self.net = net

    def call(self, x, training=False):
        return self.net(x, training=training)

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            logits = self(x, training=True)
            per_example = tf.keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True)
            # Sum over this replica / (per-replica batch x replicas): the replicas' gradients then add up
            # to the gradient of the global mean.
            loss = tf.reduce_mean(per_example)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables, strict=True))
        return {"loss": loss}


def fit_mirrored(strategy, x, y, initial_weights, global_batch: int, epochs: int, lr: float) -> tf.keras.Model:
    """Train ``ReplicaScaledClassifier(mlp_from_weights(initial_weights))`` with ``model.fit``.

    Create and compile the model inside ``strategy.scope()`` (``SGD(lr)``), feed
    ``tf.data.Dataset.from_tensor_slices((x, y)).batch(global_batch)`` (no shuffling) for ``epochs``
    epochs, and return the trained model. With the default strategy this is single-device training;
    with a ``MirroredStrategy`` it must reach the same weights.
    """
    with strategy.scope():
        model = ReplicaScaledClassifier(mlp_from_weights(initial_weights))
        model.compile(optimizer=tf.keras.optimizers.SGD(lr))
    ds = tf.data.Dataset.from_tensor_slices((np.asarray(x, np.float32), np.asarray(y, np.int32))).batch(global_batch)
    model.fit(ds, epochs=epochs, verbose=0)
    return model
