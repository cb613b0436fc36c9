# expect: {"q3": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, make_base, make_encoder, make_decoder come from the setup cell)
# Uncertainty weighting without the `+ s_i` term: minimising exp(-s_i) * L_i alone drives every s_i to
# infinity and switches the tasks off.
# %% [q3]
TASKS = ("digit", "parity", "ink")


def build_multitask_model(input_dim: int = 64, trunk_units=(64, 32), num_classes: int = 10) -> tf.keras.Model:
    """Hard parameter sharing: a ReLU ``Dense`` trunk, then three heads on the trunk's output.

    Outputs a dict: ``"digit"`` (``num_classes`` logits), ``"parity"`` (1 logit), ``"ink"`` (1 value).
    ``model.get_weights()`` order: the trunk, then the heads by sorted output name (digit, ink, parity).
    """
    inputs = tf.keras.Input(shape=(input_dim,))
    h = inputs
    for i, u in enumerate(trunk_units):
        h = tf.keras.layers.Dense(int(u), activation="relu", name=f"trunk_{i}")(h)
    outputs = {"digit": tf.keras.layers.Dense(num_classes, name="digit")(h),
               "parity": tf.keras.layers.Dense(1, name="parity")(h),
               "ink": tf.keras.layers.Dense(1, name="ink")(h)}
    return tf.keras.Model(inputs, outputs)


def task_losses(y_true: dict, y_pred: dict) -> dict:
    """Per-task mean losses: sparse CE from logits (digit), binary CE from the logit (parity), MSE (ink).

    ``y_true["digit"]`` holds ints ``(B,)``, ``y_true["parity"]`` 0/1 ``(B,)``, ``y_true["ink"]`` floats ``(B,)``;
    predictions are ``(B, C)``, ``(B, 1)``, ``(B, 1)``. Returns ``{task: float32 scalar tensor}``.
    """
    digit = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(
        tf.cast(y_true["digit"], tf.int32), y_pred["digit"], from_logits=True))
    parity_true = tf.reshape(tf.cast(y_true["parity"], tf.float32), (-1, 1))
    parity = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(parity_true, tf.cast(y_pred["parity"], tf.float32)))
    ink_true = tf.reshape(tf.cast(y_true["ink"], tf.float32), (-1, 1))
    ink = tf.reduce_mean(tf.square(tf.cast(y_pred["ink"], tf.float32) - ink_true))
    return {"digit": digit, "parity": parity, "ink": ink}


def weighted_total(losses: dict, weights: dict) -> tf.Tensor:
    """Static loss weighting: ``sum_i weights[i] * losses[i]`` over the tasks in ``losses``."""
    return tf.add_n([tf.cast(weights[k], tf.float32) * losses[k] for k in losses])


class UncertaintyWeighting(tf.keras.layers.Layer):
    """Learned homoscedastic-uncertainty weighting (Kendall et al. 2018): ``sum_i exp(-s_i) * L_i + s_i``.

    ``s_i = log(sigma_i**2)`` is one trainable scalar per task (``self.log_vars``, shape ``(num_tasks,)``,
    initialised to 0). ``call(losses)`` takes a list of ``num_tasks`` scalar losses.
    """

    def __init__(self, num_tasks: int = 3, **kwargs):
        super().__init__(**kwargs)
        self.num_tasks = int(num_tasks)
        self.log_vars = self.add_weight(name="log_vars", shape=(self.num_tasks,), initializer="zeros",
                                        trainable=True)

    def call(self, losses):
        stacked = tf.stack([tf.cast(loss, tf.float32) for loss in losses])
        return tf.reduce_sum(tf.exp(-self.log_vars) * stacked)


def per_task_gradients(model: tf.keras.Model, x, y_true: dict) -> dict:
    """Per-task gradients: ``{task: [gradient of its loss for each of model.trainable_variables]}``.

    ``None`` where a variable does not reach the task; one forward pass under a persistent tape.
    """
    with tf.GradientTape(persistent=True) as tape:
        losses = task_losses(y_true, model(x, training=True))
    grads = {task: tape.gradient(losses[task], model.trainable_variables) for task in TASKS}
    del tape
    return grads


def multitask_train_step(model: tf.keras.Model, weighting: UncertaintyWeighting, optimizer, x, y_true: dict):
    """One step on ``weighting([L_digit, L_parity, L_ink])``, updating the model and the ``log_vars`` together.

    Returns the total loss.
    """
    variables = model.trainable_variables + weighting.trainable_variables
    with tf.GradientTape() as tape:
        losses = task_losses(y_true, model(x, training=True))
        total = weighting([losses[t] for t in TASKS])
    optimizer.apply_gradients(zip(tape.gradient(total, variables), variables, strict=True))
    return total
