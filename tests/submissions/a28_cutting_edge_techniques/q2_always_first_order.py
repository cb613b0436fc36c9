# expect: {"q2": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# The inner gradients are always stopped: FOMAML where second-order MAML is asked.
# %% [q2]
def mlp_forward(params, x):
    """A ReLU MLP given as ``[W1, b1, ..., Wn, bn]``: ReLU after every layer but the last (which is linear)."""
    h = tf.convert_to_tensor(x)
    n = len(params) // 2
    for i in range(n):
        h = tf.matmul(h, params[2 * i]) + params[2 * i + 1]
        if i < n - 1:
            h = tf.nn.relu(h)
    return h


def mse_loss(params, x, y):
    """``mean((mlp_forward(params, x) - y)^2)``."""
    return tf.reduce_mean(tf.square(mlp_forward(params, x) - y))


def adapt(params, x_s, y_s, lr: float, steps: int = 1, first_order: bool = False) -> list:
    """The MAML inner loop: ``steps`` plain gradient steps on the support set's ``mse_loss``, computed functionally.

    Returns the adapted parameters as a new list of tensors and never assigns to ``params`` (they may be
    ``tf.Variable``s). Inside an outer ``GradientTape`` the result stays differentiable *through* the inner
    gradients (second order); with ``first_order=True`` the inner gradients are treated as constants (FOMAML).
    """
    fast = [tf.convert_to_tensor(p) for p in params]
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(fast)
            loss = mse_loss(fast, x_s, y_s)
        grads = tape.gradient(loss, fast)
        grads = [tf.stop_gradient(g) for g in grads]
        fast = [p - lr * g for p, g in zip(fast, grads, strict=True)]
    return fast


def maml_meta_gradient(params, tasks, inner_lr: float, inner_steps: int = 1, first_order: bool = False) -> list:
    """The second-order (or first-order) MAML meta-gradient.

    The MAML meta-gradient: the gradient with respect to ``params`` of the mean over ``tasks`` (a list of
    ``(x_support, y_support, x_query, y_query)``) of the query ``mse_loss`` after ``adapt`` on the support set.
    Returns one tensor per parameter, in the parameters' dtype.
    """
    theta = [tf.convert_to_tensor(p) for p in params]
    with tf.GradientTape() as tape:
        tape.watch(theta)
        losses = []
        for x_s, y_s, x_q, y_q in tasks:
            fast = adapt(theta, x_s, y_s, inner_lr, inner_steps, first_order)
            losses.append(mse_loss(fast, x_q, y_q))
        meta_loss = tf.add_n(losses) / len(losses)
    return tape.gradient(meta_loss, theta)


def maml_train(params, sample_tasks, meta_steps: int = 300, meta_batch: int = 5, inner_lr: float = 0.01,
               outer_lr: float = 0.001, inner_steps: int = 1) -> list:
    """Meta-train ``params`` (NumPy arrays) with second-order MAML and Adam(``outer_lr``) on the meta-gradient.

    ``sample_tasks(meta_batch)`` returns a fresh list of ``(x_support, y_support, x_query, y_query)`` NumPy tasks;
    call it once per meta-step. Returns the trained parameters as a list of NumPy arrays.
    """
    variables = [tf.Variable(np.asarray(p, dtype=np.float32)) for p in params]
    opt = tf.keras.optimizers.Adam(outer_lr)

    @tf.function
    def step(xs, ys, xq, yq):
        with tf.GradientTape() as tape:
            losses = []
            for t in range(meta_batch):
                fast = adapt(variables, xs[t], ys[t], inner_lr, inner_steps)
                losses.append(mse_loss(fast, xq[t], yq[t]))
            meta_loss = tf.add_n(losses) / meta_batch
        opt.apply_gradients(zip(tape.gradient(meta_loss, variables), variables, strict=True))

    for _ in range(meta_steps):
        tasks = sample_tasks(meta_batch)
        xs, ys, xq, yq = (np.stack([np.asarray(t[k], dtype=np.float32) for t in tasks]) for k in range(4))
        step(xs, ys, xq, yq)
    return [v.numpy() for v in variables]
