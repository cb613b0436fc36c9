# expect: {"q2": "below_full"}
# ruff: noqa: F821, F841  (a fragment: tf, np, ... come from the reference setup cell)
# Quantizes on the raw [x_min, x_max] grid: 0.0 is not representable, and every value is off by the
# zero point's rounding (TensorFlow nudges the range first).
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
    nudged_min = np.float32(x_min)
    nudged_max = np.float32(x_max)
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
    w = np.asarray(w, np.float32)
    levels = 2 ** (num_bits - 1) - 1
    reduce_axes = tuple(range(w.ndim - 1))
    peak = np.max(np.abs(w), axis=reduce_axes) if reduce_axes else np.abs(w)
    scales = np.where(peak > 0, peak / np.float32(levels), np.float32(1.0)).astype(np.float32)
    q = np.clip(np.round(w / scales), -levels, levels).astype(np.int8)
    return q, scales


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
    w = tf.convert_to_tensor(w, tf.float32)
    magnitude = tf.abs(w)
    delta = delta_factor * tf.reduce_mean(magnitude)
    mask = tf.cast(magnitude > delta, tf.float32)
    alpha = tf.math.divide_no_nan(tf.reduce_sum(magnitude * mask), tf.reduce_sum(mask))

    @tf.custom_gradient
    def straight_through(value):
        return tf.stop_gradient(alpha) * tf.sign(value) * mask, lambda upstream: upstream

    return straight_through(w), tf.stop_gradient(alpha)


def quantization_aware_train(model: tf.keras.Model, x, y, epochs: int, batch_size: int = 32) -> tf.keras.Model:
    """Quantization-aware training: ``tfmot.quantization.keras.quantize_model(model)``, compile, fine-tune.

    Compile the quantization-aware model with ``compile_classifier`` (a smaller learning rate such as
    ``1e-4`` works well for fine-tuning a trained model) and ``fit`` it on ``(x, y)``.

    Returns:
        The trained quantization-aware model (its Dense layers wrapped in ``QuantizeWrapperV2``).
    """
    q_model = tfmot.quantization.keras.quantize_model(model)
    compile_classifier(q_model, learning_rate=1e-4)
    q_model.fit(np.asarray(x, np.float32), np.asarray(y), epochs=epochs, batch_size=batch_size, verbose=0)
    return q_model


def convert_qat(q_model: tf.keras.Model) -> bytes:
    """Convert a quantization-aware model to TFLite with ``Optimize.DEFAULT``: int8 weights from the learned ranges."""
    converter = tf.lite.TFLiteConverter.from_keras_model(q_model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    return converter.convert()
