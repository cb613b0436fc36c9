# expect: {"q4": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, hub, make_regressor, ... come from the reference setup cell)
# The epoch loss is the plain mean of the batch losses: the smaller last batch weighs as much as the others.
# %% [q4]
def train_custom(model, dataset, optimizer, loss_fn, epochs: int) -> list:
    """Train a compiled-free Keras model with a custom loop that reproduces ``model.fit`` exactly.

    For each batch ``(x, y)`` of ``dataset``, one ``tf.function`` train step computes
    ``model(x, training=True)`` (so BatchNormalization uses and updates its batch statistics),
    the loss ``loss_fn(y, predictions)`` plus the model's regularisation losses
    (``model.losses``), its gradients with a ``tf.GradientTape`` and one
    ``optimizer.apply_gradients``. The train step must not be retraced for every batch.

    Args:
        model: a ``tf.keras.Model``.
        dataset: a ``tf.data.Dataset`` of ``(x, y)`` batches (the last one may be smaller).
        optimizer: a ``tf.keras.optimizers.Optimizer``.
        loss_fn: a Keras loss object (mean over the batch).
        epochs: the number of passes over ``dataset``.

    Returns:
        One float per epoch: the epoch's mean of the per-batch total losses (regularisation
        included) weighted by batch size, which is what ``fit`` reports as ``history["loss"]``.
    """
    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            predictions = model(x, training=True)
            loss = loss_fn(y, predictions)
            if model.losses:
                loss = loss + tf.add_n(model.losses)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    history = []
    for _ in range(epochs):
        # fit's "loss" is a Mean metric updated with sample_weight=batch size: the last, smaller
        # batch weighs less than the full ones.
        mean = tf.keras.metrics.Mean()
        for x, y in dataset:
            loss = train_step(x, y)
            mean.update_state(loss)
        history.append(float(mean.result()))
    return history
