# expect: {"q5": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, hub, make_regressor, ... come from the reference setup cell)
# Reports the latest checkpoint's step as resumed_from but restores nothing and retrains from step 0.
# %% [q5]
def train_resumable(ckpt_dir: str, total_steps: int, seed: int, save_every: int = 1) -> dict:
    """Train ``make_regressor(seed)`` for ``total_steps`` steps, resuming from ``ckpt_dir`` if it holds a checkpoint.

    - Model ``make_regressor(seed)``, optimizer ``tf.keras.optimizers.Adam(0.01)``, loss mean squared error,
      and a step counter in an ``int64`` ``tf.Variable``.
    - One ``tf.train.Checkpoint`` tracks all three (the optimizer too: Adam's moments and its
      iteration count are part of the state); a ``tf.train.CheckpointManager`` with
      ``max_to_keep=3`` writes to ``ckpt_dir``.
    - On entry, restore the manager's latest checkpoint if there is one.
    - While ``step < total_steps``: train on ``make_batch(seed, step)``, increment ``step``, and
      every ``save_every`` steps save with ``manager.save(checkpoint_number=step)``, so the
      checkpoint after step 3 is ``ckpt-3``.

    A run killed at any point and called again with the same arguments must end with exactly
    the weights of an uninterrupted run.

    Args:
        ckpt_dir: the checkpoint folder (created if missing).
        total_steps: the step count to reach.
        seed: the seed of ``make_regressor`` and ``make_batch``.
        save_every: save after every ``save_every``-th step.

    Returns:
        ``{"weights": [...], "resumed_from": int}``: the model's ``weights`` as a list of
        tensors or arrays after training, and the step value restored on entry (0 for a fresh start).
    """
    ### BEGIN SOLUTION
    model = make_regressor(seed)
    optimizer = tf.keras.optimizers.Adam(0.01)
    step = tf.Variable(0, dtype=tf.int64)
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, step=step)
    manager = tf.train.CheckpointManager(checkpoint, ckpt_dir, max_to_keep=3)
    # The cheat: say where the last run stopped, then train everything again from step 0 (a deterministic rerun
    # reproduces the uninterrupted weights, so only what the run asks for shows it never restored).
    latest = manager.latest_checkpoint
    resumed_from = int(latest.rsplit("-", 1)[1]) if latest else 0
    loss_fn = tf.keras.losses.MeanSquaredError()

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    while int(step.numpy()) < total_steps:
        train_step(*make_batch(seed, int(step.numpy())))
        step.assign_add(1)
        if int(step.numpy()) % save_every == 0:
            manager.save(checkpoint_number=step)
    return {"weights": [w.numpy() for w in model.weights], "resumed_from": resumed_from}
    ### END SOLUTION


