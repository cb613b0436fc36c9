"""Reference solution for A16, Performance Optimization.

Each ``# %% [qK]`` section is the solution cell of question ``qK``, verbatim; nbgrader removes the
marked solution regions from the student release. This docstring sits before the first section, so
it is in no notebook cell.

Course-text errors corrected here (and in the manifest's intro): ``PolynomialDecay(begin_step=1000,
end_step=5000)`` never prunes a small data set (digits: 36 steps per epoch), so the schedule's steps
come from the data size; a pruned model is not smaller by itself (zeros still take 4 bytes; it
compresses); the comment "Dynamic range quantization" sits above ``supported_types = [tf.float16]``,
which is float16 quantization, and reusing that converter for int8 raises ``ValueError`` (the
recipes are A17's; Q2 here is the arithmetic under them: fake quantization, per-channel scales, ternary
weights, QAT);
``tf.keras.utils.clone_model`` does not exist (``tf.keras.models.clone_model``); the course's
distillation model gives one ``Loss`` two outputs, which Keras applies per output, and takes the
softmax of probabilities (temperature belongs on logits, and the soft loss is scaled by ``T**2``);
AutoKeras needs Keras 3 (or takes minutes per trial) and keras-tuner 1.4 rejects tf_keras models, so
the search is written here and keras-tuner 1.3.5 is used; cloud AutoML cannot run offline.
"""

# %% [setup]

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import math
import time

import keras_tuner as kt
import numpy as np
import tensorflow as tf
import tensorflow_model_optimization as tfmot

SEED = 0


def mlp(hidden_units, input_dim: int = 64, num_classes: int = 10, activation: str = "relu") -> tf.keras.Sequential:
    """A Sequential MLP that outputs logits (no softmax): ``Input -> Dense(u, activation)... -> Dense(num_classes)``."""
    layers = [tf.keras.Input(shape=(input_dim,))]
    layers += [tf.keras.layers.Dense(int(u), activation=activation) for u in hidden_units]
    layers.append(tf.keras.layers.Dense(num_classes))
    return tf.keras.Sequential(layers)


def compile_classifier(model: tf.keras.Model, learning_rate: float = 1e-3) -> tf.keras.Model:
    """Compiles a logits classifier with integer labels: Adam, sparse cross-entropy from logits, accuracy."""
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    return model


