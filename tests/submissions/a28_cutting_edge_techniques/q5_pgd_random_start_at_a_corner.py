# expect: {"q5": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# PGD's random start draws on [eps, eps] instead of [-eps, eps]: every start sits at the far corner of
# the ball (then the box), which still moves every coordinate; the rest is the course's.
# %% [q5]
def _xent(model, x, y):
    return tf.nn.sparse_softmax_cross_entropy_with_logits(tf.cast(y, tf.int32), model(x))


def fgsm(model, x, y, eps: float, clip=(0.0, 1.0)):
    """The fast gradient sign method (FGSM).

    Fast gradient sign method: ``clip(x + eps * sign(d loss / dx))`` with the per-example softmax cross-entropy of
    ``model(x)`` (logits) on labels ``y``. Returns a tensor like ``x``.
    """
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = _xent(model, x, y)
    return tf.clip_by_value(x + eps * tf.sign(tape.gradient(loss, x)), clip[0], clip[1])


def pgd(model, x, y, eps: float, alpha: float, steps: int, random_start: bool = True, seed: int = 0,
        clip=(0.0, 1.0)):
    """Projected gradient descent (PGD), L-infinity.

    Projected gradient descent (L-infinity, Madry et al.): optionally start at a uniform random point of the
    eps-ball (``tf.random.stateless_uniform`` with seed ``[seed, 0]``), then ``steps`` times take an ``alpha`` signed
    gradient step and project back onto the eps-ball around ``x`` and onto the ``clip`` box.
    """
    x = tf.convert_to_tensor(x)
    adv = x
    if random_start:
        adv = x + tf.random.stateless_uniform(tf.shape(x), [seed, 0], eps, eps, dtype=x.dtype)
        adv = tf.clip_by_value(adv, clip[0], clip[1])
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(adv)
            loss = _xent(model, adv, y)
        adv = adv + alpha * tf.sign(tape.gradient(loss, adv))
        adv = tf.clip_by_value(tf.clip_by_value(adv, x - eps, x + eps), clip[0], clip[1])
    return adv


def adversarial_train(x, y, n_classes: int, eps: float = 0.1, epochs: int = 30, hidden: int = 64,
                      seed: int = 0) -> tf.keras.Model:
    """PGD adversarial training of a one-hidden-layer network.

    Train ``Sequential([Dense(hidden, relu), Dense(n_classes)])`` (logits) with PGD adversarial training
    (Madry et al.): every batch is replaced by PGD examples (eps, a few steps) made against the current model, mixed
    with the clean batch. Returns the trained model.
    """
    tf.keras.utils.set_random_seed(seed)
    model = tf.keras.Sequential([tf.keras.layers.Dense(hidden, activation="relu"), tf.keras.layers.Dense(n_classes)])
    model.build((None, x.shape[1]))
    opt = tf.keras.optimizers.Adam(3e-3)
    x = tf.constant(x, tf.float32)
    y = tf.constant(y, tf.int32)

    @tf.function
    def step(xb, yb, s):
        adv = pgd(model, xb, yb, eps, eps / 2.5, 5, seed=s)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(_xent(model, adv, yb)) * 0.8 + tf.reduce_mean(_xent(model, xb, yb)) * 0.2
        opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables, strict=True))

    n = int(x.shape[0])
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, 64):
            rows = order[start:start + 64]
            step(tf.gather(x, rows), tf.gather(y, rows), tf.constant(epoch * 1000 + start))
    return model


def ibp_bounds(params, x, eps: float) -> tuple:
    """Interval bound propagation (IBP) through a ReLU MLP.

    Interval bound propagation through a ReLU MLP given as ``[W1, b1, ..., Wn, bn]`` (ReLU after every layer but
    the last) for the L-infinity ball of radius ``eps`` around each row of ``x`` (no box clipping). Returns
    ``(lower, upper)`` bounds of the logits, computed with centre/radius arithmetic:
    ``mu' = mu @ W + b``, ``r' = r @ |W|``.
    """
    x = tf.convert_to_tensor(x)
    lo, hi = x - eps, x + eps
    n = len(params) // 2
    for i in range(n):
        w = tf.convert_to_tensor(params[2 * i], dtype=x.dtype)
        b = tf.convert_to_tensor(params[2 * i + 1], dtype=x.dtype)
        mu, r = (hi + lo) / 2, (hi - lo) / 2
        mu, r = tf.matmul(mu, w) + b, tf.matmul(r, tf.abs(w))
        lo, hi = mu - r, mu + r
        if i < n - 1:
            lo, hi = tf.nn.relu(lo), tf.nn.relu(hi)
    return lo, hi
