# expect: {"q3": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# count_macs counts a Dense layer once, also when it is applied at every position of a feature map.
# %% [q3]
def ptq_int8(model: tf.keras.Model, representative_data) -> bytes:
    """Full-integer post-training quantization: int8 weights and activations, int8 input and output.

    Calibrate on the rows of ``representative_data`` (one row per step, shape ``(1, features)``,
    float32), restrict to ``TFLITE_BUILTINS_INT8`` so a float op fails the conversion.
    """
    data = np.asarray(representative_data, np.float32)

    def calibration():
        for row in data:
            yield [row[None]]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = calibration
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return bytes(converter.convert())


def prune_model(model: tf.keras.Model, x, y, target_sparsity: float = 0.8, epochs: int = 4) -> tf.keras.Model:
    """Magnitude pruning with TensorFlow Model Optimization (``tensorflow_model_optimization`` 0.8.1).

    Wrap ``model`` with ``tfmot.sparsity.keras.prune_low_magnitude`` and a ``ConstantSparsity(target_sparsity,
    begin_step=0, frequency=1)`` schedule, fine-tune ``epochs`` epochs (Adam 1e-3, batch 32, sparse
    categorical cross-entropy on logits) with the ``UpdatePruningStep`` callback, and return
    ``strip_pruning`` of the result: a plain Keras model whose kernels are ``target_sparsity`` zeros.
    """
    import tensorflow_model_optimization as tfmot

    schedule = tfmot.sparsity.keras.ConstantSparsity(target_sparsity, begin_step=0, frequency=1)
    pruned = tfmot.sparsity.keras.prune_low_magnitude(model, pruning_schedule=schedule)
    pruned.compile(optimizer=tf.keras.optimizers.Adam(1e-3),
                   loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    pruned.fit(np.asarray(x, np.float32), np.asarray(y), epochs=epochs, batch_size=32, verbose=0,
               callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
    return tfmot.sparsity.keras.strip_pruning(pruned)


def distillation_loss(y_true, student_logits, teacher_logits, temperature: float = 4.0, alpha: float = 0.5):
    """Knowledge-distillation loss (Hinton et al.), a scalar ``tf.Tensor``, mean over the batch.

    ``alpha * CE(y_true, softmax(s)) + (1 - alpha) * T**2 * KL(softmax(t / T) || softmax(s / T))``

    with ``y_true`` integer labels, ``s``/``t`` student/teacher logits and natural logarithms. The ``T**2``
    factor keeps the soft term's gradients on the scale of the hard term's.
    """
    s = tf.convert_to_tensor(student_logits, tf.float32)
    t = tf.convert_to_tensor(teacher_logits, tf.float32)
    hard = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(tf.cast(y_true, tf.int32), s))
    p_t = tf.nn.softmax(t / temperature)
    kl = tf.reduce_sum(p_t * (tf.nn.log_softmax(t / temperature) - tf.nn.log_softmax(s / temperature)), axis=-1)
    return alpha * hard + (1.0 - alpha) * temperature ** 2 * tf.reduce_mean(kl)


def distill(teacher: tf.keras.Model, student: tf.keras.Model, x, y, temperature: float = 4.0,
            alpha: float = 0.5, epochs: int = 30, batch_size: int = 64) -> tf.keras.Model:
    """Train ``student`` (logits out) on ``distillation_loss`` against ``teacher``'s logits; return it.

    Adam with learning rate 1e-2, mini-batches of ``batch_size`` in the given order, ``epochs`` passes,
    the teacher frozen (its logits computed with ``training=False``).
    """
    x = np.asarray(x, np.float32)
    y = np.asarray(y)
    teacher_logits = teacher(x, training=False).numpy()
    optimizer = tf.keras.optimizers.Adam(1e-2)
    for _ in range(epochs):
        for start in range(0, len(x), batch_size):
            batch = slice(start, start + batch_size)
            xb, yb, tb = x[batch], y[batch], teacher_logits[batch]
            with tf.GradientTape() as tape:
                loss = distillation_loss(yb, student(xb, training=True), tb, temperature, alpha)
            grads = tape.gradient(loss, student.trainable_variables)
            optimizer.apply_gradients(zip(grads, student.trainable_variables, strict=True))
    return student


def count_macs(model: tf.keras.Model) -> dict:
    """Multiply-accumulates of one inference (batch 1), per layer, from the layer's configuration.

    ``Conv2D``: ``H_out * W_out * k_h * k_w * C_in * C_out / groups``; ``DepthwiseConv2D``:
    ``H_out * W_out * k_h * k_w * C_in * depth_multiplier``; ``Dense``: ``units * inputs`` (times the
    positions when applied to a sequence/feature map); other layers count 0. Biases and activations are
    not MACs.

    Returns ``{"layers": {layer_name: macs}, "total": int, "params": int}`` (``params``:
    ``model.count_params()``).
    """
    layers = {}
    for layer in model.layers:
        out_shape = layer.output.shape
        in_shape = layer.input.shape
        if isinstance(layer, tf.keras.layers.DepthwiseConv2D):
            kh, kw = layer.kernel_size
            macs = out_shape[1] * out_shape[2] * kh * kw * in_shape[-1] * layer.depth_multiplier
        elif isinstance(layer, tf.keras.layers.Conv2D):
            kh, kw = layer.kernel_size
            macs = out_shape[1] * out_shape[2] * kh * kw * in_shape[-1] * layer.filters // layer.groups
        elif isinstance(layer, tf.keras.layers.Dense):
            positions = 1
            macs = positions * in_shape[-1] * layer.units
        else:
            macs = 0
        layers[layer.name] = int(macs)
    return {"layers": layers, "total": int(sum(layers.values())), "params": int(model.count_params())}
