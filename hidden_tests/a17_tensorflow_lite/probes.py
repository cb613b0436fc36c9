"""Worker-side probes for A17, TensorFlow Lite.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's
notebook or of the reference module. Probes run inside the sandboxed worker: every ``.tflite`` and
SavedModel a submission writes is opened here, never in the judge. They build the Keras models from
weights the judge sent, hand them (or flatbuffers converted here) to the namespace's functions, and
inspect the results with their own interpreter, returning plain data only: sizes, dtype names, op
counts, quantization parameters and output arrays. They hold no expected answers; the judge compares.
"""

import hashlib
import json
import os
import sys
import tempfile

import numpy as np
import tensorflow as tf
from ai_edge_litert import interpreter as litert

_HOME = os.path.expanduser("~")


def _folder():
    return tempfile.mkdtemp(dir=_HOME)


def mlp(weights) -> tf.keras.Model:
    """The judge's MLP as a Keras model: ReLU hidden layers, softmax output."""
    weights = [np.asarray(w, np.float32) for w in weights]
    layers = [tf.keras.Input(shape=(weights[0].shape[0],))]
    for k in range(0, len(weights), 2):
        last = k == len(weights) - 2
        layers.append(tf.keras.layers.Dense(weights[k].shape[1], activation="softmax" if last else "relu"))
    model = tf.keras.Sequential(layers)
    model.set_weights(weights)
    return model


def cnn(weights) -> tf.keras.Model:
    """A small image CNN (Conv 16 - Conv 32 stride 2 - Conv 32 - global average pool - Dense) with the given weights."""
    w = [np.asarray(a, np.float32) for a in weights]
    model = tf.keras.Sequential([
        tf.keras.Input(shape=(32, 32, 3)),
        tf.keras.layers.Conv2D(w[0].shape[-1], 3, padding="same", activation="relu"),
        tf.keras.layers.Conv2D(w[2].shape[-1], 3, strides=2, padding="same", activation="relu"),
        tf.keras.layers.Conv2D(w[4].shape[-1], 3, padding="same", activation="relu"),
        tf.keras.layers.GlobalAveragePooling2D(),
        tf.keras.layers.Dense(w[6].shape[-1]),
    ])
    model.set_weights(w)
    return model


def _convert(model, int8_calibration=None) -> bytes:
    """The probe's own conversion (float, or full int8 with int8 I/O), for questions about what comes after it."""
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if int8_calibration is not None:
        data = np.asarray(int8_calibration, np.float32)

        def calibration():
            for row in data:
                yield [row[None]]

        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = calibration
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    return bytes(converter.convert())


def _check_bytes(value, what):
    if isinstance(value, (bytearray, memoryview)):
        value = bytes(value)
    if not isinstance(value, bytes):
        raise TypeError(f"{what} should return the .tflite model as bytes, got {type(value).__name__}")
    return value


def _interpreter(model_bytes, resolver=litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES):
    interpreter = litert.Interpreter(model_content=model_bytes, experimental_op_resolver_type=resolver)
    interpreter.allocate_tensors()
    return interpreter


def facts(model_bytes) -> dict:
    """What the probe's own interpreter sees in a flatbuffer: size, op counts, I/O dtypes and quantization."""
    interpreter = _interpreter(model_bytes)
    ops = {}
    for op in interpreter._get_ops_details():
        ops[op["op_name"]] = ops.get(op["op_name"], 0) + 1
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    tensor_dtypes = sorted({np.dtype(t["dtype"]).name for t in interpreter.get_tensor_details()})
    return {"size_bytes": len(model_bytes), "ops": ops, "tensor_dtypes": tensor_dtypes,
            "input_dtype": np.dtype(inp["dtype"]).name, "output_dtype": np.dtype(out["dtype"]).name,
            "input_quantization": [float(inp["quantization"][0]), int(inp["quantization"][1])],
            "output_quantization": [float(out["quantization"][0]), int(out["quantization"][1])]}


