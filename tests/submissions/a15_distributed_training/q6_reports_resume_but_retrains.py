# expect: {"q6": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, build_mlp, DEVICES, ... come from the reference setup cell)
# Reports the latest checkpoint's step as resumed_from but restores nothing and retrains from step 0.
# %% [q6]
def fault_tolerance_data(seed: int, n: int = 96):
    """The data set of this question: ``n`` examples, 8 features, 3 classes."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8)).astype(np.float32)
    y = ((x[:, 0] + x[:, 1] > 0).astype(np.int32) + (x[:, 2] > 0.5).astype(np.int32))
    return x, y


def train_resumable(ckpt_dir: str, total_steps: int, seed: int, save_every: int = 1) -> dict:
    """A custom training loop that survives being killed at any moment.

    Call ``tf.keras.utils.set_random_seed(seed)`` first. Data: ``fault_tolerance_data(seed)`` as
    ``Dataset.from_tensor_slices(...).shuffle(96, seed=seed, reshuffle_each_iteration=True).repeat().batch(16)``.
    Model ``build_mlp(8, 16, 3, seed)``, ``Adam(0.01)``, sparse cross-entropy from logits. A
    ``tf.train.Checkpoint`` holds the model, the optimizer, an int64 step variable **and the dataset
    iterator**; a ``CheckpointManager(ckpt_dir, max_to_keep=3)`` saves with
    ``checkpoint_number=step`` every ``save_every`` steps. On start, restore the latest checkpoint if
    there is one and go on until ``total_steps``.

    Returns ``{"weights": model.get_weights(), "resumed_from": the step restored (0 for a fresh start)}``.
    """
    ### BEGIN SOLUTION
    tf.keras.utils.set_random_seed(seed)
    x, y = fault_tolerance_data(seed)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(96, seed=seed, reshuffle_each_iteration=True)
    iterator = iter(ds.repeat().batch(16))
    model = build_mlp(8, 16, 3, seed)
    optimizer = tf.keras.optimizers.Adam(0.01)
    optimizer.build(model.trainable_variables)
    step = tf.Variable(0, dtype=tf.int64)
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, step=step, iterator=iterator)
    manager = tf.train.CheckpointManager(checkpoint, ckpt_dir, max_to_keep=3)
    # The cheat: say where the last run stopped, restore nothing, train again from step 0 (a deterministic rerun).
    latest = manager.latest_checkpoint
    resumed_from = int(latest.rsplit("-", 1)[1]) if latest else 0

    @tf.function
    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            logits = model(xb, training=True)
            loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(yb, logits, from_logits=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    while int(step.numpy()) < total_steps:
        xb, yb = next(iterator)
        train_step(xb, yb)
        step.assign_add(1)
        if int(step.numpy()) % save_every == 0:
            manager.save(checkpoint_number=step)
    return {"weights": model.get_weights(), "resumed_from": resumed_from}
    ### END SOLUTION


def fit_with_backup(backup_dir: str, epochs: int, seed: int, callbacks=()) -> list:
    """Distributed ``model.fit`` that resumes after a crash with ``BackupAndRestore``.

    Call ``tf.keras.utils.set_random_seed(seed)`` first. In the scope of a ``MirroredStrategy`` over
    ``DEVICES[:2]`` (``ReductionToOneDevice``), build ``build_mlp(8, 16, 3, seed)`` and compile
    ``SGD(0.05)`` with sparse cross-entropy from logits. Fit ``fault_tolerance_data(seed)`` with
    ``batch_size=32``, ``shuffle=False``, ``epochs`` epochs, and the callbacks
    ``[tf.keras.callbacks.BackupAndRestore(backup_dir, save_freq="epoch"), *callbacks]``. A run killed
    in the middle and called again continues from the last finished epoch and ends with the weights of
    an uninterrupted run. Returns ``model.get_weights()``.
    """
    ### BEGIN SOLUTION
    tf.keras.utils.set_random_seed(seed)
    x, y = fault_tolerance_data(seed)
    strategy = tf.distribute.MirroredStrategy(DEVICES[:2], cross_device_ops=tf.distribute.ReductionToOneDevice())
    with strategy.scope():
        model = build_mlp(8, 16, 3, seed)
        model.compile(optimizer=tf.keras.optimizers.SGD(0.05),
                      loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    backup = tf.keras.callbacks.BackupAndRestore(backup_dir, save_freq="epoch")
    model.fit(x, y, batch_size=32, epochs=epochs, shuffle=False, verbose=0, callbacks=[backup, *callbacks])
    return model.get_weights()
    ### END SOLUTION
