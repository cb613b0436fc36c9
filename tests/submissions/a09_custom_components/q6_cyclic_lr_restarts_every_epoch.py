# expect: {"q6": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, PACKAGE come from the reference setup cell)
# The iteration counter restarts in on_epoch_begin, so the cycle restarts every epoch.
# %% [q6]
def fit_with_callbacks(model, x, y, epochs, batch_size, callbacks):
    """A training loop of your own that drives Keras callbacks the way ``model.fit`` does.

    ``model`` is compiled (optimizer and loss, no metrics). Batches are consecutive slices of ``x``
    and ``y`` (no shuffling; the last one may be smaller). Wrap ``callbacks`` in a
    ``tf.keras.callbacks.CallbackList`` bound to ``model``, set ``model.stop_training = False``, then:
    ``on_train_begin``; per epoch ``on_epoch_begin(epoch)``; per batch ``on_train_batch_begin(i)``,
    one optimizer step on the batch (``model.train_on_batch`` or a ``tf.GradientTape`` step with
    ``model.compiled_loss``), ``on_train_batch_end(i, {"loss": running mean})`` where the running mean
    is the batch-size-weighted mean loss of the epoch's batches so far (what ``fit`` logs);
    ``on_epoch_end(epoch, {"loss": the epoch's mean})``; stop after the epoch in which a callback set
    ``model.stop_training``; ``on_train_end({"loss": the last epoch's mean})``.

    Returns:
        The list of the epochs' mean losses (Python floats).
    """
    callback_list = tf.keras.callbacks.CallbackList(callbacks, add_history=False, model=model)
    model.stop_training = False
    x = np.asarray(x)
    y = np.asarray(y)
    n = len(x)
    history = []
    callback_list.on_train_begin()
    for epoch in range(epochs):
        callback_list.on_epoch_begin(epoch)
        total, seen = 0.0, 0
        for i, start in enumerate(range(0, n, batch_size)):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            callback_list.on_train_batch_begin(i)
            loss = float(model.train_on_batch(xb, yb, reset_metrics=True))
            total += loss * len(xb)
            seen += len(xb)
            callback_list.on_train_batch_end(i, {"loss": total / seen})
        history.append(total / seen)
        callback_list.on_epoch_end(epoch, {"loss": history[-1]})
        if model.stop_training:
            break
    callback_list.on_train_end({"loss": history[-1]} if history else None)
    return history


class BestWeightsEarlyStopping(tf.keras.callbacks.Callback):
    """Early stopping on ``logs[monitor]`` (smaller is better), with Keras's semantics.

    ``on_train_begin`` resets the state (best = +inf, wait = 0, no best weights). In
    ``on_epoch_end(epoch, logs)``: if ``current < best - min_delta`` it is an improvement (best =
    current, wait = 0, and the model's weights are kept as the best weights); otherwise
    ``wait += 1``, and when ``wait >= patience`` set ``model.stop_training = True`` and, if
    ``restore_best_weights``, put the best weights back into the model. (An equal value is no
    improvement.)
    """

    def __init__(self, monitor="val_loss", patience=2, min_delta=0.0, restore_best_weights=True):
        super().__init__()
        self.monitor = monitor
        self.patience = int(patience)
        self.min_delta = abs(float(min_delta))
        self.restore_best_weights = bool(restore_best_weights)

    def on_train_begin(self, logs=None):
        self.best = np.inf
        self.wait = 0
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            return
        current = float(current)
        if current < self.best - self.min_delta:
            self.best = current
            self.wait = 0
            self.best_weights = [w.copy() for w in self.model.get_weights()]
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                self.model.set_weights(self.best_weights)


class CyclicLR(tf.keras.callbacks.Callback):
    """Cyclical learning rate (Smith 2017), set on the optimizer before every training batch.

    With ``it`` the number of batches trained since ``on_train_begin`` (0 for the first batch,
    counting across epochs), ``cycle = floor(1 + it / (2 step_size))``,
    ``x = |it / step_size - 2 cycle + 1|`` and
    ``lr = base_lr + (max_lr - base_lr) * max(0, 1 - x) * scale`` where ``scale`` is 1
    (``"triangular"``), ``1 / 2**(cycle - 1)`` (``"triangular2"``) or ``gamma**it`` (``"exp_range"``).
    Set it with ``tf.keras.backend.set_value(self.model.optimizer.learning_rate, lr)`` in
    ``on_train_batch_begin``.
    """

    def __init__(self, base_lr=1e-3, max_lr=6e-3, step_size=4, mode="triangular", gamma=1.0):
        super().__init__()
        if mode not in ("triangular", "triangular2", "exp_range"):
            raise ValueError(f"unknown mode {mode!r}")
        self.base_lr = float(base_lr)
        self.max_lr = float(max_lr)
        self.step_size = float(step_size)
        self.mode = mode
        self.gamma = float(gamma)
        self.iteration = 0

    def rate(self, iteration):
        """The learning rate of batch number ``iteration`` (a Python float)."""
        cycle = np.floor(1 + iteration / (2 * self.step_size))
        x = abs(iteration / self.step_size - 2 * cycle + 1)
        if self.mode == "triangular":
            scale = 1.0
        elif self.mode == "triangular2":
            scale = 1.0 / 2.0 ** (cycle - 1)
        else:
            scale = self.gamma ** iteration
        return float(self.base_lr + (self.max_lr - self.base_lr) * max(0.0, 1.0 - x) * scale)

    def on_epoch_begin(self, epoch, logs=None):
        self.iteration = 0

    def on_train_batch_begin(self, batch, logs=None):
        tf.keras.backend.set_value(self.model.optimizer.learning_rate, self.rate(self.iteration))
        self.iteration += 1
