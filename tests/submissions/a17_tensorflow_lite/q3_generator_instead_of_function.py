# expect: {"q3": "below_full"}
# ruff: noqa: F821, F401, F841  (a fragment: tf, np, Interpreter, ... come from the reference setup cell)
# representative_dataset returns a generator object instead of a generator function: a second pass
# yields nothing, and the converter (which calls it) fails.
# %% [q3]
def representative_dataset(x: np.ndarray, num_samples: int = 100):
    """A calibration generator function for ``converter.representative_dataset``.

    Returns a function that, each time it is called, yields ``[x[i:i + 1].astype(np.float32)]`` for
    ``i = 0 .. min(num_samples, len(x)) - 1``: a list with one float32 array of shape ``(1, ...)``
    per step (inputs only, never labels).
    """
    data = np.asarray(x)

    def generator():
        for i in range(min(int(num_samples), len(data))):
            yield [data[i:i + 1].astype(np.float32)]

    return generator()


def quantize_model(model: tf.keras.Model, mode: str, calibration_data=None) -> bytes:
    """Post-training quantization for mobile.

    - ``"dynamic"``: dynamic range (``Optimize.DEFAULT`` only): int8 weights of tensors with at least
      1024 elements, float32 activations and I/O.
    - ``"float16"``: ``Optimize.DEFAULT`` + ``target_spec.supported_types = [tf.float16]``.
    - ``"int8"``: full integer: ``Optimize.DEFAULT``, ``representative_dataset(calibration_data)``,
      ``supported_ops = [TFLITE_BUILTINS_INT8]``, ``inference_input_type = inference_output_type =
      tf.int8``.

    Raises:
        ValueError: for an unknown mode or ``"int8"`` without calibration data.
    """
    if mode not in ("dynamic", "float16", "int8"):
        raise ValueError(f"unknown mode {mode!r}")
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "float16":
        converter.target_spec.supported_types = [tf.float16]
    elif mode == "int8":
        if calibration_data is None:
            raise ValueError("full integer quantization needs calibration data")
        converter.representative_dataset = lambda: representative_dataset(calibration_data, 100)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    return bytes(converter.convert())


def quantize_input(x: np.ndarray, detail: dict) -> np.ndarray:
    """Quantize real values for an integer input tensor.

    ``detail`` is an interpreter input detail (or any dict with ``"dtype"``, a NumPy dtype or its
    name, and ``"quantization"``, ``(scale, zero_point)``). Returns
    ``clip(round(x / scale) + zero_point, dtype min, dtype max)`` in that dtype (``np.round``: half
    to even). A float dtype (scale 0) returns ``x`` as float32 unchanged.
    """
    dtype = np.dtype(detail["dtype"])
    scale, zero_point = detail["quantization"]
    if dtype.kind == "f" or scale == 0:
        return np.asarray(x, np.float32)
    info = np.iinfo(dtype)
    q = np.round(np.asarray(x, np.float64) / scale) + zero_point
    return np.clip(q, info.min, info.max).astype(dtype)


def dequantize_output(q: np.ndarray, detail: dict) -> np.ndarray:
    """``(q - zero_point) * scale`` as float32 for an integer output; a float output unchanged (float32)."""
    dtype = np.dtype(detail["dtype"])
    scale, zero_point = detail["quantization"]
    if dtype.kind == "f" or scale == 0:
        return np.asarray(q, np.float32)
    return ((np.asarray(q, np.float64) - zero_point) * scale).astype(np.float32)


def predict_quantized(tflite_bytes: bytes, x: np.ndarray) -> np.ndarray:
    """Float32 predictions of a (possibly integer-I/O) model on a batch: quantize, invoke, dequantize."""
    interpreter = Interpreter(model_content=bytes(tflite_bytes))
    inp = interpreter.get_input_details()[0]
    interpreter.resize_tensor_input(inp["index"], list(np.shape(x)))
    interpreter.allocate_tensors()
    interpreter.set_tensor(inp["index"], quantize_input(x, inp))
    interpreter.invoke()
    out = interpreter.get_output_details()[0]
    return dequantize_output(interpreter.get_tensor(out["index"]), out)
