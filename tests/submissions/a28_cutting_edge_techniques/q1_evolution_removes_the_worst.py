# expect: {"q1": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# Evolution that removes the worst member instead of the oldest (not aging).
# %% [q1]
OPS = ("identity", "conv3", "dilated_conv5", "maxpool3", "zero")


class MixedOp(tf.keras.layers.Layer):
    """A DARTS mixed operation on 1-D sequences ``(batch, length, channels)``.

    Candidates, in the order of ``OPS``: identity; ``Conv1D(channels, 3, padding="same")``;
    ``Conv1D(channels, 5, dilation_rate=2, padding="same")``; ``MaxPool1D(3, strides=1, padding="same")``; zero.
    The architecture weights are one trainable variable ``self.alpha`` of shape ``(5,)`` named ``"alpha"``,
    initialised to zeros. ``op_outputs(x)`` returns the five candidate outputs in order; ``call(x)`` returns
    ``sum_i softmax(alpha)_i * op_i(x)``.
    """

    def __init__(self, channels: int, **kwargs):
        super().__init__(**kwargs)
        self.channels = channels
        self.conv3 = tf.keras.layers.Conv1D(channels, 3, padding="same")
        self.dilated = tf.keras.layers.Conv1D(channels, 5, dilation_rate=2, padding="same")
        self.pool = tf.keras.layers.MaxPool1D(3, strides=1, padding="same")

    def build(self, input_shape):
        self.alpha = self.add_weight(name="alpha", shape=(len(OPS),), initializer="zeros", trainable=True)
        super().build(input_shape)

    def op_outputs(self, x) -> list:
        return [x, self.conv3(x), self.dilated(x), self.pool(x), tf.zeros_like(x)]

    def call(self, x):
        weights = tf.nn.softmax(self.alpha)
        outs = self.op_outputs(x)
        return tf.add_n([weights[i] * outs[i] for i in range(len(OPS))])


def darts_step(model, x_train, y_train, x_val, y_val, w_lr: float, a_lr: float) -> tuple:
    """One first-order DARTS bilevel step with plain SGD on the mean squared error ``mean((model(x) - y)^2)``.

    Architecture variables are the model's trainable variables whose name contains ``"alpha"``; every other
    trainable variable is a network weight. First the architecture step on the *validation* batch
    (``alpha -= a_lr * dL_val/dalpha``), then the weight step on the *training* batch with the updated alphas
    (``w -= w_lr * dL_train/dw``). Returns ``(val_loss, train_loss)`` as floats, each measured before its own update.
    """
    arch = [v for v in model.trainable_variables if "alpha" in v.name]
    weights = [v for v in model.trainable_variables if "alpha" not in v.name]
    with tf.GradientTape() as tape:
        val_loss = tf.reduce_mean(tf.square(model(x_val) - y_val))
    for v, g in zip(arch, tape.gradient(val_loss, arch), strict=True):
        v.assign_sub(a_lr * g)
    with tf.GradientTape() as tape:
        train_loss = tf.reduce_mean(tf.square(model(x_train) - y_train))
    for v, g in zip(weights, tape.gradient(train_loss, weights), strict=True):
        if g is not None:
            v.assign_sub(w_lr * g)
    return float(val_loss), float(train_loss)


def derive_architecture(model) -> list:
    """The discrete architecture a DARTS search ends with.

    The discrete architecture: for every ``MixedOp`` layer of ``model`` (in ``model.layers`` order) the name in
    ``OPS`` of its largest alpha.
    """
    return [OPS[int(np.argmax(layer.alpha.numpy()))] for layer in model.layers if isinstance(layer, MixedOp)]


def regularized_evolution(fitness_fn, n_nodes: int, n_ops: int, population: int = 20, sample: int = 5,
                          cycles: int = 200, seed: int = 0) -> dict:
    """Regularised (aging) evolution (Real et al., 2019) on a tabular space of architectures.

    An architecture is a tuple of ``n_nodes`` ints in ``range(n_ops)``; ``fitness_fn(arch)`` returns its validation
    accuracy (every call is one evaluation: call it exactly once per new individual). Start with ``population``
    random architectures; then each cycle draw ``sample`` distinct members of the current population, mutate the
    fittest of them (one position changed to a *different* op), evaluate the child, add it and remove the *oldest*
    member. Use ``np.random.default_rng(seed)``. Returns ``{"best": list[int], "best_fitness": float}``: the best
    architecture evaluated.
    """
    rng = np.random.default_rng(seed)
    pop = collections.deque()
    best, best_fit = None, -math.inf

    def evaluate(arch):
        nonlocal best, best_fit
        fit = float(fitness_fn(arch))
        if fit > best_fit:
            best, best_fit = arch, fit
        return fit

    for _ in range(population):
        arch = tuple(int(a) for a in rng.integers(0, n_ops, size=n_nodes))
        pop.append((arch, evaluate(arch)))
    for _ in range(cycles):
        picks = rng.choice(len(pop), size=sample, replace=False)
        parent = max((pop[int(i)] for i in picks), key=lambda m: m[1])[0]
        child = list(parent)
        pos = int(rng.integers(n_nodes))
        child[pos] = int((child[pos] + rng.integers(1, n_ops)) % n_ops)
        child = tuple(child)
        pop.append((child, evaluate(child)))
        del pop[min(range(len(pop)), key=lambda k: pop[k][1])]
    return {"best": list(best), "best_fitness": best_fit}


def pareto_front(points) -> list:
    """The Pareto front of (accuracy, latency) points.

    Indices (ascending) of the non-dominated points of ``[(accuracy, latency_ms), ...]``: maximise accuracy,
    minimise latency. A point is dominated when another is at least as good in both and strictly better in one.
    """
    pts = np.asarray(points, dtype=np.float64)
    front = []
    for i, (acc, lat) in enumerate(pts):
        dominated = np.any((pts[:, 0] >= acc) & (pts[:, 1] <= lat) & ((pts[:, 0] > acc) | (pts[:, 1] < lat)))
        if not dominated:
            front.append(i)
    return front
