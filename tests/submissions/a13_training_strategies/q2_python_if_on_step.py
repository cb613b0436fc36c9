# expect: {"q2": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# The course's one-cycle schedule: a Python if on the step tensor, which fails in a graph and in model.fit.
# %% [q2]
class WarmupCosine(tf.keras.optimizers.schedules.LearningRateSchedule):
    """Linear warm-up from 0 to ``peak_lr`` over ``warmup_steps``, then cosine decay over ``decay_steps``.

    ``lr(s) = peak_lr * s / warmup_steps`` for ``s < warmup_steps``; after it, with
    ``p = min(s - warmup_steps, decay_steps) / decay_steps``:
    ``lr = peak_lr * ((1 - alpha) * 0.5 * (1 + cos(pi * p)) + alpha)``. This is what
    ``tf.keras.optimizers.schedules.CosineDecay(0.0, decay_steps, alpha, warmup_target=peak_lr,
    warmup_steps=warmup_steps)`` computes. Graph-safe (no Python ``if`` on the step), with ``get_config``.
    """

    def __init__(self, peak_lr, warmup_steps, decay_steps, alpha=0.0):
        super().__init__()
        self.peak_lr = peak_lr
        self.warmup_steps = warmup_steps
        self.decay_steps = decay_steps
        self.alpha = alpha

    def __call__(self, step):
        s = tf.cast(step, tf.float32)
        warmup = tf.cast(self.warmup_steps, tf.float32)
        decay = tf.cast(self.decay_steps, tf.float32)
        peak = tf.cast(self.peak_lr, tf.float32)
        warm = peak * s / tf.maximum(warmup, 1.0)
        p = tf.minimum(tf.maximum(s - warmup, 0.0), decay) / decay
        cosine = 0.5 * (1.0 + tf.cos(math.pi * p))
        decayed = peak * ((1.0 - self.alpha) * cosine + self.alpha)
        return tf.where(s < warmup, warm, decayed)

    def get_config(self):
        return {"peak_lr": self.peak_lr, "warmup_steps": self.warmup_steps, "decay_steps": self.decay_steps,
                "alpha": self.alpha}


class StepDecay(tf.keras.optimizers.schedules.LearningRateSchedule):
    """Step decay: ``initial_lr * drop ** floor(step / steps_per_drop)``.

    Equal to ``ExponentialDecay(initial_lr, steps_per_drop, drop, staircase=True)``. Graph-safe, with ``get_config``.
    """

    def __init__(self, initial_lr, drop, steps_per_drop):
        super().__init__()
        self.initial_lr = initial_lr
        self.drop = drop
        self.steps_per_drop = steps_per_drop

    def __call__(self, step):
        s = tf.cast(step, tf.float32)
        k = tf.floor(s / tf.cast(self.steps_per_drop, tf.float32))
        return tf.cast(self.initial_lr, tf.float32) * tf.pow(tf.cast(self.drop, tf.float32), k)

    def get_config(self):
        return {"initial_lr": self.initial_lr, "drop": self.drop, "steps_per_drop": self.steps_per_drop}


class CyclicalLR(tf.keras.optimizers.schedules.LearningRateSchedule):
    """Cyclical learning rate (Smith 2017).

    ``cycle = floor(1 + s / (2 * step_size))``, ``x = |s / step_size - 2 * cycle + 1|``,
    ``lr = base_lr + (max_lr - base_lr) * max(0, 1 - x) * scale`` with ``scale = 1`` (``"triangular"``),
    ``1 / 2 ** (cycle - 1)`` (``"triangular2"``) or ``gamma ** s`` (``"exp_range"``).
    Graph-safe (the mode is a Python string fixed at construction), with ``get_config``.
    """

    def __init__(self, base_lr, max_lr, step_size, mode="triangular", gamma=1.0):
        super().__init__()
        if mode not in ("triangular", "triangular2", "exp_range"):
            raise ValueError(f"unknown mode {mode!r}")
        self.base_lr = base_lr
        self.max_lr = max_lr
        self.step_size = step_size
        self.mode = mode
        self.gamma = gamma

    def __call__(self, step):
        s = tf.cast(step, tf.float32)
        size = tf.cast(self.step_size, tf.float32)
        cycle = tf.floor(1.0 + s / (2.0 * size))
        x = tf.abs(s / size - 2.0 * cycle + 1.0)
        if self.mode == "triangular":
            scale = tf.constant(1.0)
        elif self.mode == "triangular2":
            scale = 1.0 / tf.pow(2.0, cycle - 1.0)
        else:
            scale = tf.pow(tf.cast(self.gamma, tf.float32), s)
        return self.base_lr + (self.max_lr - self.base_lr) * tf.maximum(0.0, 1.0 - x) * scale

    def get_config(self):
        return {"base_lr": self.base_lr, "max_lr": self.max_lr, "step_size": self.step_size, "mode": self.mode,
                "gamma": self.gamma}


