# expect: {"q2": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, tfmot, kt, math, time, mlp, compile_classifier come from the setup cell)
# Full-integer conversion without inference_input_type/inference_output_type: the kernels are int8
# but the model still takes and returns float32, so it cannot run on an int8-only accelerator.
# %% [q2]
def convert_float(model: tf.keras.Model) -> bytes:
    """Plain float32 TFLite conversion (no optimization): the size baseline."""
    return tf.lite.TFLiteConverter.from_keras_model(model).convert()


def convert_dynamic_range(model: tf.keras.Model) -> bytes:
    """Post-training dynamic-range quantization: ``optimizations = [tf.lite.Optimize.DEFAULT]`` and nothing else.

    Weights are stored as int8 (tensors of 1024 or more elements), activations stay float, and the
    model's input and output stay ``float32``.
    """
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    return converter.convert()


def convert_float16(model: tf.keras.Model) -> bytes:
    """Post-training float16 quantization: ``Optimize.DEFAULT`` and ``target_spec.supported_types = [tf.float16]``.

    Weights are stored as float16 (about half the float size); input and output stay ``float32``.
    """
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]
    return converter.convert()


def convert_full_int8(model: tf.keras.Model, representative_x) -> bytes:
    """Post-training full-integer quantization with a representative dataset and int8 input and output.

    A *fresh* converter with ``Optimize.DEFAULT``, a ``representative_dataset`` generator that yields
    ``[x[i:i+1]]`` (``float32``, batch of one) for the rows of ``representative_x``,
    ``target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]`` and
    ``inference_input_type = inference_output_type = tf.int8``.
    """
    data = np.asarray(representative_x, np.float32)

    def representative_dataset():
        for i in range(len(data)):
            yield [data[i:i + 1]]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative_dataset
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    return converter.convert()


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
