# expect: {"q3": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# Averages the micro-batch mean losses equally: wrong when the last micro-batch is smaller.
# %% [q3]
def accumulated_gradients(model, loss_fn, x, y, micro_batch: int) -> list:
    """The gradient of the mean loss over all of ``x``, computed ``micro_batch`` rows at a time.

    ``loss_fn(y_true, y_pred)`` returns one loss per example. Run the model on one micro-batch at a
    time (the last one may be smaller) and add up the gradients so that the result equals the
    gradient of ``mean(loss_fn(y, model(x)))`` over all rows: weight each micro-batch by its share
    of the rows, not equally.

    Returns:
        A list of tensors, one per ``model.trainable_variables``.
    """
    n = int(len(x))
    k = -(-n // micro_batch)
    total = [tf.zeros_like(v) for v in model.trainable_variables]
    for start in range(0, n, micro_batch):
        xb, yb = x[start:start + micro_batch], y[start:start + micro_batch]
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(loss_fn(yb, model(xb, training=True))) / k
        grads = tape.gradient(loss, model.trainable_variables)
        total = [t + g for t, g in zip(total, grads, strict=True)]
    return total


def train_accumulated(model, optimizer, loss_fn, x, y, batch_size: int, accum_steps: int) -> None:
    """One epoch of training with gradient accumulation, in order, without shuffling.

    Every optimizer step covers ``accum_steps`` micro-batches of ``batch_size`` rows (the last group
    and its last micro-batch may be smaller); the model never sees more than ``batch_size`` rows at
    once, and ``optimizer.apply_gradients`` runs once per group with the gradient of the group's
    mean loss. The result equals ``model.fit(x, y, batch_size=batch_size * accum_steps,
    shuffle=False, epochs=1)`` with the same optimizer and a per-example ``loss_fn``.
    """
    group = batch_size * accum_steps
    for start in range(0, int(len(x)), group):
        grads = accumulated_gradients(model, loss_fn, x[start:start + group], y[start:start + group], batch_size)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))


def scale_learning_rate(base_lr: float, base_batch: int, batch: int, rule: str = "linear") -> float:
    """Learning rate for ``batch`` given one tuned at ``base_batch``.

    ``"linear"`` (Goyal et al. 2017): ``base_lr * batch / base_batch``; ``"sqrt"``:
    ``base_lr * sqrt(batch / base_batch)``. Returns a Python float; raises ``ValueError`` for
    another rule.
    """
    ratio = batch / base_batch
    if rule == "linear":
        return float(base_lr * ratio)
    if rule == "sqrt":
        return float(base_lr * math.sqrt(ratio))
    raise ValueError(f"unknown rule {rule!r}")


def warmup_learning_rate(step: int, start_lr: float, target_lr: float, warmup_steps: int) -> float:
    """Gradual warm-up for the linear scaling rule.

    ``start_lr + (target_lr - start_lr) * min(step, warmup_steps) / warmup_steps`` (so ``target_lr``
    from ``warmup_steps`` on; at once when ``warmup_steps <= 0``). Returns a Python float.
    """
    if warmup_steps <= 0:
        return float(target_lr)
    return float(start_lr + (target_lr - start_lr) * min(step, warmup_steps) / warmup_steps)
