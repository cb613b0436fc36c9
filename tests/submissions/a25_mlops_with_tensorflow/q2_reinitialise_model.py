# expect: {"q2": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, scipy, ... come from the reference setup cell)
# The model is rebuilt from scratch on every update (a cold start), so nothing is incremental.
# %% [q2]
class RetrainTrigger:
    """When to retrain, from three rules.

    The rules are checked in this order on every ``update``:

    1. ``"drift"``: ``drift_threshold`` is set and ``drift_score > drift_threshold``;
    2. ``"volume"``: ``min_new_samples`` is set and the samples seen since the last retrain (this update's
       included) reach ``min_new_samples``;
    3. ``"schedule"``: ``every_s`` is set and ``clock() - last_retrain >= every_s``.

    The first rule that holds fires: ``update`` returns ``(True, reason)`` and the trigger resets (no samples pending,
    ``last_retrain = clock()``). Otherwise ``(False, "")``. ``last_retrain`` starts at ``clock()`` in ``__init__``,
    and ``clock`` is read once per ``update``.
    """

    def __init__(self, every_s=None, min_new_samples=None, drift_threshold=None, clock=time.monotonic):
        self.every_s, self.min_new_samples, self.drift_threshold = every_s, min_new_samples, drift_threshold
        self.clock = clock
        self.last_retrain = clock()
        self.pending = 0

    def update(self, n_new: int, drift_score: float = 0.0) -> tuple:
        self.pending += int(n_new)
        now = self.clock()
        if self.drift_threshold is not None and drift_score > self.drift_threshold:
            reason = "drift"
        elif self.min_new_samples is not None and self.pending >= self.min_new_samples:
            reason = "volume"
        elif self.every_s is not None and now - self.last_retrain >= self.every_s:
            reason = "schedule"
        else:
            return False, ""
        self.pending = 0
        self.last_retrain = now
        return True, reason


def drift_score(reference, window) -> float:
    """The largest two-sample Kolmogorov-Smirnov statistic over the columns of two 2-D arrays (same columns)."""
    reference, window = np.asarray(reference), np.asarray(window)
    return float(max(scipy.stats.ks_2samp(reference[:, j], window[:, j]).statistic
                     for j in range(reference.shape[1])))


class ReplayBuffer:
    """A uniform sample of every example ever added (reservoir sampling, Algorithm R) of at most ``capacity``.

    ``add(x, y)`` adds a batch row by row: the k-th example ever seen (k = 1, 2, ...) is appended while the buffer
    is not full, otherwise it replaces slot ``j = rng.integers(0, k)`` when ``j < capacity``
    (``rng = np.random.default_rng(seed)``). ``sample(n)`` draws ``min(n, len(self))`` stored examples without
    replacement; ``arrays()`` returns copies ``(x, y)`` of everything stored; ``len(buffer)`` the count.
    """

    def __init__(self, capacity: int, seed: int = 0):
        self.capacity = int(capacity)
        self.rng = np.random.default_rng(seed)
        self.x, self.y = [], []
        self.seen = 0

    def add(self, x, y) -> None:
        for xi, yi in zip(np.asarray(x), np.asarray(y), strict=True):
            self.seen += 1
            if len(self.x) < self.capacity:
                self.x.append(xi.copy())
                self.y.append(yi.copy())
            else:
                j = int(self.rng.integers(0, self.seen))
                if j < self.capacity:
                    self.x[j], self.y[j] = xi.copy(), yi.copy()

    def __len__(self) -> int:
        return len(self.x)

    def sample(self, n: int):
        n = min(int(n), len(self.x))
        idx = self.rng.choice(len(self.x), size=n, replace=False)
        return np.stack([self.x[i] for i in idx]), np.stack([self.y[i] for i in idx])

    def arrays(self):
        return np.stack(self.x).copy(), np.stack(self.y).copy()


def incremental_update(model, x_new, y_new, buffer, epochs: int = 20, replay_ratio: float = 0.5,
                       batch_size: int = 32, seed: int = 0):
    """Continue training ``model`` (compiled, never re-initialised) on new data mixed with replayed old data.

    Draw ``n_replay = round(len(x_new) * replay_ratio / (1 - replay_ratio))`` examples from ``buffer`` (fewer if
    it holds fewer), so that replayed examples are ``replay_ratio`` of the mix; shuffle the mix with
    ``np.random.default_rng(seed)``, ``model.fit`` it for ``epochs`` epochs (``batch_size``, ``verbose=0``), then add
    the new data to the buffer. Returns the same model object.
    """
    x_new, y_new = np.asarray(x_new), np.asarray(y_new)
    n_replay = int(round(len(x_new) * replay_ratio / (1.0 - replay_ratio)))
    if n_replay > 0 and len(buffer) > 0:
        x_old, y_old = buffer.sample(n_replay)
        x_mix, y_mix = np.concatenate([x_new, x_old]), np.concatenate([y_new, y_old])
    else:
        x_mix, y_mix = x_new, y_new
    order = np.random.default_rng(seed).permutation(len(x_mix))
    model = tf.keras.models.clone_model(model)
    model.compile(tf.keras.optimizers.Adam(0.02), "binary_crossentropy")
    model.fit(x_mix[order], y_mix[order], epochs=epochs, batch_size=batch_size, verbose=0, shuffle=True)
    buffer.add(x_new, y_new)
    return model
