# expect: {"q3": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, tfmot, kt, math, time, mlp, compile_classifier come from the setup cell)
# The soft loss without the T**2 factor: its gradient shrinks by 1/T**2 (and the Distiller's update with it).
# %% [q3]
def distillation_loss(teacher_logits, student_logits, temperature: float) -> tf.Tensor:
    """Hinton's soft-target loss: ``T**2 * KL(softmax(t / T) || softmax(s / T))``, averaged over the batch.

    Temperature divides the *logits* (never probabilities); the ``T**2`` factor keeps the gradient
    scale independent of ``T``. Its gradient with respect to the student logits is
    ``T * (softmax(s / T) - softmax(t / T)) / batch``.

    Args:
        teacher_logits: ``float32`` tensor ``(batch, classes)``.
        student_logits: ``float32`` tensor ``(batch, classes)``.
        temperature: ``T > 0``.

    Returns:
        A ``float32`` scalar tensor.
    """
    t = tf.convert_to_tensor(temperature, tf.float32)
    teacher_logits = tf.convert_to_tensor(teacher_logits, tf.float32)
    student_logits = tf.convert_to_tensor(student_logits, tf.float32)
    p_teacher = tf.nn.softmax(teacher_logits / t, axis=-1)
    log_p_teacher = tf.nn.log_softmax(teacher_logits / t, axis=-1)
    log_p_student = tf.nn.log_softmax(student_logits / t, axis=-1)
    kl = tf.reduce_sum(p_teacher * (log_p_teacher - log_p_student), axis=-1)
    return tf.reduce_mean(kl)


class Distiller(tf.keras.Model):
    """Trains ``student`` to match a frozen ``teacher``; ``Distiller(student, teacher)(x)`` is ``student(x)``.

    ``compile(optimizer, metrics=None, student_loss_fn=None, alpha=0.1, temperature=4.0)`` stores the
    settings. ``train_step(data)`` takes ``x`` or ``(x, y)``: the teacher runs with ``training=False``;
    with labels the loss is ``alpha * student_loss_fn(y, student_logits) + (1 - alpha) *
    distillation_loss(teacher_logits, student_logits, temperature)``, without labels it is the
    distillation loss alone. Only the student's trainable variables are updated. It returns
    ``{"loss": ..., "distillation_loss": ..., **metrics}``. ``test_step`` reports the student loss
    and the metrics on labelled data.
    """

    def __init__(self, student, teacher):
        super().__init__()
        self.student = student
        self.teacher = teacher

    def compile(self, optimizer, metrics=None, student_loss_fn=None, alpha=0.1, temperature=4.0):
        super().compile(optimizer=optimizer, metrics=metrics)
        self.student_loss_fn = student_loss_fn or tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        self.alpha = float(alpha)
        self.temperature = float(temperature)

    def call(self, x, training=False):
        return self.student(x, training=training)

    def train_step(self, data):
        x, y, _ = tf.keras.utils.unpack_x_y_sample_weight(data)  # y is None when fit() got inputs only
        teacher_logits = self.teacher(x, training=False)
        with tf.GradientTape() as tape:
            student_logits = self.student(x, training=True)
            soft = distillation_loss(teacher_logits, student_logits, self.temperature)
            if y is None:
                loss = soft
            else:
                hard = self.student_loss_fn(y, student_logits)
                loss = self.alpha * hard + (1.0 - self.alpha) * soft
        variables = self.student.trainable_variables
        self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
        results = {"loss": loss, "distillation_loss": soft}
        if y is not None:
            self.compiled_metrics.update_state(y, student_logits)
            results.update({m.name: m.result() for m in self.metrics if m.name != "loss"})
        return results

    def test_step(self, data):
        x, y, _ = tf.keras.utils.unpack_x_y_sample_weight(data)
        student_logits = self.student(x, training=False)
        loss = self.student_loss_fn(y, student_logits)
        self.compiled_metrics.update_state(y, student_logits)
        return {"student_loss": loss, **{m.name: m.result() for m in self.metrics if m.name != "loss"}}


def distill_on_transfer_set(teacher, student, x_transfer, epochs: int, temperature: float = 4.0,
                            batch_size: int = 32) -> tf.keras.Model:
    """Distil ``teacher`` into ``student`` on unlabelled inputs (soft targets only) with a ``Distiller``.

    Compile the ``Distiller`` with ``Adam(1e-3)`` and the given temperature, ``fit`` it on
    ``x_transfer`` alone (no labels) for ``epochs`` epochs, and return ``student`` itself (trained).
    """
    distiller = Distiller(student=student, teacher=teacher)
    distiller.compile(optimizer=tf.keras.optimizers.Adam(1e-3), temperature=temperature)
    distiller.fit(np.asarray(x_transfer, np.float32), epochs=epochs, batch_size=batch_size, verbose=0)
    return student
