# expect: {"q6": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# Restores the best weights only when training stopped early (Keras restores in on_train_end either way).
# %% [q6]
class EarlyStoppingByHand(tf.keras.callbacks.Callback):
    """Early stopping with the exact semantics of ``tf.keras.callbacks.EarlyStopping`` in TF 2.18.

    Same arguments. ``mode="auto"`` means max for monitors ending in ``acc``/``accuracy``/``auc``,
    else min. ``on_train_begin`` resets ``wait = 0``, ``stopped_epoch = 0``, ``best_epoch = 0``,
    ``best = +inf`` (min) / ``-inf`` (max), ``best_weights = None``.

    ``on_epoch_end``: skip if the monitor is missing or ``epoch < start_from_epoch``; with
    ``restore_best_weights``, snapshot the weights if none are stored yet; ``wait += 1``. An
    improvement is ``current + min_delta < best`` (min) or ``current - min_delta > best`` (max),
    i.e. better by more than ``min_delta``: then store best/best_epoch (and the weights), and reset
    ``wait = 0`` only if there is no ``baseline`` or the value also improves on it. Otherwise, if
    ``wait >= patience`` and ``epoch > 0``, set ``stopped_epoch = epoch`` and
    ``model.stop_training = True``.

    ``on_train_end`` restores the best weights whenever ``restore_best_weights`` is set and some
    were stored, stopped early or not.
    """

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = patience
        self.mode = mode
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch

    def _maximize(self):
        """True when a larger monitored value is better."""
        if self.mode == "max":
            return True
        if self.mode == "min":
            return False
        return self.monitor.endswith(("acc", "accuracy", "auc"))

    def _improves(self, value, reference):
        """True when ``value`` improves on ``reference`` by more than ``min_delta``."""
        if self._maximize():
            return value - self.min_delta > reference
        return value + self.min_delta < reference

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best_epoch = 0
        self.best = -np.inf if self._maximize() else np.inf
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._improves(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._improves(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self.best_weights is not None and self.stopped_epoch > 0:
            self.model.set_weights(self.best_weights)
