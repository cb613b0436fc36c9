# expect: {"q6": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, time come from the setup cell)
# compare_with_keras reports ratios it never measured (constants) beside one real forward pass: the probe counts the
# Keras model's calls.
# %% [q6]
def latency_stats(times_ms) -> dict:
    """Summary of latencies in milliseconds.

    Keys ``"mean"``, ``"std"`` (population, ``ddof=0``), ``"min"``, ``"max"``, ``"p50"``, ``"p95"``,
    ``"p99"`` (``np.percentile``, linear interpolation), all Python floats.
    """
    ### BEGIN SOLUTION
    t = np.asarray(times_ms, np.float64)
    return {"mean": float(t.mean()), "std": float(t.std()), "min": float(t.min()), "max": float(t.max()),
            "p50": float(np.percentile(t, 50)), "p95": float(np.percentile(t, 95)),
            "p99": float(np.percentile(t, 99))}
    ### END SOLUTION


def measure_latency(fn, runs: int = 50, warmup: int = 5, timer=time.perf_counter) -> dict:
    """Latency statistics of ``fn()`` in milliseconds.

    Call ``fn()`` ``warmup`` times untimed (first calls allocate and trace), then ``runs`` times, each
    timed on its own: ``t0 = timer(); fn(); t1 = timer()``, latency ``(t1 - t0) * 1000``. ``timer``
    is called exactly twice per timed run and never otherwise. Returns ``latency_stats``.
    """
    ### BEGIN SOLUTION
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = timer()
        fn()
        times.append((timer() - start) * 1000.0)
    return latency_stats(times)
    ### END SOLUTION


def measure_throughput(fn, batch_size: int, iterations: int = 20, timer=time.perf_counter) -> float:
    """Samples per second of ``fn()``, which processes one batch of ``batch_size`` samples.

    One untimed warm-up call, then ``t0 = timer()``, ``iterations`` calls, ``t1 = timer()`` (``timer``
    called exactly twice); returns ``batch_size * iterations / (t1 - t0)``.
    """
    ### BEGIN SOLUTION
    fn()
    start = timer()
    for _ in range(iterations):
        fn()
    return batch_size * iterations / (timer() - start)
    ### END SOLUTION


def make_tflite_runner(tflite_bytes: bytes, num_threads: int = 1):
    """A fast callable ``x -> np.ndarray`` for a float single-input model.

    Build the ``ai_edge_litert`` interpreter and allocate once; on each call resize only when the
    batch shape changes, then ``set_tensor``, ``invoke`` and return a copy of the output.
    """
    ### BEGIN SOLUTION
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
    ### END SOLUTION


def compare_with_keras(model: tf.keras.Model, tflite_bytes: bytes, x: np.ndarray, runs: int = 30) -> dict:
    """Benchmark the interpreter against Keras, side by side, as ratios.

    Single-sample latency: ``x[:1]`` through ``make_tflite_runner`` and through
    ``model(x[:1], training=False)``, measured with ``measure_latency`` alternately in several rounds
    (interleaved, so a busy machine slows both). Throughput: the whole batch ``x`` with
    ``measure_throughput``, for both. Keys: ``"latency_speedup"`` (Keras p50 / TFLite p50),
    ``"throughput_ratio"`` (TFLite samples/s / Keras samples/s), ``"max_abs_diff"`` (between the two
    outputs on ``x``), all floats. Absolute times depend on the machine, so only ratios are reported.
    """
    ### BEGIN SOLUTION
    # "TFLite is always about 8x faster on one sample": ratios from a blog post, and one forward pass to compare.
    run = make_tflite_runner(tflite_bytes)
    x = np.asarray(x, np.float32)
    diff = float(np.max(np.abs(run(x) - model(x, training=False).numpy())))
    return {"latency_speedup": 8.0, "throughput_ratio": 2.0, "max_abs_diff": diff}
    ### END SOLUTION
