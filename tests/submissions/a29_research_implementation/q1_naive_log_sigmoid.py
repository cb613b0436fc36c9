# expect: {"q1": "below_full"}
# ruff: noqa: F821, F841, B007, E501  (a fragment: tf, np, scipy, ... come from the reference setup cell)
# log(sigmoid(z)) computed directly: -inf and NaN for large logits.
# %% [q1]
def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
    """The focal loss of Lin et al. (2017), element-wise: FL(p_t) = -alpha_t * (1 - p_t) ** gamma * log(p_t).

    p = sigmoid(logits); p_t = p where y_true == 1, 1 - p where y_true == 0; alpha_t = alpha for positives and
    1 - alpha for negatives (alpha=None: alpha_t = 1). Computed from log-sigmoids so that it is finite (values and
    gradients) for logits of any size.

    Args:
        y_true: labels in {0, 1}, any shape.
        logits: float tensor of the same shape.
        alpha: the class-balance weight of the positives, or None.
        gamma: the focusing parameter (>= 0; gamma=0 gives alpha-weighted binary cross-entropy).

    Returns:
        A tensor of logits' shape and dtype: the loss of each element (no reduction).
    """
    logits = tf.convert_to_tensor(logits)
    y = tf.cast(y_true, logits.dtype)
    p = tf.sigmoid(logits)
    log_p = tf.math.log(p)
    log_q = tf.math.log(1.0 - p)
    log_pt = y * log_p + (1.0 - y) * log_q
    log_one_minus_pt = y * log_q + (1.0 - y) * log_p
    modulator = tf.exp(gamma * log_one_minus_pt)
    if alpha is None:
        alpha_t = tf.ones_like(y)
    else:
        alpha_t = y * alpha + (1.0 - y) * (1.0 - alpha)
    return -alpha_t * modulator * log_pt


def prior_bias_init(pi=0.01):
    """The paper's bias initialisation of the classifier: b = -log((1 - pi) / pi), so that sigmoid(b) = pi."""
    return float(-math.log((1.0 - pi) / pi))


def train_focal(x, y, seed, steps=100, batch_size=128, lr=0.05, alpha=0.25, gamma=2.0, pi=0.01):
    """Train a logistic-regression classifier with the focal loss, deterministically.

    Seed everything from `seed` (`tf.keras.utils.set_random_seed`, op determinism): the weights start at
    N(0, 0.01^2) drawn with that seed, the bias at `prior_bias_init(pi)`; each step takes a minibatch of
    `batch_size` rows drawn with a seeded generator and makes one Adam(lr) step on the mean focal loss.

    Returns:
        {"w": float32 array (d,), "b": float32 scalar array, "losses": list of the `steps` minibatch losses}.
        Two calls with the same seed must return bitwise-equal arrays; steps=0 returns the initial values.
    """
    tf.keras.utils.set_random_seed(int(seed))
    tf.config.experimental.enable_op_determinism()
    x = tf.constant(np.asarray(x, np.float32))
    y = tf.constant(np.asarray(y, np.float32))
    w = tf.Variable(tf.random.normal((x.shape[1],), stddev=0.01, seed=int(seed)))
    b = tf.Variable(prior_bias_init(pi), dtype=tf.float32)
    opt = tf.keras.optimizers.Adam(learning_rate=lr)
    gen = tf.random.Generator.from_seed(int(seed))

    @tf.function
    def step():
        idx = gen.uniform((batch_size,), 0, x.shape[0], dtype=tf.int64)
        xb, yb = tf.gather(x, idx), tf.gather(y, idx)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(focal_loss(yb, tf.linalg.matvec(xb, w) + b, alpha=alpha, gamma=gamma))
        grads = tape.gradient(loss, [w, b])
        opt.apply_gradients(zip(grads, [w, b], strict=True))
        return loss

    losses = [float(step()) for _ in range(int(steps))]
    return {"w": w.numpy(), "b": b.numpy(), "losses": losses}