# %% [q1]
def gradual_prune(model: tf.keras.Model, x, y, target_sparsity: float, epochs: int,
                  batch_size: int = 32) -> tf.keras.Model:
    """Gradual magnitude pruning with ``tfmot`` while fine-tuning, then strip the wrappers.

    Wrap ``model`` with ``tfmot.sparsity.keras.prune_low_magnitude`` and a
    ``PolynomialDecay(initial_sparsity=0.0, final_sparsity=target_sparsity, begin_step=0, end_step=...)``
    whose ``end_step`` is derived from the data: ``ceil(len(x) / batch_size) * epochs`` steps in all,
    ending the ramp a little before the last step so that the last epoch fine-tunes at the target
    sparsity (the course's ``begin_step=1000, end_step=5000`` never starts pruning on a small data
    set). Compile with ``compile_classifier``, ``fit`` with ``tfmot.sparsity.keras.UpdatePruningStep()``
    and return ``tfmot.sparsity.keras.strip_pruning(...)`` of the result.

    Note: ``prune_low_magnitude`` reuses the layers of ``model``, so it changes ``model``'s weights.

    Args:
        model: a trained Sequential/Functional classifier that outputs logits.
        x: ``float32`` inputs ``(N, D)``.
        y: ``int`` labels ``(N,)``.
        target_sparsity: the final fraction of zeros in every Dense kernel (``0.9``, say).
        epochs: the number of training epochs (pruning and fine-tuning together).
        batch_size: the batch size.

    Returns:
        The stripped model (plain Dense layers, no ``PruneLowMagnitude`` wrapper).
    """
    ### BEGIN SOLUTION
    steps_per_epoch = math.ceil(len(x) / batch_size)
    total = steps_per_epoch * epochs
    end_step = max(1, total - steps_per_epoch)  # the last epoch fine-tunes at the final sparsity
    schedule = tfmot.sparsity.keras.PolynomialDecay(initial_sparsity=0.0, final_sparsity=float(target_sparsity),
                                                    begin_step=0, end_step=end_step, frequency=max(1, end_step // 20))
    pruned = tfmot.sparsity.keras.prune_low_magnitude(model, pruning_schedule=schedule)
    compile_classifier(pruned)
    pruned.fit(np.asarray(x, np.float32), np.asarray(y), epochs=epochs, batch_size=batch_size, verbose=0,
               callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
    return tfmot.sparsity.keras.strip_pruning(pruned)
    ### END SOLUTION


def kernel_sparsity(model: tf.keras.Model) -> dict:
    """The fraction of exactly-zero entries of every Dense kernel.

    Returns:
        ``{layer.name: float}`` for each ``tf.keras.layers.Dense`` layer of ``model`` (biases excluded).
    """
    ### BEGIN SOLUTION
    return {layer.name: float(np.mean(layer.kernel.numpy() == 0.0))
            for layer in model.layers if isinstance(layer, tf.keras.layers.Dense)}
    ### END SOLUTION


def prune_dense_units(model: tf.keras.Sequential, layer_name: str, keep_ratio: float) -> tf.keras.Sequential:
    """Structured pruning: remove whole units of one hidden Dense layer by the L1 norm of their weights.

    The importance of unit ``j`` of layer ``layer_name`` is ``sum |kernel[:, j]|`` (its incoming
    weights). Keep the ``round(units * keep_ratio)`` most important units (at least 1), in their original
    order, drop the others and the matching *rows* of the next Dense layer's kernel, and copy every
    other weight unchanged. The result is a new, smaller Sequential model of the same layer types and
    activations; ``model`` is not changed.

    Args:
        model: a Sequential of Dense layers (an ``mlp``).
        layer_name: the name of a hidden Dense layer (not the last one).
        keep_ratio: the fraction of its units to keep, in ``(0, 1]``.

    Returns:
        The pruned Sequential model (not compiled).
    """
    ### BEGIN SOLUTION
    dense = [layer for layer in model.layers if isinstance(layer, tf.keras.layers.Dense)]
    index = [layer.name for layer in dense].index(layer_name)
    if index == len(dense) - 1:
        raise ValueError("cannot remove units of the output layer")
    kernel, bias = dense[index].get_weights()
    units = kernel.shape[1]
    keep_count = max(1, int(round(units * keep_ratio)))
    importance = np.abs(kernel).sum(axis=0)
    keep = np.sort(np.argsort(-importance, kind="stable")[:keep_count])
    weights = [layer.get_weights() for layer in dense]
    weights[index] = [kernel[:, keep], bias[keep]]
    next_kernel, next_bias = weights[index + 1]
    weights[index + 1] = [next_kernel[keep, :], next_bias]
    layers = [tf.keras.Input(shape=(dense[0].get_weights()[0].shape[0],))]
    for i, layer in enumerate(dense):
        layers.append(tf.keras.layers.Dense(weights[i][0].shape[1], activation=layer.activation, name=layer.name))
    pruned = tf.keras.Sequential(layers)
    for layer, w in zip([layer for layer in pruned.layers], weights, strict=True):
        layer.set_weights(w)
    return pruned
    ### END SOLUTION


# %% [q2]
def fake_quant(x, x_min: float, x_max: float, num_bits: int = 8, narrow_range: bool = False) -> tf.Tensor:
    """Simulated quantization (quantize, then dequantize) with a straight-through gradient.

    The semantics of ``tf.quantization.fake_quant_with_min_max_args``, written out (do not call it, or any
    ``fake_quant_*`` routine):

    1. ``quant_min = 1 if narrow_range else 0``, ``quant_max = 2**num_bits - 1``;
       ``scale = (x_max - x_min) / (quant_max - quant_min)``.
    2. Nudge the range so that 0.0 is exactly representable: ``zero = quant_min - x_min / scale``,
       rounded (half away from zero) and clipped to ``[quant_min, quant_max]``;
       ``nudged_min = (quant_min - zero) * scale``, ``nudged_max = (quant_max - zero) * scale``.
    3. Clip ``x`` to ``[nudged_min, nudged_max]``, then
       ``floor((clipped - nudged_min) / scale + 0.5) * scale + nudged_min``.

    The gradient is the straight-through estimator: the upstream gradient passes unchanged where
    ``nudged_min <= x <= nudged_max`` and is zero outside (``tf.custom_gradient``). Work in ``float32``.

    Args:
        x: a float tensor.
        x_min: the lower end of the range (``x_min < 0``, as for activations and weights).
        x_max: the upper end of the range (``x_max > 0``).
        num_bits: 2 to 16.
        narrow_range: use ``[1, 2**num_bits - 1]`` instead of ``[0, 2**num_bits - 1]``.

    Returns:
        A ``float32`` tensor of the shape of ``x``.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x, tf.float32)
    quant_min = 1.0 if narrow_range else 0.0
    quant_max = float(2 ** num_bits - 1)
    scale = (float(x_max) - float(x_min)) / (quant_max - quant_min)
    zero_from_min = quant_min - float(x_min) / scale
    if zero_from_min < quant_min:
        zero = quant_min
    elif zero_from_min > quant_max:
        zero = quant_max
    else:
        zero = math.floor(zero_from_min + 0.5)
    nudged_min = np.float32((quant_min - zero) * scale)
    nudged_max = np.float32((quant_max - zero) * scale)
    scale = np.float32(scale)

    @tf.custom_gradient
    def quantize(value):
        clipped = tf.clip_by_value(value, nudged_min, nudged_max)
        result = tf.floor((clipped - nudged_min) / scale + 0.5) * scale + nudged_min

        def straight_through(upstream):
            inside = tf.logical_and(value >= nudged_min, value <= nudged_max)
            return upstream * tf.cast(inside, upstream.dtype)

        return result, straight_through

    return quantize(x)
    ### END SOLUTION


def quantize_per_channel(w, num_bits: int = 8) -> tuple:
    """Symmetric per-channel quantization of a kernel, as TFLite stores int8 weights.

    One scale per output channel (the last axis of a Keras ``Dense`` or ``Conv2D`` kernel):
    ``scale = max|w| / (2**(num_bits - 1) - 1)`` over that channel (``1.0`` for a channel of zeros),
    zero point 0, ``q = round(w / scale)`` (``np.round``) clipped to
    ``[-(2**(num_bits - 1) - 1), 2**(num_bits - 1) - 1]``.

    Args:
        w: a float kernel, any rank >= 1.
        num_bits: 2 to 8.

    Returns:
        ``(q, scales)``: ``q`` an ``int8`` array of ``w``'s shape, ``scales`` a ``float32`` array with one
        entry per output channel. ``q * scales`` reconstructs ``w`` within ``scales / 2``.
    """
    ### BEGIN SOLUTION
    w = np.asarray(w, np.float32)
    levels = 2 ** (num_bits - 1) - 1
    reduce_axes = tuple(range(w.ndim - 1))
    peak = np.max(np.abs(w), axis=reduce_axes) if reduce_axes else np.abs(w)
    scales = np.where(peak > 0, peak / np.float32(levels), np.float32(1.0)).astype(np.float32)
    q = np.clip(np.round(w / scales), -levels, levels).astype(np.int8)
    return q, scales
    ### END SOLUTION


def ternarize(w, delta_factor: float = 0.7) -> tuple:
    """Ternary weights (TWN, Li et al. 2016) with a straight-through gradient.

    ``delta = delta_factor * mean(|w|)``; the weights with ``|w| > delta`` keep their sign and take the
    magnitude ``alpha = mean(|w|)`` over those weights (``0.0`` when there are none); all others become 0.
    The gradient of ``w_t`` with respect to ``w`` is the identity (straight-through), so the float
    weights keep training.

    Args:
        w: a float tensor.
        delta_factor: the threshold as a multiple of ``mean(|w|)`` (0.7 in the paper).

    Returns:
        ``(w_t, alpha)``: ``w_t`` a ``float32`` tensor with values in ``{-alpha, 0, alpha}``, ``alpha`` a
        ``float32`` scalar tensor.
    """
    ### BEGIN SOLUTION
    w = tf.convert_to_tensor(w, tf.float32)
    magnitude = tf.abs(w)
    delta = delta_factor * tf.reduce_mean(magnitude)
    mask = tf.cast(magnitude > delta, tf.float32)
    alpha = tf.math.divide_no_nan(tf.reduce_sum(magnitude * mask), tf.reduce_sum(mask))

    @tf.custom_gradient
    def straight_through(value):
        return tf.stop_gradient(alpha) * tf.sign(value) * mask, lambda upstream: upstream

    return straight_through(w), tf.stop_gradient(alpha)
    ### END SOLUTION


def quantization_aware_train(model: tf.keras.Model, x, y, epochs: int, batch_size: int = 32) -> tf.keras.Model:
    """Quantization-aware training: ``tfmot.quantization.keras.quantize_model(model)``, compile, fine-tune.

    Compile the quantization-aware model with ``compile_classifier`` (a smaller learning rate such as
    ``1e-4`` works well for fine-tuning a trained model) and ``fit`` it on ``(x, y)``.

    Returns:
        The trained quantization-aware model (its Dense layers wrapped in ``QuantizeWrapperV2``).
    """
    ### BEGIN SOLUTION
    q_model = tfmot.quantization.keras.quantize_model(model)
    compile_classifier(q_model, learning_rate=1e-4)
    q_model.fit(np.asarray(x, np.float32), np.asarray(y), epochs=epochs, batch_size=batch_size, verbose=0)
    return q_model
    ### END SOLUTION


def convert_qat(q_model: tf.keras.Model) -> bytes:
    """Convert a quantization-aware model to TFLite with ``Optimize.DEFAULT``: int8 weights from the learned ranges."""
    ### BEGIN SOLUTION
    converter = tf.lite.TFLiteConverter.from_keras_model(q_model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    return converter.convert()
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    t = tf.convert_to_tensor(temperature, tf.float32)
    teacher_logits = tf.convert_to_tensor(teacher_logits, tf.float32)
    student_logits = tf.convert_to_tensor(student_logits, tf.float32)
    p_teacher = tf.nn.softmax(teacher_logits / t, axis=-1)
    log_p_teacher = tf.nn.log_softmax(teacher_logits / t, axis=-1)
    log_p_student = tf.nn.log_softmax(student_logits / t, axis=-1)
    kl = tf.reduce_sum(p_teacher * (log_p_teacher - log_p_student), axis=-1)
    return t * t * tf.reduce_mean(kl)
    ### END SOLUTION


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
        ### BEGIN SOLUTION
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
        ### END SOLUTION

    def test_step(self, data):
        x, y, _ = tf.keras.utils.unpack_x_y_sample_weight(data)
        ### BEGIN SOLUTION
        student_logits = self.student(x, training=False)
        loss = self.student_loss_fn(y, student_logits)
        self.compiled_metrics.update_state(y, student_logits)
        return {"student_loss": loss, **{m.name: m.result() for m in self.metrics if m.name != "loss"}}
        ### END SOLUTION


def distill_on_transfer_set(teacher, student, x_transfer, epochs: int, temperature: float = 4.0,
                            batch_size: int = 32) -> tf.keras.Model:
    """Distil ``teacher`` into ``student`` on unlabelled inputs (soft targets only) with a ``Distiller``.

    Compile the ``Distiller`` with ``Adam(1e-3)`` and the given temperature, ``fit`` it on
    ``x_transfer`` alone (no labels) for ``epochs`` epochs, and return ``student`` itself (trained).
    """
    ### BEGIN SOLUTION
    distiller = Distiller(student=student, teacher=teacher)
    distiller.compile(optimizer=tf.keras.optimizers.Adam(1e-3), temperature=temperature)
    distiller.fit(np.asarray(x_transfer, np.float32), epochs=epochs, batch_size=batch_size, verbose=0)
    return student
    ### END SOLUTION


# %% [q4]
def sample_architecture(space: dict, rng: np.random.Generator) -> dict:
    """One architecture drawn uniformly: ``{key: one of space[key]}`` for every key (use ``rng.integers``)."""
    ### BEGIN SOLUTION
    return {key: values[int(rng.integers(len(values)))] for key, values in space.items()}
    ### END SOLUTION


def mutate(arch: dict, space: dict, rng: np.random.Generator) -> dict:
    """A copy of ``arch`` with exactly one key (chosen uniformly) changed to a *different* value of ``space``.

    Keys with a single option cannot change; pick among the others. ``arch`` itself is not modified.
    """
    ### BEGIN SOLUTION
    keys = [key for key, values in space.items() if len(values) > 1]
    key = keys[int(rng.integers(len(keys)))]
    options = [v for v in space[key] if v != arch[key]]
    child = dict(arch)
    child[key] = options[int(rng.integers(len(options)))]
    return child
    ### END SOLUTION


def regularized_evolution(space: dict, fitness_fn, budget: int, population_size: int = 10, sample_size: int = 3,
                          seed: int = 0):
    """Regularized (aging) evolution (Real et al., 2019) with exactly ``budget`` fitness evaluations.

    Start with ``population_size`` random architectures (``sample_architecture``). Then, until the
    budget is spent: draw ``sample_size`` members of the population at random, mutate the fittest of
    them (``mutate``), evaluate the child, append it, and remove the *oldest* member. Use
    ``np.random.default_rng(seed)`` for every random choice, so a seed gives the same search.

    Args:
        space: ``{key: list of options}``.
        fitness_fn: ``arch -> float`` (higher is better); call it exactly ``budget`` times.
        budget: the number of evaluations (at least ``population_size``).
        population_size: the number of architectures alive at a time.
        sample_size: how many members compete to be the next parent.
        seed: the seed of the one ``np.random.Generator`` of the search.

    Returns:
        ``(best_arch, history)``: the best architecture seen, and the list of ``(arch, fitness)`` in
        evaluation order (``len(history) == budget``).
    """
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    history, population = [], []
    for _ in range(min(population_size, budget)):
        arch = sample_architecture(space, rng)
        entry = (arch, float(fitness_fn(arch)))
        population.append(entry)
        history.append(entry)
    while len(history) < budget:
        picks = rng.choice(len(population), size=min(sample_size, len(population)), replace=False)
        parent = max((population[int(i)] for i in picks), key=lambda e: e[1])
        child = mutate(parent[0], space, rng)
        entry = (child, float(fitness_fn(child)))
        population.append(entry)
        history.append(entry)
        population.pop(0)
    best = max(history, key=lambda e: e[1])
    return best[0], history
    ### END SOLUTION


def build_from_arch(arch: dict, input_dim: int, num_classes: int) -> tf.keras.Sequential:
    """A Sequential classifier (logits) for ``arch = {"num_layers", "units", "activation", "dropout"}``.

    ``Input(input_dim)``, then ``num_layers`` times ``Dense(units, activation)`` each followed by
    ``Dropout(dropout)`` when ``dropout > 0``, then ``Dense(num_classes)``.
    """
    ### BEGIN SOLUTION
    layers = [tf.keras.Input(shape=(input_dim,))]
    for _ in range(int(arch["num_layers"])):
        layers.append(tf.keras.layers.Dense(int(arch["units"]), activation=arch["activation"]))
        if float(arch["dropout"]) > 0:
            layers.append(tf.keras.layers.Dropout(float(arch["dropout"])))
    layers.append(tf.keras.layers.Dense(num_classes))
    return tf.keras.Sequential(layers)
    ### END SOLUTION


def hardware_aware_fitness(arch: dict, x_train, y_train, x_val, y_val, max_params: int, epochs: int = 3) -> float:
    """Validation accuracy of ``build_from_arch(arch, ...)`` after ``epochs`` epochs, or ``-1.0`` over budget.

    Count the parameters *before* training: an architecture with more than ``max_params`` parameters
    gets ``-1.0`` without being trained. Otherwise compile with ``compile_classifier(model, 3e-3)``,
    fit with batch size 32 and return the validation accuracy (a float in ``[0, 1]``).
    """
    ### BEGIN SOLUTION
    num_classes = int(np.max(y_train)) + 1
    model = build_from_arch(arch, int(np.shape(x_train)[1]), num_classes)
    if model.count_params() > max_params:
        return -1.0
    compile_classifier(model, 3e-3)
    model.fit(np.asarray(x_train, np.float32), np.asarray(y_train), epochs=epochs, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(np.asarray(x_val, np.float32), np.asarray(y_val), verbose=0)
    return float(accuracy)
    ### END SOLUTION


# %% [q5]
def build_model(hp) -> tf.keras.Model:
    """A keras-tuner model-building function for a digits classifier (64 inputs, 10 classes, logits).

    Hyperparameters (names, ranges and order exactly as listed):

    - ``hp.Int("num_layers", 1, 3)``; for ``i`` in ``range(num_layers)``: ``hp.Int(f"units_{i}", 16, 128, step=16)``;
    - ``hp.Choice("activation", ["relu", "tanh"])`` (shared by all hidden layers);
    - ``hp.Boolean("dropout")``, and only when it is true (inside ``hp.conditional_scope("dropout", [True])``)
      ``hp.Float("dropout_rate", 0.1, 0.5, step=0.1)`` for a ``Dropout`` after every hidden layer;
    - ``hp.Float("learning_rate", 1e-4, 1e-2, sampling="log")`` for ``Adam``.

    Compile with sparse cross-entropy from logits and the ``"accuracy"`` metric.
    """
    ### BEGIN SOLUTION
    model = tf.keras.Sequential([tf.keras.Input(shape=(64,))])
    num_layers = hp.Int("num_layers", 1, 3)
    units = [hp.Int(f"units_{i}", 16, 128, step=16) for i in range(num_layers)]
    activation = hp.Choice("activation", ["relu", "tanh"])
    use_dropout = hp.Boolean("dropout")
    rate = 0.0
    if use_dropout:
        with hp.conditional_scope("dropout", [True]):
            rate = hp.Float("dropout_rate", 0.1, 0.5, step=0.1)
    for u in units:
        model.add(tf.keras.layers.Dense(u, activation=activation))
        if use_dropout:
            model.add(tf.keras.layers.Dropout(rate))
    model.add(tf.keras.layers.Dense(10))
    learning_rate = hp.Float("learning_rate", 1e-4, 1e-2, sampling="log")
    return compile_classifier(model, learning_rate)
    ### END SOLUTION


def run_tuner(x, y, x_val, y_val, directory: str, algorithm: str = "random", max_trials: int = 4, epochs: int = 3,
              seed: int = 0):
    """Search ``build_model`` with keras-tuner on ``(x, y)``, judged by ``val_accuracy`` on ``(x_val, y_val)``.

    ``algorithm`` is ``"random"`` (``kt.RandomSearch``) or ``"bayesian"`` (``kt.BayesianOptimization``),
    each with ``objective="val_accuracy"``, ``max_trials``, ``seed``, ``directory=directory``,
    ``project_name=algorithm`` and ``overwrite=True``; run ``tuner.search(..., epochs=epochs, verbose=0)``.

    Returns:
        The tuner after the search.
    """
    ### BEGIN SOLUTION
    classes = {"random": kt.RandomSearch, "bayesian": kt.BayesianOptimization}
    tuner = classes[algorithm](build_model, objective="val_accuracy", max_trials=max_trials, seed=seed,
                               directory=directory, project_name=algorithm, overwrite=True)
    tuner.search(np.asarray(x, np.float32), np.asarray(y), epochs=epochs, batch_size=32,
                 validation_data=(np.asarray(x_val, np.float32), np.asarray(y_val)), verbose=0)
    return tuner
    ### END SOLUTION


def hyperband_brackets(max_budget: int, eta: int = 3) -> list:
    """The Hyperband schedule of Li et al. (2018) for maximum budget ``R = max_budget`` and ``eta``.

    ``s_max = floor(log_eta(R))`` (computed with integers, so ``R = 81, eta = 3`` gives 4). For
    ``s = s_max, ..., 0``: ``n = ceil((s_max + 1) / (s + 1) * eta**s)`` configurations at budget
    ``r = R * eta**-s``; rung ``i = 0..s`` keeps ``floor(n * eta**-i)`` configurations at budget
    ``r * eta**i``.

    Returns:
        One list per bracket (``s`` from ``s_max`` down to 0) of ``(n_i, r_i)`` pairs, ``n_i`` an
        ``int`` and ``r_i`` a ``float``.
    """
    ### BEGIN SOLUTION
    s_max = 0
    while eta ** (s_max + 1) <= max_budget:
        s_max += 1
    brackets = []
    for s in range(s_max, -1, -1):
        n = math.ceil((s_max + 1) / (s + 1) * eta ** s)
        r = max_budget * eta ** (-s)
        brackets.append([(int(n * eta ** (-i) + 1e-9), float(r * eta ** i)) for i in range(s + 1)])
    return brackets
    ### END SOLUTION


def successive_halving(configs: list, evaluate, min_budget: float, eta: int = 3):
    """Successive halving (Jamieson and Talwalkar, 2016) over a list of configurations.

    Evaluate every config at ``min_budget``, keep the best ``ceil(n / eta)``, multiply the budget by
    ``eta``, and repeat until one config is left (that last one is evaluated too).

    ``evaluate(config, budget) -> float`` (higher is better). Ties keep the config that comes first in
    the current order (a stable sort). Survivors keep their order of rank.

    Returns:
        ``(best_config, total_budget)``: the last survivor and the sum of the budgets of all evaluations.
    """
    ### BEGIN SOLUTION
    survivors = list(configs)
    budget, total = float(min_budget), 0.0
    while True:
        scores = [float(evaluate(c, budget)) for c in survivors]
        total += budget * len(survivors)
        if len(survivors) == 1:
            return survivors[0], total
        order = sorted(range(len(survivors)), key=lambda i: -scores[i])
        survivors = [survivors[i] for i in order[:math.ceil(len(survivors) / eta)]]
        budget *= eta
    ### END SOLUTION


# %% [q6]
def pareto_front(points, maximize=(True, False)) -> list:
    """Indices of the Pareto-optimal points, in increasing order.

    ``points`` is a list of tuples of objectives; ``maximize[k]`` says whether objective ``k`` is to be
    maximized (accuracy) or minimized (latency, size). A point is dominated when another point is at
    least as good in every objective and strictly better in one. Duplicates do not dominate each
    other: both stay.
    """
    ### BEGIN SOLUTION
    sign = np.where(np.asarray(maximize, bool), 1.0, -1.0)
    p = np.asarray(points, np.float64).reshape(len(points), -1) * sign
    front = []
    for i in range(len(p)):
        dominated = np.any(np.all(p >= p[i], axis=1) & np.any(p > p[i], axis=1))
        if not dominated:
            front.append(i)
    return front
    ### END SOLUTION


def run_local_automl(x, y, time_budget_s: float = 10.0, seed: int = 0) -> dict:
    """A small local AutoML search for tabular classification, under a wall-clock budget.

    Hold out a validation split of ``x`` (stratified, 25%, from ``seed``). Candidates combine a
    preprocessing choice (``None`` or a ``tf.keras.layers.Normalization`` adapted on the training part)
    with a model family (a linear model, or an MLP with one or two hidden layers of 16-64 units) and a
    learning rate. Train each candidate with ``model.fit`` and score it, one after another; always finish
    3, and before starting each further candidate check the elapsed time and stop once it exceeds
    ``time_budget_s`` (so a budget that is already spent gives exactly 3 candidates). Every exported model takes *raw*
    features: the preprocessing layer is inside it.

    Returns:
        A dict with ``"leaderboard"`` (a list of dicts with at least ``"name"`` (str), ``"val_accuracy"``
        and ``"params"``, sorted by ``val_accuracy``, best first), ``"pareto"`` (the indices into the
        leaderboard of the candidates on the accuracy/params Pareto front, from ``pareto_front``) and
        ``"model"`` (the best candidate's Keras model, with its preprocessing, outputting logits).
    """
    ### BEGIN SOLUTION
    start = time.perf_counter()
    x = np.asarray(x, np.float32)
    y = np.asarray(y).astype(np.int64)
    rng = np.random.default_rng(seed)
    train_idx, val_idx = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        cut = max(1, int(round(0.25 * len(idx))))
        val_idx.extend(idx[:cut])
        train_idx.extend(idx[cut:])
    x_tr, y_tr, x_va, y_va = x[train_idx], y[train_idx], x[val_idx], y[val_idx]
    num_classes = int(y.max()) + 1
    candidates = []
    for norm in (True, False):
        for hidden in ((), (32,), (64, 32), (16,)):
            for lr in (1e-2, 3e-3):
                candidates.append({"normalize": norm, "hidden": hidden, "lr": lr})
    order = rng.permutation(len(candidates))
    candidates = [candidates[i] for i in order]
    candidates.sort(key=lambda c: not c["normalize"])  # promising preprocessing first, order otherwise random

    def build(c):
        tf.keras.utils.set_random_seed(seed)
        inputs = tf.keras.Input(shape=(x.shape[1],))
        h = inputs
        if c["normalize"]:
            norm = tf.keras.layers.Normalization()
            norm.adapt(x_tr)
            h = norm(h)
        for u in c["hidden"]:
            h = tf.keras.layers.Dense(u, activation="relu")(h)
        model = tf.keras.Model(inputs, tf.keras.layers.Dense(num_classes)(h))
        return compile_classifier(model, c["lr"])

    board = []
    for c in candidates:
        if len(board) >= 3 and time.perf_counter() - start > time_budget_s:
            break
        model = build(c)
        model.fit(x_tr, y_tr, epochs=40, batch_size=16, verbose=0)
        _, acc = model.evaluate(x_va, y_va, verbose=0)
        name = f"{'norm' if c['normalize'] else 'raw'}-{'x'.join(map(str, c['hidden'])) or 'linear'}-lr{c['lr']:g}"
        board.append({"name": name, "val_accuracy": float(acc), "params": int(model.count_params()),
                      "model": model})
    board.sort(key=lambda e: (-e["val_accuracy"], e["params"]))
    best = board[0]["model"]
    leaderboard = [{k: v for k, v in e.items() if k != "model"} for e in board]
    pareto = pareto_front([(e["val_accuracy"], e["params"]) for e in leaderboard], maximize=(True, False))
    return {"leaderboard": leaderboard, "pareto": pareto, "model": best}
    ### END SOLUTION