class OneCycleLR(tf.keras.optimizers.schedules.LearningRateSchedule):
    """One-cycle policy with cosine annealing in both phases.

    ``initial = max_lr / div_factor``, ``final = initial / final_div_factor``,
    ``up = round(pct_start * total_steps)``. For ``s <= up``: ``p = s / up`` and
    ``lr = max_lr + (initial - max_lr) * 0.5 * (1 + cos(pi * p))`` (from ``initial`` to ``max_lr``);
    after it ``p = min((s - up) / (total_steps - up), 1)`` and
    ``lr = final + (max_lr - final) * 0.5 * (1 + cos(pi * p))``. Graph-safe, with ``get_config``.
    """

    def __init__(self, max_lr, total_steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
        super().__init__()
        self.max_lr = max_lr
        self.total_steps = total_steps
        self.pct_start = pct_start
        self.div_factor = div_factor
        self.final_div_factor = final_div_factor

    def __call__(self, step):
        s = tf.cast(step, tf.float32)
        initial = self.max_lr / self.div_factor
        final = initial / self.final_div_factor
        up = float(round(self.pct_start * self.total_steps))
        down = float(self.total_steps) - up
        p_up = tf.minimum(s / up, 1.0)
        warm = self.max_lr + (initial - self.max_lr) * 0.5 * (1.0 + tf.cos(math.pi * p_up))
        p_down = tf.clip_by_value((s - up) / down, 0.0, 1.0)
        anneal = final + (self.max_lr - final) * 0.5 * (1.0 + tf.cos(math.pi * p_down))
        if s <= up:
            return warm
        return anneal

    def get_config(self):
        return {"max_lr": self.max_lr, "total_steps": self.total_steps, "pct_start": self.pct_start,
                "div_factor": self.div_factor, "final_div_factor": self.final_div_factor}


def lr_range_test(model, x, y, min_lr: float, max_lr: float, num_steps: int, batch_size: int,
                  diverge_factor: float = 4.0) -> dict:
    """Learning-rate range test (Smith): train with an exponentially growing learning rate.

    ``model`` is compiled (optimizer with a settable ``learning_rate`` variable). For ``i = 0 ..
    num_steps-1``: ``lr_i = min_lr * (max_lr / min_lr) ** (i / (num_steps - 1))``; set the
    optimizer's learning rate to ``lr_i`` and train on batch ``i`` (rows ``i*batch_size ..
    (i+1)*batch_size`` taken cyclically modulo ``len(x)``, which is a multiple of ``batch_size``)
    with ``model.train_on_batch``; record ``lr_i`` and the loss it returns. Stop after recording a
    loss that is not finite or exceeds ``diverge_factor`` times the smallest loss so far.

    Returns:
        ``{"lr": float64 array, "loss": float64 array}`` of the tried steps, same length.
    """
    x = np.asarray(x)
    y = np.asarray(y)
    n = len(x)
    lrs, losses = [], []
    best = np.inf
    for i in range(num_steps):
        lr = min_lr * (max_lr / min_lr) ** (i / (num_steps - 1))
        model.optimizer.learning_rate.assign(lr)
        start = (i * batch_size) % n
        loss = float(model.train_on_batch(x[start:start + batch_size], y[start:start + batch_size]))
        lrs.append(lr)
        losses.append(loss)
        best = min(best, loss)
        if not np.isfinite(loss) or loss > diverge_factor * best:
            break
    return {"lr": np.asarray(lrs, np.float64), "loss": np.asarray(losses, np.float64)}


def suggest_lr(lrs, losses) -> float:
    """The rule of thumb after a range test: the learning rate of the smallest finite loss, divided by 10."""
    losses = np.asarray(losses, np.float64)
    masked = np.where(np.isfinite(losses), losses, np.inf)
    return float(np.asarray(lrs, np.float64)[int(np.argmin(masked))] / 10.0)