def run(model_bytes, x) -> np.ndarray:
    """Float outputs of a single-input model on a batch, quantizing integer I/O with the probe's own formula."""
    interpreter = litert.Interpreter(model_content=model_bytes)
    inp = interpreter.get_input_details()[0]
    x = np.asarray(x, np.float32)
    interpreter.resize_tensor_input(inp["index"], list(x.shape))
    interpreter.allocate_tensors()
    scale, zero_point = inp["quantization"]
    if np.dtype(inp["dtype"]).kind in "iu":
        info = np.iinfo(inp["dtype"])
        x = np.clip(np.round(x / scale) + zero_point, info.min, info.max)
    interpreter.set_tensor(inp["index"], x.astype(inp["dtype"]))
    interpreter.invoke()
    out = interpreter.get_output_details()[0]
    y = interpreter.get_tensor(out["index"])
    scale, zero_point = out["quantization"]
    if np.dtype(out["dtype"]).kind in "iu":
        y = (y.astype(np.float64) - zero_point) * scale
    return np.asarray(y, np.float32)


def fc_weight_scales(model_bytes) -> list:
    """Per-channel scales of the int8 FULLY_CONNECTED weight tensors, in op order."""
    interpreter = _interpreter(model_bytes)
    details = {t["index"]: t for t in interpreter.get_tensor_details()}
    scales = []
    for op in interpreter._get_ops_details():
        if op["op_name"] == "FULLY_CONNECTED":
            weight = details[int(op["inputs"][1])]
            params = weight["quantization_parameters"]
            scales.append({"dtype": np.dtype(weight["dtype"]).name, "scales": np.asarray(params["scales"], np.float64),
                           "zero_points": np.asarray(params["zero_points"], np.int64)})
    return scales


# --------------------------------------------------------------------------------------------
# Q1


def mobile_cnn(ns, weights, input_shape, num_classes, separable, width, x):
    """``build_mobile_cnn`` with the judge's weights: its float flatbuffer (for the inspector) and Keras logits."""
    model = ns["build_mobile_cnn"](tuple(int(d) for d in input_shape), int(num_classes), bool(separable), float(width))
    weights = [np.asarray(w, np.float32) for w in weights]
    held = [tuple(w.shape) for w in model.get_weights()]
    if held != [w.shape for w in weights]:
        raise ValueError(f"build_mobile_cnn(..., separable={bool(separable)}, width={width}) holds weights of shapes "
                         f"{held}; the architecture in the docstring holds {[w.shape for w in weights]}")
    model.set_weights(weights)
    logits = model(tf.constant(x, tf.float32), training=False)
    return {"model": _as_array(_convert(model)), "logits": np.asarray(logits)}


def mobile_variants(ns, weights, calibration, x_test):
    """Each recipe of ``optimize_for_mobile`` on the MLP: the flatbuffer (for the inspector), the student's report."""
    model = mlp(weights)
    result = {}
    for mode in ("float", "latency", "balanced", "size"):
        data = np.asarray(calibration, np.float32) if mode == "size" else None
        model_bytes = _check_bytes(ns["optimize_for_mobile"](model, mode, data), "optimize_for_mobile")
        report = ns["deployment_report"](model_bytes)
        if isinstance(report, dict) and isinstance(report.get("ops"), dict):
            report = {**report, "ops": {str(k): v for k, v in report["ops"].items()}}
        result[mode] = {"model": _as_array(model_bytes), "report": report,
                        "report_small_budget": ns["deployment_report"](model_bytes, len(model_bytes) - 1),
                        "report_exact_budget": ns["deployment_report"](model_bytes, len(model_bytes))}
    return result


def _as_array(model_bytes):
    """The flatbuffer as it travels to the inspector: uint8 bytes the judge carries and never opens."""
    return np.frombuffer(model_bytes, dtype=np.uint8).copy()


