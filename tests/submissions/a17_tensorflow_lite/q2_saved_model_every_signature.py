# expect: {"q2": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# convert_saved_model converts every signature of the SavedModel (no signature_keys).
# %% [q2]
def convert_keras(model: tf.keras.Model) -> bytes:
    """Float32 conversion of a Keras model with ``TFLiteConverter.from_keras_model``."""
    return bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())


def convert_saved_model(saved_model_dir: str, signature_key: str = "serving_default") -> bytes:
    """Float32 conversion of one signature of a SavedModel (``from_saved_model(..., signature_keys=[...])``).

    The converted model keeps the signature under the same key, with the SavedModel's input and
    output names, so ``Interpreter.get_signature_runner(signature_key)`` works on it.
    """
    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir)
    return bytes(converter.convert())


def convert_concrete_function(fn, trackable=None) -> bytes:
    """Float32 conversion of a ``tf.function`` that has an ``input_signature``.

    Get its concrete function and convert with
    ``TFLiteConverter.from_concrete_functions([concrete], trackable)``; pass the object that owns
    the function's variables as ``trackable`` (``fn`` itself when it owns none): converting without
    it is deprecated.
    """
    concrete = fn.get_concrete_function()
    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete], trackable if trackable is not None else fn)
    return bytes(converter.convert())


def convert_with_select_ops(fn, trackable=None) -> tuple:
    """Convert with builtin ops only, and fall back to TF Select (Flex) ops only where needed.

    First try ``supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]``; if that raises a
    ``ConverterError`` (an op such as ``MatrixDeterminant`` has no builtin kernel), convert
    again with ``[TFLITE_BUILTINS, SELECT_TF_OPS]``. Flex ops need the TF runtime (or the Flex
    delegate) on the device and make the binary bigger, so never enable them when builtins suffice.

    ``tf.lite`` does not export the exception class in TF 2.18: import it with
    ``from tensorflow.lite.python.convert_phase import ConverterError``.

    Returns:
        ``(tflite_bytes, used_select_ops)``.
    """
    from tensorflow.lite.python.convert_phase import ConverterError

    concrete = fn.get_concrete_function()
    owner = trackable if trackable is not None else fn

    def convert(ops):
        converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete], owner)
        converter.target_spec.supported_ops = ops
        return bytes(converter.convert())

    try:
        return convert([tf.lite.OpsSet.TFLITE_BUILTINS]), False
    except ConverterError:
        return convert([tf.lite.OpsSet.TFLITE_BUILTINS, tf.lite.OpsSet.SELECT_TF_OPS]), True


def tflite_predict(tflite_bytes: bytes, x: np.ndarray) -> np.ndarray:
    """Run a single-input, single-output float model on a whole batch with the LiteRT interpreter.

    Use ``ai_edge_litert.interpreter.Interpreter``, resize the input to ``x.shape``
    (``resize_tensor_input`` then ``allocate_tensors``), set it, ``invoke`` and return a copy of the
    output.
    """
    x = np.asarray(x, np.float32)
    interpreter = Interpreter(model_content=bytes(tflite_bytes))
    detail = interpreter.get_input_details()[0]
    interpreter.resize_tensor_input(detail["index"], list(x.shape))
    interpreter.allocate_tensors()
    interpreter.set_tensor(detail["index"], x)
    interpreter.invoke()
    return np.array(interpreter.get_tensor(interpreter.get_output_details()[0]["index"]))
