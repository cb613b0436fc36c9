# expect: {"q1": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# deployment_report counts a model of exactly max_model_bytes as over the budget.
# %% [q1]
def build_mobile_cnn(input_shape=(8, 8, 1), num_classes: int = 10, separable: bool = True,
                     width: float = 1.0) -> tf.keras.Model:
    """A small MobileNet-style classifier: a standard stem, then two stride-2 blocks, then a linear head.

    Channels ``c1, c2, c3 = (max(8, int(k * width)) for k in (16, 32, 64))`` (the width multiplier).

    - Stem: ``Conv2D(c1, 3, padding="same", use_bias=False)``, ``BatchNormalization()``, ``ReLU(6.0)``.
    - Two blocks with ``c2`` then ``c3`` output channels, each halving the resolution. With ``separable``:
      ``DepthwiseConv2D(3, strides=2, padding="same", use_bias=False)``, ``BatchNormalization()``,
      ``ReLU(6.0)``, then the pointwise ``Conv2D(c, 1, use_bias=False)``, ``BatchNormalization()``,
      ``ReLU(6.0)``. Without: ``Conv2D(c, 3, strides=2, padding="same", use_bias=False)``,
      ``BatchNormalization()``, ``ReLU(6.0)``.
    - ``GlobalAveragePooling2D()`` and ``Dense(num_classes)`` (logits).

    The depthwise-separable block costs ``9 * c_in + c_in * c_out`` weights where the standard one costs
    ``9 * c_in * c_out``. The layers are built in this order (so ``get_weights`` lists them in this order).
    """
    c1, c2, c3 = (max(8, int(k * width)) for k in (16, 32, 64))
    layers = [tf.keras.Input(shape=tuple(input_shape)),
              tf.keras.layers.Conv2D(c1, 3, padding="same", use_bias=False),
              tf.keras.layers.BatchNormalization(), tf.keras.layers.ReLU(6.0)]
    for channels in (c2, c3):
        if separable:
            layers += [tf.keras.layers.DepthwiseConv2D(3, strides=2, padding="same", use_bias=False),
                       tf.keras.layers.BatchNormalization(), tf.keras.layers.ReLU(6.0),
                       tf.keras.layers.Conv2D(channels, 1, use_bias=False)]
        else:
            layers.append(tf.keras.layers.Conv2D(channels, 3, strides=2, padding="same", use_bias=False))
        layers += [tf.keras.layers.BatchNormalization(), tf.keras.layers.ReLU(6.0)]
    layers += [tf.keras.layers.GlobalAveragePooling2D(), tf.keras.layers.Dense(num_classes)]
    return tf.keras.Sequential(layers)


def optimize_for_mobile(model: tf.keras.Model, mode: str, representative_data=None) -> bytes:
    """Convert a Keras model to a TFLite flatbuffer with one of four mobile recipes.

    - ``"float"``: plain float32 conversion, no optimization.
    - ``"latency"``: dynamic-range quantization (``optimizations = [tf.lite.Optimize.DEFAULT]``):
      int8 weights, float32 activations and I/O. (``Optimize.OPTIMIZE_FOR_LATENCY`` is a deprecated
      alias of ``DEFAULT``.)
    - ``"balanced"``: float16 weights (``Optimize.DEFAULT`` + ``supported_types = [tf.float16]``).
    - ``"size"``: full integer quantization calibrated on ``representative_data`` (one row at a
      time, shape ``(1, ...)``, float32), builtins restricted to ``TFLITE_BUILTINS_INT8``, with
      ``int8`` input and output.

    Args:
        model: a built Keras model.
        mode: one of ``"float"``, ``"latency"``, ``"balanced"``, ``"size"``.
        representative_data: a NumPy array of calibration inputs (required for ``"size"``).

    Returns:
        The ``.tflite`` model as ``bytes``.

    Raises:
        ValueError: for an unknown mode, or ``"size"`` without ``representative_data``.
    """
    if mode not in ("float", "latency", "balanced", "size"):
        raise ValueError(f"unknown mode {mode!r}")
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if mode != "float":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "balanced":
        converter.target_spec.supported_types = [tf.float16]
    if mode == "size":
        if representative_data is None:
            raise ValueError("the 'size' recipe needs representative_data to calibrate activations")
        data = np.asarray(representative_data, np.float32)

        def calibration():
            for row in data[:200]:
                yield [row[None]]

        converter.representative_dataset = calibration
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    return bytes(converter.convert())


def deployment_report(tflite_bytes: bytes, max_model_bytes: int = 50 * 2**20) -> dict:
    """Size and operator report of a ``.tflite`` model, for a mobile app's budget.

    Keys:

    - ``"size_bytes"``: ``len(tflite_bytes)``;
    - ``"gzip_bytes"``: ``len(gzip.compress(tflite_bytes, compresslevel=9, mtime=0))`` (what an app
      download costs);
    - ``"ops"``: ``{op_name: count}`` over the model's operators, from ``_get_ops_details()`` of an
      ``ai_edge_litert`` ``Interpreter`` built with
      ``experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES`` (so no
      ``"DELEGATE"`` node from XNNPACK is counted);
    - ``"input_dtype"``, ``"output_dtype"``: the NumPy dtype names of the first input and output
      (``"float32"``, ``"int8"``, ...);
    - ``"within_budget"``: ``size_bytes <= max_model_bytes``.
    """
    interpreter = Interpreter(model_content=bytes(tflite_bytes),
                              experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    ops = {}
    for op in interpreter._get_ops_details():
        ops[op["op_name"]] = ops.get(op["op_name"], 0) + 1
    size = len(tflite_bytes)
    return {
        "size_bytes": size,
        "gzip_bytes": len(gzip.compress(bytes(tflite_bytes), compresslevel=9, mtime=0)),
        "ops": ops,
        "input_dtype": np.dtype(interpreter.get_input_details()[0]["dtype"]).name,
        "output_dtype": np.dtype(interpreter.get_output_details()[0]["dtype"]).name,
        "within_budget": size < max_model_bytes,
    }