def inspect_tflite(ns, model, x, weight_scales=False):
    """Facts and float outputs of a flatbuffer, read in the inspector (where no student code runs)."""
    model_bytes = np.asarray(model, np.uint8).tobytes()
    entry = {"facts": facts(model_bytes), "out": run(model_bytes, x)}
    if weight_scales:
        entry["fc_scales"] = fc_weight_scales(model_bytes)
    return entry


def float_model_size(ns, weights):
    """Bytes of the plain float conversion of the judge's MLP (run in the inspector)."""
    return len(_convert(mlp(weights)))


def size_mode_without_data(ns, weights):
    """``optimize_for_mobile(model, "size")`` with no representative data (must raise ValueError)."""
    return ns["optimize_for_mobile"](mlp(weights), "size")


# --------------------------------------------------------------------------------------------
# Q2


def keras_conversion(ns, weights, x):
    """``convert_keras`` on the judge's MLP: outputs from the probe's interpreter and from ``tflite_predict``."""
    model_bytes = _check_bytes(ns["convert_keras"](mlp(weights)), "convert_keras")
    return {"facts": facts(model_bytes), "out": run(model_bytes, x),
            "predict": np.asarray(ns["tflite_predict"](model_bytes, np.asarray(x, np.float32))),
            "predict_one": np.asarray(ns["tflite_predict"](model_bytes, np.asarray(x[:1], np.float32)))}


class _Scorer(tf.Module):
    """A SavedModel with two signatures over one input named ``features``."""

    def __init__(self, w, b):
        super().__init__()
        self.w = tf.Variable(np.asarray(w, np.float32))
        self.b = tf.Variable(np.asarray(b, np.float32))

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32, name="features")])
    def probabilities(self, features):
        return {"probs": tf.nn.softmax(tf.matmul(features, self.w) + self.b)}

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32, name="features")])
    def logits(self, features):
        return {"logits": tf.matmul(features, self.w) + self.b}


def saved_model_conversion(ns, w, b, x, key):
    """Save a two-signature SavedModel, convert signature ``key`` with ``convert_saved_model``, run it."""
    module = _Scorer(w, b)
    folder = os.path.join(_folder(), "scorer")
    tf.saved_model.save(module, folder, signatures={"serving_default": module.probabilities,
                                                    "logits": module.logits})
    model_bytes = _check_bytes(ns["convert_saved_model"](folder, key), "convert_saved_model")
    interpreter = litert.Interpreter(model_content=model_bytes)
    signatures = {k: {"inputs": sorted(v["inputs"]), "outputs": sorted(v["outputs"])}
                  for k, v in interpreter.get_signature_list().items()}
    outputs = {}
    if key in signatures:
        runner = interpreter.get_signature_runner(key)
        outputs = {name: np.asarray(value) for name, value in runner(features=np.asarray(x, np.float32)).items()}
    return {"signatures": signatures, "outputs": outputs}


class _Wave(tf.Module):
    """``y = a * sin(x) + c * sum(x ** 2, axis=1, keepdims=True)`` with variables ``a`` (per feature) and ``c``."""

    def __init__(self, a, c):
        super().__init__()
        self.a = tf.Variable(np.asarray(a, np.float32))
        self.c = tf.Variable(np.float32(c))

    @tf.function(input_signature=[tf.TensorSpec([None, 5], tf.float32)])
    def __call__(self, x):
        return self.a * tf.sin(x) + self.c * tf.reduce_sum(x * x, axis=1, keepdims=True)


def concrete_conversion(ns, a, c, x):
    """``convert_concrete_function(module.__call__, module)`` on a module with variables; run on ``x``."""
    module = _Wave(a, c)
    model_bytes = _check_bytes(ns["convert_concrete_function"](module.__call__, module), "convert_concrete_function")
    return {"facts": facts(model_bytes), "out": run(model_bytes, x)}


@tf.function(input_signature=[tf.TensorSpec([None, 3, 3], tf.float32)])
def _determinant(m):
    return tf.linalg.det(m)


