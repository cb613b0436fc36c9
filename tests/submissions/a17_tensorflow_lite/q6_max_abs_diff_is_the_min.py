# expect: {"q6": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# compare_with_keras reports the smallest absolute difference as max_abs_diff.
# %% [q6]
def latency_stats(times_ms) -> dict:
    """Summary of latencies in milliseconds.

    Keys ``"mean"``, ``"std"`` (population, ``ddof=0``), ``"min"``, ``"max"``, ``"p50"``, ``"p95"``,
    ``"p99"`` (``np.percentile``, linear interpolation), all Python floats.
    """
    t = np.asarray(times_ms, np.float64)
    return {"mean": float(t.mean()), "std": float(t.std()), "min": float(t.min()), "max": float(t.max()),
            "p50": float(np.percentile(t, 50)), "p95": float(np.percentile(t, 95)),
            "p99": float(np.percentile(t, 99))}


def measure_latency(fn, runs: int = 50, warmup: int = 5, timer=time.perf_counter) -> dict:
    """Latency statistics of ``fn()`` in milliseconds.

    Call ``fn()`` ``warmup`` times untimed (first calls allocate and trace), then ``runs`` times, each
    timed on its own: ``t0 = timer(); fn(); t1 = timer()``, latency ``(t1 - t0) * 1000``. ``timer``
    is called exactly twice per timed run and never otherwise. Returns ``latency_stats``.
    """
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = timer()
        fn()
        times.append((timer() - start) * 1000.0)
    return latency_stats(times)


def measure_throughput(fn, batch_size: int, iterations: int = 20, timer=time.perf_counter) -> float:
    """Samples per second of ``fn()``, which processes one batch of ``batch_size`` samples.

    One untimed warm-up call, then ``t0 = timer()``, ``iterations`` calls, ``t1 = timer()`` (``timer``
    called exactly twice); returns ``batch_size * iterations / (t1 - t0)``.
    """
    fn()
    start = timer()
    for _ in range(iterations):
        fn()
    return batch_size * iterations / (timer() - start)


def make_tflite_runner(tflite_bytes: bytes, num_threads: int = 1):
    """A fast callable ``x -> np.ndarray`` for a float single-input model.

    Build the ``ai_edge_litert`` interpreter and allocate once; on each call resize only when the
    batch shape changes, then ``set_tensor``, ``invoke`` and return a copy of the output.
    """
    interpreter = Interpreter(model_content=bytes(tflite_bytes), num_threads=num_threads)
    interpreter.allocate_tensors()
    inp = interpreter.get_input_details()[0]["index"]
    out = interpreter.get_output_details()[0]["index"]
    shape = [tuple(interpreter.get_input_details()[0]["shape"])]

    def run(x):
        x = np.asarray(x, np.float32)
        if x.shape != shape[0]:
            interpreter.resize_tensor_input(inp, list(x.shape))
            interpreter.allocate_tensors()
            shape[0] = x.shape
        interpreter.set_tensor(inp, x)
        interpreter.invoke()
        return np.array(interpreter.get_tensor(out))

    return run


def compare_with_keras(model: tf.keras.Model, tflite_bytes: bytes, x: np.ndarray, runs: int = 30) -> dict:
    """Benchmark the interpreter against Keras, side by side, as ratios.

    Single-sample latency: ``x[:1]`` through ``make_tflite_runner`` and through
    ``model(x[:1], training=False)``, measured with ``measure_latency`` alternately in several rounds
    (interleaved, so a busy machine slows both). Throughput: the whole batch ``x`` with
    ``measure_throughput``, for both. Keys: ``"latency_speedup"`` (Keras p50 / TFLite p50),
    ``"throughput_ratio"`` (TFLite samples/s / Keras samples/s), ``"max_abs_diff"`` (between the two
    outputs on ``x``), all floats. Absolute times depend on the machine, so only ratios are reported.
    """
    run = make_tflite_runner(tflite_bytes)
    x = np.asarray(x, np.float32)
    one = x[:1]
    keras_p50, tflite_p50, keras_tp, tflite_tp = [], [], [], []
    for _ in range(3):
        tflite_p50.append(measure_latency(lambda: run(one), runs=runs, warmup=3)["p50"])
        keras_p50.append(measure_latency(lambda: model(one, training=False), runs=runs, warmup=3)["p50"])
        tflite_tp.append(measure_throughput(lambda: run(x), len(x), iterations=5))
        keras_tp.append(measure_throughput(lambda: model(x, training=False), len(x), iterations=5))
    diff = float(np.min(np.abs(run(x) - model(x, training=False).numpy())))
    return {"latency_speedup": float(np.median(keras_p50) / np.median(tflite_p50)),
            "throughput_ratio": float(np.median(tflite_tp) / np.median(keras_tp)),
            "max_abs_diff": diff}
