# expect: {"q1": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# The course's textbook Adam: epsilon added to sqrt(v_hat) after bias correction, not Keras's epsilon-hat form.
# %% [q1]
def optimize(rule: str, loss_fn, w0, steps: int, learning_rate: float, *, momentum: float = 0.9,
             rho: float = 0.9, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
             weight_decay: float = 0.0) -> np.ndarray:
    """Minimise ``loss_fn`` with a hand-written gradient descent update rule, as Keras writes it.

    ``w`` is a ``float32`` ``tf.Variable`` initialised from ``w0``. For ``t = 1 .. steps``: take
    ``g = d loss_fn(w) / d w`` with a ``tf.GradientTape`` at the current ``w``, then update ``w``
    with ``rule`` (``lr`` is ``learning_rate``; state starts at zero):

    - ``"sgd"``: ``w -= lr * g``
    - ``"momentum"``: ``v = momentum * v - lr * g``; ``w += v``
    - ``"nesterov"``: ``v = momentum * v - lr * g``; ``w += momentum * v - lr * g``
    - ``"rmsprop"``: ``s = rho * s + (1 - rho) * g**2``; ``w -= lr * g / sqrt(s + epsilon)``
    - ``"adam"``: ``m += (g - m) * (1 - beta_1)``; ``v += (g**2 - v) * (1 - beta_2)``;
      ``alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``; ``w -= alpha * m / (sqrt(v) + epsilon)``
      (Keras's "epsilon-hat" form: epsilon is added after the bias correction of ``v``)
    - ``"adamw"``: decoupled weight decay: first ``w -= w * weight_decay * lr`` (``g`` was taken
      before the decay), then the Adam step with ``g``
    - ``"adam_l2"``: L2 regularisation under Adam: ``g += weight_decay * w`` (the gradient of
      ``weight_decay / 2 * sum(w**2)``), then the Adam step

    Do not use the ``tf.keras.optimizers`` classes: the point is to write the rules.

    Returns:
        The trajectory: a ``float32`` NumPy array of shape ``(steps + 1,) + w0.shape``, row 0 being ``w0``.
    """
    if rule not in ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw", "adam_l2"):
        raise ValueError(f"unknown rule {rule!r}")
    w = tf.Variable(np.asarray(w0, np.float32))
    lr = tf.constant(learning_rate, tf.float32)
    first = tf.zeros_like(w)
    second = tf.zeros_like(w)
    trajectory = [w.numpy().copy()]
    for t in range(1, steps + 1):
        with tf.GradientTape() as tape:
            loss = loss_fn(w)
        g = tape.gradient(loss, w)
        if rule == "sgd":
            w.assign_sub(lr * g)
        elif rule in ("momentum", "nesterov"):
            first = momentum * first - lr * g
            if rule == "nesterov":
                w.assign_add(momentum * first - lr * g)
            else:
                w.assign_add(first)
        elif rule == "rmsprop":
            second = rho * second + (1 - rho) * tf.square(g)
            w.assign_sub(lr * g / tf.sqrt(second + epsilon))
        else:
            if rule == "adam_l2":
                g = g + weight_decay * w
            if rule == "adamw":
                w.assign_sub(w * weight_decay * lr)
            first = first + (g - first) * (1 - beta_1)
            second = second + (tf.square(g) - second) * (1 - beta_2)
            m_hat = first / (1 - beta_1 ** t)
            v_hat = second / (1 - beta_2 ** t)
            w.assign_sub(lr * m_hat / (tf.sqrt(v_hat) + epsilon))
        trajectory.append(w.numpy().copy())
    return np.stack(trajectory).astype(np.float32)