@tf.function(input_signature=[tf.TensorSpec([None, 3, 3], tf.float32)])
def _frobenius(m):
    return tf.reduce_sum(m * m, axis=[1, 2])


def select_ops_conversion(ns, matrices):
    """``convert_with_select_ops`` on a determinant (needs Flex) and on a Frobenius norm (builtins suffice)."""
    result = {}
    for name, fn in (("det", _determinant), ("frobenius", _frobenius)):
        answer = ns["convert_with_select_ops"](fn)
        if not isinstance(answer, (tuple, list)) or len(answer) != 2:
            raise TypeError("convert_with_select_ops should return a pair (tflite_bytes, used_select_ops)")
        model_bytes = _check_bytes(answer[0], "convert_with_select_ops")
        interpreter = litert.Interpreter(model_content=model_bytes)  # Flex ops run: TensorFlow is loaded here
        interpreter.allocate_tensors()
        ops = sorted({op["op_name"] for op in interpreter._get_ops_details()} - {"DELEGATE"})
        result[name] = {"used": answer[1], "ops": ops, "out": run(model_bytes, matrices)}
    return result


# --------------------------------------------------------------------------------------------
# Q3


def calibration_samples(ns, x, num_samples):
    """Everything ``representative_dataset(x, num_samples)`` yields, twice (the converter may call it again)."""
    generator = ns["representative_dataset"](np.asarray(x), int(num_samples))
    passes = []
    for _ in range(2):
        items = []
        for item in generator():
            if not isinstance(item, (list, tuple)):
                items.append({"kind": type(item).__name__})
                continue
            arrays = [np.asarray(a) for a in item]
            items.append({"kind": "list", "length": len(arrays),
                          "dtypes": [a.dtype.name for a in arrays], "shapes": [list(a.shape) for a in arrays],
                          "value": arrays[0].astype(np.float64) if arrays else None})
        passes.append(items)
    return passes


def quantized_variants(ns, weights, calibration, x_test):
    """Every mode of ``quantize_model``: the flatbuffer (for the inspector) and ``predict_quantized`` on it."""
    model = mlp(weights)
    result = {}
    for mode in ("dynamic", "float16", "int8"):
        data = np.asarray(calibration, np.float32) if mode == "int8" else None
        model_bytes = _check_bytes(ns["quantize_model"](model, mode, data), "quantize_model")
        result[mode] = {"model": _as_array(model_bytes),
                        "predict": np.asarray(ns["predict_quantized"](model_bytes, np.asarray(x_test, np.float32)))}
    return result


# --------------------------------------------------------------------------------------------
# Q4

_MODELS = {}


def _model_bytes(kind, weights, calibration=None):
    key = (kind, hashlib.sha256(b"".join(np.asarray(w, np.float32).tobytes() for w in weights)).hexdigest())
    if key not in _MODELS:
        model = cnn(weights) if kind.startswith("cnn") else mlp(weights)
        _MODELS[key] = _convert(model, calibration if kind.endswith("int8") else None)
    return _MODELS[key]


