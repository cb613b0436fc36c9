"""Worker-side probes for A16, Performance Optimization.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's
notebook or of the reference module. Probes run inside the sandboxed worker, so they hold no expected
answers. They build and train the baseline models with their own code (so a submission cannot weaken
a baseline), hand fresh copies to the student's functions (tfmot changes the caller's model in place,
so the baselines are kept as weight snapshots), open and run the ``.tflite`` bytes the student's
converters return (untrusted artefacts never leave the worker), and return plain measurements:
sizes, dtypes, sparsities and held-out predictions. The held-out labels stay in the judge.
"""

import contextlib
import gzip
import os
import tempfile
import time

import numpy as np
import tensorflow as tf

BASE_HIDDEN = (256, 128)
STUDENT_HIDDEN = (32,)
SCRATCH_EPOCHS = 100
_CACHE = {}


def _mlp(hidden, input_dim=64, num_classes=10):
    layers = [tf.keras.Input(shape=(input_dim,))]
    layers += [tf.keras.layers.Dense(int(u), activation="relu") for u in hidden]
    layers.append(tf.keras.layers.Dense(num_classes))
    return tf.keras.Sequential(layers)


def _compile(model, lr=1e-3):
    model.compile(optimizer=tf.keras.optimizers.Adam(lr),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    return model


def _base_model(x, y, epochs=20, seed=1234):
    """A fresh copy of the trained baseline MLP 64-256-128-10 (trained once per worker, kept as weights)."""
    x, y = np.asarray(x, np.float32), np.asarray(y)
    key = ("base", x.shape, float(x.sum()), int(y.sum()), epochs, seed)
    if key not in _CACHE:
        tf.keras.utils.set_random_seed(seed)
        model = _compile(_mlp(BASE_HIDDEN))
        model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
        _CACHE[key] = [w.copy() for w in model.get_weights()]
    model = _mlp(BASE_HIDDEN)
    model.set_weights([w.copy() for w in _CACHE[key]])
    return model


def _predict(model, x):
    return np.argmax(np.asarray(model(np.asarray(x, np.float32), training=False)), axis=1).astype(np.int64)


def _weights_gzip_size(model):
    raw = b"".join(np.asarray(w, np.float32).tobytes() for w in model.get_weights())
    return len(gzip.compress(raw, compresslevel=9))


def _class_names(model):
    return [type(layer).__name__ for layer in getattr(model, "layers", [])]


# --------------------------------------------------------------------------------------------
# Q1


def prune_report(ns, x, y, x_test, target, epochs):
    """Baseline predictions, then ``gradual_prune`` on a fresh copy: sparsities, gzip sizes, held-out predictions."""
    base = _base_model(x, y)
    base_pred = _predict(base, x_test)
    base_gzip = _weights_gzip_size(base)
    tf.keras.utils.set_random_seed(7)
    pruned = ns["gradual_prune"](base, np.asarray(x, np.float32), np.asarray(y), float(target), int(epochs))
    if not isinstance(pruned, tf.keras.Model):
        return {"is_model": False, "type": type(pruned).__name__}
    dense = [layer for layer in pruned.layers if isinstance(layer, tf.keras.layers.Dense)]
    return {
        "is_model": True,
        "layers": _class_names(pruned),
        "sparsity": [float(np.mean(layer.kernel.numpy() == 0.0)) for layer in dense],
        "kernel_shapes": [list(layer.kernel.shape) for layer in dense],
        "base_pred": base_pred,
        "pred": _predict(pruned, x_test),
        "base_gzip": base_gzip,
        "gzip": _weights_gzip_size(pruned),
    }


def sparsity_of(ns, hidden, weights):
    """``kernel_sparsity`` of an MLP with the given weights."""
    model = _mlp(hidden)
    model.set_weights([np.asarray(w, np.float32) for w in weights])
    out = ns["kernel_sparsity"](model)
    names = [layer.name for layer in model.layers if isinstance(layer, tf.keras.layers.Dense)]
    return {"names": names, "result": {str(k): float(v) for k, v in dict(out).items()}}


def structured_prune(ns, hidden, weights, layer_index, keep_ratio, x):
    """``prune_dense_units`` on an MLP with the given weights: layer sizes, outputs, and whether the input changed."""
    model = _mlp(hidden)
    model.set_weights([np.asarray(w, np.float32) for w in weights])
    dense = [layer for layer in model.layers if isinstance(layer, tf.keras.layers.Dense)]
    before = [w.copy() for w in model.get_weights()]
    original = np.asarray(model(np.asarray(x, np.float32)))
    pruned = ns["prune_dense_units"](model, dense[int(layer_index)].name, float(keep_ratio))
    pruned_dense = [layer for layer in pruned.layers if isinstance(layer, tf.keras.layers.Dense)]
    unchanged = all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    return {
        "units": [int(layer.units) for layer in pruned_dense],
        "activations": [tf.keras.activations.serialize(layer.activation) for layer in pruned_dense],
        "params": int(pruned.count_params()),
        "original": original,
        "out": np.asarray(pruned(np.asarray(x, np.float32))),
        "input_unchanged": bool(unchanged),
        "kernels": [layer.kernel.numpy() for layer in pruned_dense],
    }


# --------------------------------------------------------------------------------------------
# Q2 (the .tflite bytes come from the student: they are opened and run here, in the worker)


def _interpreter(content):
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:  # pragma: no cover
        Interpreter = tf.lite.Interpreter
    interpreter = Interpreter(model_content=bytes(content))
    interpreter.allocate_tensors()
    return interpreter


def _tflite_report(content, x_test):
    if not isinstance(content, (bytes, bytearray)):
        return {"is_bytes": False, "type": type(content).__name__}
    interpreter = _interpreter(content)
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    kernels = {}
    for detail in interpreter.get_tensor_details():
        if int(np.prod(detail["shape"])) >= 1024 and len(detail["shape"]) == 2:
            name = np.dtype(detail["dtype"]).name
            kernels[name] = kernels.get(name, 0) + 1
    x = np.asarray(x_test, np.float32)
    preds = []
    for row in x:
        value = row[None, :]
        if inp["dtype"] != np.float32:
            scale, zero = inp["quantization"]
            info = np.iinfo(inp["dtype"])
            value = np.clip(np.round(value / scale + zero), info.min, info.max).astype(inp["dtype"])
        interpreter.set_tensor(inp["index"], value)
        interpreter.invoke()
        preds.append(int(np.argmax(interpreter.get_tensor(out["index"])[0])))
    return {"is_bytes": True, "size": len(content), "input_dtype": np.dtype(inp["dtype"]).name,
            "output_dtype": np.dtype(out["dtype"]).name, "kernels": kernels,
            "pred": np.asarray(preds, np.int64)}


def _float_size(x, y):
    """Size of the baseline's plain float32 conversion, made here (the student's own could be padded)."""
    key = ("float_size", np.asarray(x).shape, float(np.asarray(x, np.float32).sum()))
    if key not in _CACHE:
        _CACHE[key] = len(tf.lite.TFLiteConverter.from_keras_model(_base_model(x, y)).convert())
    return _CACHE[key]


def _value_and_gradient(fn, x, upstream):
    x = tf.constant(np.asarray(x, np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        value = fn(x)
        weighted = tf.reduce_sum(tf.convert_to_tensor(value, tf.float32) * np.asarray(upstream, np.float32))
    gradient = tape.gradient(weighted, x)
    return {"value": np.asarray(value, np.float32),
            "gradient": None if gradient is None else np.asarray(gradient, np.float32)}


def fake_quant_case(ns, x, x_min, x_max, num_bits, narrow_range, upstream):
    """The student's ``fake_quant`` on ``x``: its value and the gradient of ``sum(upstream * value)``."""
    return _value_and_gradient(lambda t: ns["fake_quant"](t, x_min, x_max, num_bits, narrow_range), x, upstream)


def tensorflow_fake_quant_case(ns, x, x_min, x_max, num_bits, narrow_range, upstream):
    """The same through TensorFlow's own kernel (run in the reference worker: the ground truth)."""
    return _value_and_gradient(
        lambda t: tf.quantization.fake_quant_with_min_max_args(t, float(x_min), float(x_max), int(num_bits),
                                                               bool(narrow_range)), x, upstream)


def per_channel_case(ns, w, num_bits):
    """The student's ``quantize_per_channel``: integer values (as int32), their dtype name and the scales."""
    q, scales = ns["quantize_per_channel"](np.asarray(w, np.float32), int(num_bits))
    q = np.asarray(q)
    return {"q": q.astype(np.int32), "q_dtype": q.dtype.name, "scales": np.asarray(scales, np.float32)}


def tflite_dense_kernel(ns, kernel, representative):
    """TFLite's full-int8 conversion of ``Dense(kernel)``: the stored int8 kernel ([in, out]) and its scales.

    Run in the reference worker: TFLite's own per-channel quantization is the ground truth for the student's.
    """
    kernel = np.asarray(kernel, np.float32)
    model = tf.keras.Sequential([tf.keras.Input(shape=(kernel.shape[0],)), tf.keras.layers.Dense(kernel.shape[1])])
    model.set_weights([kernel, np.zeros(kernel.shape[1], np.float32)])
    data = np.asarray(representative, np.float32)
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([data[i:i + 1]] for i in range(len(data)))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    interpreter = _interpreter(converter.convert())
    for detail in interpreter.get_tensor_details():
        if detail["dtype"] == np.int8 and tuple(detail["shape"]) == (kernel.shape[1], kernel.shape[0]):
            params = detail["quantization_parameters"]
            return {"q": interpreter.get_tensor(detail["index"]).T.astype(np.int32),
                    "scales": np.asarray(params["scales"], np.float32),
                    "quantized_dimension": int(params["quantized_dimension"])}
    raise RuntimeError("no int8 kernel in the converted model")


def ternarize_case(ns, w, delta_factor, upstream):
    """The student's ``ternarize``: ``w_t``, ``alpha`` and the gradient of ``sum(upstream * w_t)`` w.r.t. ``w``."""
    box = {}

    def ternary(t):
        w_t, alpha = ns["ternarize"](t, float(delta_factor))
        box["alpha"] = np.asarray(alpha, np.float32)
        return w_t

    report = _value_and_gradient(ternary, w, upstream)
    report["alpha"] = box["alpha"]
    return report


def _reset_head(model, seed=5):
    """Replaces the output layer's weights with fresh random ones: QAT has to train to recover the accuracy."""
    weights = model.get_weights()
    rng = np.random.default_rng(seed)
    weights[-2] = rng.normal(0.0, 0.05, weights[-2].shape).astype(np.float32)
    weights[-1] = np.zeros_like(weights[-1])
    model.set_weights(weights)
    return model


def qat_report(ns, x, y, x_test, epochs):
    """``quantization_aware_train`` on the baseline with a re-initialised head, then ``convert_qat``.

    The head is random, so only a model that really fine-tunes gets its held-out accuracy back; the
    predictions come back and the judge scores them.
    """
    model = _reset_head(_base_model(x, y))
    tf.keras.utils.set_random_seed(11)
    q_model = ns["quantization_aware_train"](model, np.asarray(x, np.float32), np.asarray(y), int(epochs))
    report = {"layers": _class_names(q_model), "keras_pred": _predict(q_model, x_test),
              "start_pred": _predict(_reset_head(_base_model(x, y)), x_test)}
    report["tflite"] = _tflite_report(ns["convert_qat"](q_model), x_test)
    report["float_size"] = _float_size(x, y)
    return report


# --------------------------------------------------------------------------------------------
# Q3


def distiller_step(ns, teacher_weights, student_weights, x, y, alpha, temperature, lr):
    """One ``Distiller.train_on_batch`` step with SGD: the student's new weights, the teacher's, and the loss."""
    teacher, student = _mlp((16,)), _mlp((8,))
    teacher.set_weights([np.asarray(w, np.float32) for w in teacher_weights])
    student.set_weights([np.asarray(w, np.float32) for w in student_weights])
    distiller = ns["Distiller"](student=student, teacher=teacher)
    distiller.compile(optimizer=tf.keras.optimizers.SGD(float(lr)), metrics=None,
                      student_loss_fn=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      alpha=float(alpha), temperature=float(temperature))
    data = np.asarray(x, np.float32)
    if y is None:
        distiller.train_on_batch(data)
    else:
        distiller.train_on_batch(data, np.asarray(y))
    return {"student": [w.copy() for w in student.get_weights()], "teacher": [w.copy() for w in teacher.get_weights()],
            "call": np.asarray(distiller(data))}


def distill_report(ns, x, y, x_few, y_few, x_test, epochs, temperature):
    """Distillation against the few-labels baseline.

    The teacher is the trained baseline; a 64-32-10 student is distilled by the student's code on the
    unlabelled ``x``, and the same student (same initial weights) is trained from scratch on the few
    labels by the probe itself.
    """
    teacher = _base_model(x, y)
    teacher_before = [w.copy() for w in teacher.get_weights()]
    tf.keras.utils.set_random_seed(21)
    student = _mlp(STUDENT_HIDDEN)
    init = [w.copy() for w in student.get_weights()]
    scratch = _mlp(STUDENT_HIDDEN)
    scratch.set_weights(init)
    # A fair baseline: the few labelled examples, many passes (more epochs only overfit them).
    _compile(scratch).fit(np.asarray(x_few, np.float32), np.asarray(y_few), epochs=SCRATCH_EPOCHS, batch_size=16,
                          verbose=0)
    tf.keras.utils.set_random_seed(22)
    returned = ns["distill_on_transfer_set"](teacher, student, np.asarray(x, np.float32), int(epochs),
                                             float(temperature))
    return {
        "same_object": returned is student,
        "student_changed": any(not np.array_equal(a, b) for a, b in zip(init, student.get_weights(), strict=True)),
        "teacher_unchanged": all(np.array_equal(a, b)
                                 for a, b in zip(teacher_before, teacher.get_weights(), strict=True)),
        "teacher_pred": _predict(teacher, x_test),
        "student_pred": _predict(student, x_test),
        "scratch_pred": _predict(scratch, x_test),
        "teacher_params": int(teacher.count_params()),
        "student_params": int(student.count_params()),
    }


# --------------------------------------------------------------------------------------------
# Q4


def _landscape(target):
    """A synthetic fitness: minus the L1 distance of the option indices to a hidden target, plus a coupling term."""
    def fitness(space, arch):
        idx = {k: list(space[k]).index(arch[k]) for k in space}
        tgt = {k: list(space[k]).index(target[k]) for k in space}
        keys = sorted(space)
        score = -sum(abs(idx[k] - tgt[k]) for k in keys)
        score -= 0.5 * abs((idx[keys[0]] - tgt[keys[0]]) - (idx[keys[1]] - tgt[keys[1]]))
        return float(score)
    return fitness


def evolution_run(ns, space, target, budget, population_size, sample_size, seed):
    """The student's ``regularized_evolution`` on the synthetic landscape, with a counting wrapper."""
    fit = _landscape(target)
    calls = []

    def fitness_fn(arch):
        arch = dict(arch)
        calls.append(arch)
        return fit(space, arch)

    best, history = ns["regularized_evolution"](space, fitness_fn, int(budget), population_size=int(population_size),
                                                sample_size=int(sample_size), seed=int(seed))
    history = [(dict(a), float(f)) for a, f in history]
    valid = all(k in a and a[k] in space[k] for a in calls for k in space) and all(set(a) == set(space) for a in calls)
    return {
        "calls": len(calls),
        "history_len": len(history),
        "history_archs": [a for a, _ in history],
        "history_fit": [f for _, f in history],
        "call_archs": calls,
        "true_fit": [fit(space, a) for a, _ in history] if valid else [],
        "best": dict(best),
        "best_fit": fit(space, dict(best)) if valid else None,
        "valid": bool(valid),
        "optimum": fit(space, target),
    }


def random_search_best(ns, space, target, budget, seed):
    """The named baseline: the probe's own random search with the same budget on the same landscape."""
    fit = _landscape(target)
    rng = np.random.default_rng(int(seed) + 5000)  # not the stream a student's search would draw from
    best = -np.inf
    for _ in range(int(budget)):
        arch = {k: v[int(rng.integers(len(v)))] for k, v in space.items()}
        best = max(best, fit(space, arch))
    return float(best)


def mutations(ns, space, arch, count, seed):
    """``count`` mutations of ``arch`` with one generator; and whether ``arch`` was left unchanged."""
    original = dict(arch)
    rng = np.random.default_rng(int(seed))
    children = [dict(ns["mutate"](arch, space, rng)) for _ in range(int(count))]
    samples = [dict(ns["sample_architecture"](space, rng)) for _ in range(int(count))]
    return {"children": children, "unchanged": arch == original, "samples": samples}


def arch_summary(ns, arch, input_dim, num_classes):
    """The layers of ``build_from_arch(arch, ...)``: types, units, activations, rates, parameter count."""
    model = ns["build_from_arch"](dict(arch), int(input_dim), int(num_classes))
    layers = []
    for layer in model.layers:
        entry = {"type": type(layer).__name__}
        if isinstance(layer, tf.keras.layers.Dense):
            entry.update(units=int(layer.units), activation=tf.keras.activations.serialize(layer.activation))
        if isinstance(layer, tf.keras.layers.Dropout):
            entry.update(rate=float(layer.rate))
        layers.append(entry)
    out = model(np.zeros((2, int(input_dim)), np.float32))
    return {"layers": layers, "params": int(model.count_params()), "out_shape": list(out.shape)}


def nas_search(ns, space, x_tr, y_tr, x_val, y_val, max_params, budget, epochs):
    """A real hardware-aware search on digits: the student's evolution with the student's fitness.

    Returns the best architecture and how the search went; the judge has it retrained by ``retrain_arch`` in the
    reference worker, so a fitness that reports made-up numbers gains nothing.
    """
    calls = []

    def fitness_fn(arch):
        calls.append(dict(arch))
        return ns["hardware_aware_fitness"](dict(arch), np.asarray(x_tr, np.float32), np.asarray(y_tr),
                                            np.asarray(x_val, np.float32), np.asarray(y_val), int(max_params),
                                            int(epochs))

    best, history = ns["regularized_evolution"](space, fitness_fn, int(budget), population_size=4, sample_size=2,
                                                seed=3)
    return {"best": dict(best), "calls": len(calls), "history_fit": [float(f) for _, f in history]}


def retrain_arch(ns, arch, x_tr, y_tr, x_test, epochs):
    """Builds ``arch`` with the namespace's ``build_from_arch`` and trains it (run on the reference worker).

    Kept out of the student's worker: a builder here would be importable by the student's code.
    """
    tf.keras.utils.set_random_seed(5)
    model = _compile(ns["build_from_arch"](dict(arch), 64, 10), 3e-3)
    params = int(model.count_params())
    model.fit(np.asarray(x_tr, np.float32), np.asarray(y_tr), epochs=int(epochs) + 2, batch_size=32, verbose=0)
    return {"params": params, "pred": _predict(model, x_test)}


def fitness_over_budget(ns, arch, x_tr, y_tr, x_val, y_val, max_params):
    """``hardware_aware_fitness`` for an architecture over the parameter budget, and how long it took."""
    start = time.perf_counter()
    value = ns["hardware_aware_fitness"](dict(arch), np.asarray(x_tr, np.float32), np.asarray(y_tr),
                                         np.asarray(x_val, np.float32), np.asarray(y_val), int(max_params), 3)
    return {"value": float(value), "seconds": time.perf_counter() - start}


# --------------------------------------------------------------------------------------------
# Q5


def _describe_space(hp):
    out = []
    for h in hp.space:
        entry = {"name": h.name, "class": type(h).__name__}
        for attr in ("min_value", "max_value", "step", "sampling", "values", "default"):
            value = getattr(h, attr, None)
            if isinstance(value, (int, float, str, bool)) or value is None:
                entry[attr] = value
            elif isinstance(value, (list, tuple)):
                entry[attr] = list(value)
        entry["conditions"] = [{"name": c.name, "values": list(c.values)} for c in getattr(h, "conditions", [])]
        out.append(entry)
    return out


def _model_summary(model):
    layers = []
    for layer in model.layers:
        entry = {"type": type(layer).__name__}
        if isinstance(layer, tf.keras.layers.Dense):
            entry.update(units=int(layer.units), activation=tf.keras.activations.serialize(layer.activation))
        if isinstance(layer, tf.keras.layers.Dropout):
            entry.update(rate=round(float(layer.rate), 6))
        layers.append(entry)
    lr = model.optimizer.learning_rate if getattr(model, "optimizer", None) is not None else None
    return {"layers": layers, "optimizer": type(model.optimizer).__name__ if model.optimizer else None,
            "learning_rate": float(lr.numpy()) if lr is not None else None,
            "out_shape": list(model(np.zeros((1, 64), np.float32)).shape)}


def hp_space(ns, values):
    """Register ``build_model``'s hyperparameters, then rebuild with ``values`` set; describe both."""
    import keras_tuner as kt

    hp = kt.HyperParameters()
    first = ns["build_model"](hp)
    report = {"space": _describe_space(hp), "default_model": _model_summary(first)}
    for name, value in values.items():
        hp.values[name] = value
    second = ns["build_model"](hp)
    report["space_after"] = _describe_space(hp)
    report["model"] = _model_summary(second)
    for name, value in values.items():
        hp.values[name] = value
    rate = [h for h in hp.space if h.name == "dropout_rate"]
    report["rate_active_when_on"] = bool(rate) and bool(hp.is_active(rate[0]))
    hp.values["dropout"] = False
    report["rate_active_when_off"] = bool(rate) and bool(hp.is_active(rate[0]))
    return report


def tuner_report(ns, x, y, x_val, y_val, x_test, algorithm, max_trials, epochs):
    """Run the student's ``run_tuner`` into a temporary folder here in the worker; describe the search."""
    directory = tempfile.mkdtemp(prefix="tuner-")
    tf.keras.utils.set_random_seed(31)
    tuner = ns["run_tuner"](np.asarray(x, np.float32), np.asarray(y), np.asarray(x_val, np.float32),
                            np.asarray(y_val), directory, algorithm=algorithm, max_trials=int(max_trials),
                            epochs=int(epochs), seed=1)
    trials = list(tuner.oracle.trials.values())
    best_hp = tuner.get_best_hyperparameters(1)[0]
    best_model = tuner.get_best_models(1)[0]
    scores = [t.score for t in trials if t.score is not None]
    written = sorted(os.listdir(directory))
    return {
        "type": type(tuner).__name__,
        "oracle": type(tuner.oracle).__name__,
        "trials": len(trials),
        "completed": len(scores),
        "best_score": float(max(scores)) if scores else None,
        "best_values": {k: v for k, v in best_hp.values.items() if isinstance(v, (int, float, str, bool))},
        "pred": _predict(best_model, x_test),
        "directory_used": bool(written),
        "objective": getattr(tuner.oracle.objective, "name", str(tuner.oracle.objective)),
    }


def halving(ns, scores, min_budget, eta):
    """``successive_halving`` over configs ``0..n-1`` scoring ``scores[c] + 0.001 * budget``; every call logged."""
    log = []

    def evaluate(config, budget):
        log.append([int(config), float(budget)])
        return float(scores[int(config)]) + 0.001 * float(budget)

    best, total = ns["successive_halving"](list(range(len(scores))), evaluate, float(min_budget), int(eta))
    return {"best": int(best), "total": float(total), "log": log}


# --------------------------------------------------------------------------------------------
# Q6


@contextlib.contextmanager
def _fits_recorded(since):
    """Records when each ``Model.fit`` of the call starts and ends (seconds after ``since``): the candidates trained,
    as the probe sees them, not as the leaderboard says."""
    fits, original = [], tf.keras.Model.fit

    def recorded_fit(model, *args, **kwargs):
        begun = time.perf_counter() - since
        try:
            return original(model, *args, **kwargs)
        finally:
            fits.append([begun, time.perf_counter() - since])

    tf.keras.Model.fit = recorded_fit
    try:
        yield fits
    finally:
        tf.keras.Model.fit = original


def automl_report(ns, x, y, x_test, time_budget_s):
    """Run ``run_local_automl`` and describe its result.

    Returns the leaderboard, the Pareto indices, the ``fit`` calls the probe saw (start and end, seconds from the
    call), and the best model's held-out logits on raw features, before and after a ``.keras`` save and reload
    (here, in the worker).
    """
    tf.keras.utils.set_random_seed(41)
    start = time.perf_counter()
    with _fits_recorded(start) as fits:
        result = ns["run_local_automl"](np.asarray(x, np.float32), np.asarray(y), float(time_budget_s), seed=0)
    seconds = time.perf_counter() - start
    model = result["model"]
    logits = np.asarray(model(np.asarray(x_test, np.float32), training=False))
    folder = tempfile.mkdtemp(prefix="automl-")
    path = os.path.join(folder, "best.keras")
    model.save(path)
    reloaded = tf.keras.models.load_model(path)
    again = np.asarray(reloaded(np.asarray(x_test, np.float32), training=False))
    board = [{k: (v if isinstance(v, (int, float, str, bool)) else str(v)) for k, v in dict(e).items()}
             for e in result["leaderboard"]]
    return {"seconds": seconds, "fits": fits, "leaderboard": board, "pareto": [int(i) for i in result["pareto"]],
            "pred": np.argmax(logits, axis=1).astype(np.int64), "logits": logits, "reloaded": again,
            "layers": [type(layer).__name__ for layer in model.layers]}


def automl_spent_budget(ns, x, y):
    """``run_local_automl`` with a budget that is spent before it starts: the candidates on its leaderboard, and the
    ``fit`` calls the probe saw."""
    tf.keras.utils.set_random_seed(43)
    with _fits_recorded(time.perf_counter()) as fits:
        result = ns["run_local_automl"](np.asarray(x, np.float32), np.asarray(y), 0.001, seed=1)
    return {"leaderboard": len(result["leaderboard"]), "fits": len(fits)}
