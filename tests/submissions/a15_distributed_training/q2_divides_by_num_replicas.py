# expect: {"q2": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, DEVICES, build_mlp, ... come from the reference setup cell)
# The course's scaling: each replica's mean divided by num_replicas_in_sync. Right for even splits, wrong for
# the ragged last batch (10 examples split 3, 3, 3, 1: a replica's mean is not its share of the global mean).
# %% [q2]
def distribute_batches(strategy, x, y, global_batch: int):
    """``(x, y)`` batched by ``global_batch`` (in order, last batch kept) and split across the replicas.

    Returns the ``tf.distribute.DistributedDataset`` of ``strategy.experimental_distribute_dataset``.
    """
    ds = tf.data.Dataset.from_tensor_slices((np.asarray(x, np.float32), np.asarray(y, np.int32))).batch(global_batch)
    return strategy.experimental_distribute_dataset(ds)


class DataParallelTrainer:
    """Synchronous data-parallel training in a custom loop.

    ``__init__`` creates ``mlp_from_weights(initial_weights)`` and ``SGD(lr)`` inside
    ``strategy.scope()`` (as ``self.model`` and ``self.optimizer``).
    ``train_step(dist_batch)`` runs one step on every replica with ``strategy.run`` and returns the
    *mean* sparse cross-entropy (from logits) over the whole global batch as a scalar tensor; the
    summed gradient must be the gradient of that mean, also when the batch is ragged (the last batch
    of an epoch may split unevenly, some replicas may get no example).
    ``fit_epoch(dist_dataset)`` runs ``train_step`` on every batch and returns the losses (floats).
    ``evaluate(dist_dataset)`` returns ``{"loss": mean loss, "accuracy": accuracy}`` over every
    example (Python floats), with the per-replica sums reduced across replicas.
    """

    def __init__(self, strategy, initial_weights, lr: float):
        self.strategy = strategy
        with strategy.scope():
            self.model = mlp_from_weights(initial_weights)
            self.optimizer = tf.keras.optimizers.SGD(lr)

    @tf.function
    def train_step(self, dist_batch):
        def replica_step(x, y):
            with tf.GradientTape() as tape:
                logits = self.model(x, training=True)
                per_example = tf.keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True)
                loss = tf.reduce_mean(per_example) / self.strategy.num_replicas_in_sync
            grads = tape.gradient(loss, self.model.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables, strict=True))
            return loss

        per_replica = self.strategy.run(replica_step, args=dist_batch)
        return self.strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

    def fit_epoch(self, dist_dataset) -> list:
        return [float(self.train_step(batch)) for batch in dist_dataset]

    def evaluate(self, dist_dataset) -> dict:
        @tf.function
        def sums(dist_batch):
            def replica_sums(x, y):
                logits = self.model(x, training=False)
                loss = tf.reduce_sum(tf.keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
                hits = tf.equal(tf.argmax(logits, -1, output_type=tf.int32), y)
                return loss, tf.reduce_sum(tf.cast(hits, tf.float32)), tf.cast(tf.shape(y)[0], tf.float32)

            per_replica = self.strategy.run(replica_sums, args=dist_batch)
            return [self.strategy.reduce(tf.distribute.ReduceOp.SUM, v, axis=None) for v in per_replica]

        loss = correct = count = 0.0
        for batch in dist_dataset:
            batch_loss, batch_correct, batch_count = sums(batch)
            loss += float(batch_loss)
            correct += float(batch_correct)
            count += float(batch_count)
        return {"loss": loss / count, "accuracy": correct / count}