def fallback_report(ns, weights, preferred=None, delegate_paths=None, garbage_delegate=None):
    """Build ``AcceleratedInterpreter`` on the judge's CNN; its backend, attempts and the ops of its interpreter.

    ``garbage_delegate``: a backend name whose library path is replaced by a file of random bytes written
    here (it exists, but is not a shared library).
    """
    paths = dict(delegate_paths or {})
    if garbage_delegate:
        path = os.path.join(_folder(), "libgarbage_delegate.so")
        with open(path, "wb") as f:
            f.write(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
        paths[garbage_delegate] = path
    kwargs = {"delegate_paths": paths}
    if preferred is not None:
        kwargs["preferred"] = tuple(preferred)
    # The libraries load_delegate is asked for, seen through the name the notebook imported and the module's own:
    # a missing library and a wrong path fail alike, so only the path tells whether delegate_paths was used.
    loaded, original = [], litert.load_delegate

    def recording_load_delegate(library, *args, **kw):
        loaded.append(str(library))
        return original(library, *args, **kw)

    had_name = "load_delegate" in ns
    previous = ns.get("load_delegate")
    ns["load_delegate"], litert.load_delegate = recording_load_delegate, recording_load_delegate
    try:
        accelerated = ns["AcceleratedInterpreter"](_model_bytes("cnn", weights), **kwargs)
    finally:
        litert.load_delegate = original
        if had_name:
            ns["load_delegate"] = previous
        else:
            ns.pop("load_delegate", None)
    interpreter = accelerated.interpreter
    return {"backend": accelerated.backend, "attempts": [list(a) for a in accelerated.attempts],
            "ops": [op["op_name"] for op in interpreter._get_ops_details()], "loaded": loaded,
            "paths": paths}


def backend_outputs(ns, weights, x, kind, calibration=None):
    """``predict`` of each CPU backend of ``AcceleratedInterpreter`` on one input, and the probe's own output."""
    model_bytes = _model_bytes(kind, weights, calibration)
    outputs = {}
    for backend in ("xnnpack", "builtin", "reference"):
        accelerated = ns["AcceleratedInterpreter"](model_bytes, preferred=(backend,), delegate_paths={})
        interpreter = accelerated.interpreter
        inp = interpreter.get_input_details()[0]
        feed = np.asarray(x, np.float32)
        if np.dtype(inp["dtype"]).kind in "iu":
            scale, zero_point = inp["quantization"]
            feed = np.clip(np.round(feed / scale) + zero_point, -128, 127).astype(np.int8)
        outputs[backend] = np.asarray(accelerated.predict(feed)).astype(np.float64)
    out_detail = litert.Interpreter(model_content=model_bytes).get_output_details()[0]
    return {"outputs": outputs, "keras": cnn(weights)(np.asarray(x, np.float32)).numpy() if kind == "cnn" else None,
            "output_scale": float(out_detail["quantization"][0])}


_SPEED = {}


def prepare_backends(ns, weights):
    """Keep one ``AcceleratedInterpreter`` per CPU backend for the judge's timing calls."""
    model_bytes = _model_bytes("cnn", weights)
    for backend in ("xnnpack", "reference"):
        _SPEED[backend] = ns["AcceleratedInterpreter"](model_bytes, preferred=(backend,), delegate_paths={})
    return True


def predict_xnnpack(ns, x):
    return np.asarray(_SPEED["xnnpack"].predict(np.asarray(x, np.float32)))


def predict_reference(ns, x):
    return np.asarray(_SPEED["reference"].predict(np.asarray(x, np.float32)))


_BASELINES = {}


def course_reference_kernels(ns, x, weights):
    """The speed baseline of q4, timed in the reference worker: the CNN on TFLite's reference kernels, built here.

    The weights travel with every call (the judge sends the same arguments to both candidates) so that no earlier
    call has to set anything up in this worker.
    """
    model_bytes = _model_bytes("cnn", weights)
    if model_bytes not in _BASELINES:
        _BASELINES[model_bytes] = _interpreter(model_bytes, litert.OpResolverType.BUILTIN_REF)
    return _invoke(_BASELINES[model_bytes], x)


def _invoke(interpreter, x):
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    interpreter.set_tensor(inp["index"], np.asarray(x, np.float32))
    interpreter.invoke()
    return np.array(interpreter.get_tensor(out["index"]))


def student_xnnpack(ns, x, weights):
    """The student's XNNPACK backend, prepared by ``prepare_backends`` (the weights are the baseline's)."""
    return predict_xnnpack(ns, x)


# --------------------------------------------------------------------------------------------
# Q5


def c_array(ns, weights, var_name):
    """``export_c_array`` of the probe's float conversion, and the digest of the bytes it should hold."""
    model_bytes = _model_bytes("mlp", weights)
    source = ns["export_c_array"](model_bytes, var_name)
    return {"source": source, "sha256": hashlib.sha256(model_bytes).hexdigest(), "length": len(model_bytes)}


def package(ns, weights, calibration, labels):
    """``package_model`` of the probe's int8 conversion; the files it wrote, as read here, and the probe's facts."""
    model_bytes = _model_bytes("mlp_int8", weights, calibration)
    folder = os.path.join(_folder(), "package")
    # Packaged twice into the same folder: the second time it exists already (a new build of the same package).
    ns["package_model"](model_bytes, list(labels), folder)
    returned = ns["package_model"](model_bytes, list(labels), folder)
    files = sorted(os.listdir(folder))
    out = {"returned": returned, "files": files, "expected_sha256": hashlib.sha256(model_bytes).hexdigest(),
           "expected_size": len(model_bytes)}
    model_path = os.path.join(folder, "model.tflite")
    if os.path.exists(model_path):
        with open(model_path, "rb") as f:
            out["file_sha256"] = hashlib.sha256(f.read()).hexdigest()
    labels_path = os.path.join(folder, "labels.txt")
    if os.path.exists(labels_path):
        with open(labels_path) as f:
            out["labels_lines"] = f.read().splitlines()
    manifest_path = os.path.join(folder, "manifest.json")
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            out["manifest_file"] = json.load(f)
    interpreter = litert.Interpreter(model_content=model_bytes)

    def spec(detail):
        return {"name": detail["name"], "shape": [int(d) for d in detail["shape"]],
                "dtype": np.dtype(detail["dtype"]).name, "scale": float(detail["quantization"][0]),
                "zero_point": int(detail["quantization"][1])}

    out["truth"] = {"inputs": [spec(d) for d in interpreter.get_input_details()],
                    "outputs": [spec(d) for d in interpreter.get_output_details()]}
    return out


_POISON = '''raise ImportError("tensorflow is not installed on the edge device: the edge script may use only "
                  "ai_edge_litert and numpy")
'''


class _NoInProcessInference:
    """While active: ``import tensorflow`` fails in child processes, and in-process interpreters refuse to invoke."""

    def __enter__(self):
        poison = _folder()
        for name in ("tensorflow", "tf_keras", "keras"):
            os.makedirs(os.path.join(poison, name))
            with open(os.path.join(poison, name, "__init__.py"), "w") as f:
                f.write(_POISON)
        self.old_path = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = poison + (os.pathsep + self.old_path if self.old_path else "")
        self.patched = []
        classes = [litert.Interpreter]
        tf_interpreter = sys.modules.get("tensorflow.lite.python.interpreter")
        if tf_interpreter is not None:
            classes.append(tf_interpreter.Interpreter)
        runners = [litert.SignatureRunner]
        if tf_interpreter is not None:
            runners.append(tf_interpreter.SignatureRunner)
        for cls, method in [(c, "invoke") for c in classes] + [(c, "__call__") for c in runners]:
            self.patched.append((cls, method, cls.__dict__[method]))
            setattr(cls, method, _refuse)
        return self

    def __exit__(self, *exc):
        for cls, method, original in self.patched:
            setattr(cls, method, original)
        if self.old_path is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = self.old_path
        return False


def _refuse(self, *args, **kwargs):
    raise RuntimeError("in-process inference is disabled in this test: run_on_edge must run the model in a "
                       "separate Python process (sys.executable)")


def edge_run(ns, weights, calibration, x, quantized):
    """``run_on_edge`` on a folder holding the probe's ``model.tflite``, with TensorFlow unavailable to children."""
    model_bytes = _model_bytes("mlp_int8" if quantized else "mlp", weights, calibration)
    folder = os.path.join(_folder(), "device")
    os.makedirs(folder)
    with open(os.path.join(folder, "model.tflite"), "wb") as f:
        f.write(model_bytes)
    expected = run(model_bytes, x)
    with _NoInProcessInference():
        got = ns["run_on_edge"](folder, np.asarray(x, np.float32))
    return {"out": np.asarray(got), "in_process": expected}


# --------------------------------------------------------------------------------------------
# Q6


class _ScriptedClock:
    """A fake timer: successive calls return scripted timestamps; ``fn`` records how many calls came before it."""

    def __init__(self, stamps):
        self.stamps = [float(s) for s in stamps]
        self.calls = 0
        self.fn_calls = []

    def timer(self):
        if self.calls >= len(self.stamps):
            raise RuntimeError(f"the timer was called more than the {len(self.stamps)} times this test expects")
        self.calls += 1
        return self.stamps[self.calls - 1]

    def fn(self):
        self.fn_calls.append(self.calls)


def fake_clock_latency(ns, stamps, runs, warmup):
    """``measure_latency`` with a scripted timer; the stats and the interleaving of timer and fn calls."""
    clock = _ScriptedClock(stamps)
    stats = ns["measure_latency"](clock.fn, runs=int(runs), warmup=int(warmup), timer=clock.timer)
    return {"stats": stats, "timer_calls": clock.calls, "fn_calls": clock.fn_calls}


def fake_clock_throughput(ns, stamps, batch_size, iterations):
    """``measure_throughput`` with a scripted timer."""
    clock = _ScriptedClock(stamps)
    value = ns["measure_throughput"](clock.fn, int(batch_size), iterations=int(iterations), timer=clock.timer)
    return {"value": value, "timer_calls": clock.calls, "fn_calls": clock.fn_calls}


_RUNNERS = {}


def prepare_runner(ns, weights):
    """Build the namespace's ``make_tflite_runner`` and the Keras model once, for the judge's timing calls.

    In the reference worker this is the course's runner and the Keras baseline; the timing calls then send only the
    input, so what is timed is the model call, not the transfer of its weights.
    """
    model = mlp(weights)
    _RUNNERS["tflite"] = ns["make_tflite_runner"](_convert(model))
    _RUNNERS["keras"] = model
    return True


def tflite_runner_predict(ns, x):
    """The runner ``prepare_runner`` built in this worker, called once on ``x``."""
    return np.asarray(_RUNNERS["tflite"](np.asarray(x, np.float32)))


def keras_predict(ns, x):
    """The speed baseline of q6, timed in the reference worker: the judge's MLP in Keras, an eager call."""
    return _RUNNERS["keras"](np.asarray(x, np.float32), training=False).numpy()


def _row_by_row(model_call, x):
    x = np.asarray(x, np.float32)
    return np.concatenate([np.asarray(model_call(x[i:i + 1])) for i in range(len(x))])


def tflite_runner_rows(ns, x):
    """The runner called on one digit at a time (latency): many calls per request, so the request's own cost is
    small beside what the calls cost."""
    return _row_by_row(_RUNNERS["tflite"], x)


def keras_rows(ns, x):
    """The Keras baseline called on one digit at a time, like ``tflite_runner_rows``."""
    return _row_by_row(lambda row: _RUNNERS["keras"](row, training=False).numpy(), x)


def keras_comparison(ns, weights, x, runs, tflite_weights=None):
    """``compare_with_keras`` on the judge's MLP and the probe's float conversion: its report, and how many times
    the Keras model was really called (a report of ratios proves nothing by itself). ``tflite_weights``: convert
    an MLP with these weights instead, so that the two models disagree by an amount the judge knows."""
    model = mlp(weights)
    tflite_bytes = _convert(mlp(tflite_weights) if tflite_weights is not None else model)
    calls = [0]

    class CountedModel(type(model)):
        def __call__(self, *args, **kwargs):
            calls[0] += 1
            return super().__call__(*args, **kwargs)

    model.__class__ = CountedModel
    report = ns["compare_with_keras"](model, tflite_bytes, np.asarray(x, np.float32), runs=int(runs))
    return {"report": report, "keras_calls": calls[0]}
