# expect: {"q4": "below_full"}
# ruff: noqa: F821, F841  (a fragment: tf, np, os come from the reference setup cell)
# Believes validation_split shuffles first.
# %% [q4]
def keras_validation_split(x, y, validation_split: float) -> tuple:
    """The ``(x_train, y_train, x_val, y_val)`` that ``model.fit(x, y, validation_split=...)`` uses.

    Keras takes the validation set from the *end* of the arrays, before any shuffling: the first
    ``floor(n * (1 - validation_split))`` rows train, the rest validate. NumPy arrays in and out.
    """
    x, y = np.asarray(x), np.asarray(y)
    order = np.random.default_rng(0).permutation(len(x))
    x, y = x[order], y[order]
    split_at = int(np.floor(len(x) * (1.0 - validation_split)))
    return x[:split_at], y[:split_at], x[split_at:], y[split_at:]


def stratified_split(y, val_fraction: float, seed: int) -> tuple:
    """A shuffled, stratified split: ``(train_idx, val_idx)``, both sorted int64 index arrays.

    For every class ``c`` with ``n_c`` samples, ``floor(val_fraction * n_c + 0.5)`` of its indices,
    chosen at random with ``np.random.default_rng(seed)``, go to validation; the rest train. The
    same seed gives the same split.
    """
    y = np.asarray(y).reshape(-1)
    rng = np.random.default_rng(seed)
    val = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        n_val = int(np.floor(val_fraction * len(members) + 0.5))
        val.append(rng.permutation(members)[:n_val])
    val_idx = np.sort(np.concatenate(val)).astype(np.int64)
    train_idx = np.setdiff1d(np.arange(len(y)), val_idx).astype(np.int64)
    return train_idx, val_idx


def train_loop(model, x, y, x_val, y_val, optimizer, loss_fn, epochs: int, batch_size: int) -> dict:
    """A hand-written training loop that reproduces ``fit`` with validation data.

    That is, ``model.fit(x, y, validation_data=(x_val, y_val), epochs=epochs, batch_size=batch_size,
    shuffle=False)``.

    Per epoch: for each batch in order (the last may be smaller), one ``tf.function`` step with a
    ``GradientTape``: ``model(xb, training=True)``, ``loss_fn(yb, pred) + sum(model.losses)``,
    ``optimizer.apply_gradients``. Then the validation loss over batches of ``batch_size`` in
    inference mode (``training=False``), regularisation included.

    Returns:
        ``{"loss": [...], "val_loss": [...]}``: one Python float per epoch each, the means over
        samples (batch losses weighted by batch size), as ``fit``'s history reports them.
    """
    x, y = np.asarray(x, np.float32), np.asarray(y)
    x_val, y_val = np.asarray(x_val, np.float32), np.asarray(y_val)

    @tf.function
    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            pred = model(xb, training=True)
            loss = loss_fn(yb, pred) + tf.add_n([tf.constant(0.0)] + list(model.losses))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    @tf.function
    def val_step(xb, yb):
        pred = model(xb, training=False)
        return loss_fn(yb, pred) + tf.add_n([tf.constant(0.0)] + list(model.losses))

    history = {"loss": [], "val_loss": []}
    for _ in range(epochs):
        total = 0.0
        for start in range(0, len(x), batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            total += float(train_step(xb, yb)) * len(xb)
        history["loss"].append(total / len(x))
        total = 0.0
        for start in range(0, len(x_val), batch_size):
            xb, yb = x_val[start:start + batch_size], y_val[start:start + batch_size]
            total += float(val_step(xb, yb)) * len(xb)
        history["val_loss"].append(total / len(x_val))
    return history
