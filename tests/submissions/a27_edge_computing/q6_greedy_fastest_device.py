# expect: {"q6": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, Interpreter, ... come from the reference setup cell)
# Each task goes to its fastest device (greedy), which is not the minimum makespan.
# %% [q6]
BACKENDS = {"xnnpack": OpResolverType.AUTO, "builtin": OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
            "reference": OpResolverType.BUILTIN_REF}


def make_interpreter(model_bytes: bytes, backend: str = "xnnpack", num_threads: int = 1) -> Interpreter:
    """An allocated LiteRT ``Interpreter`` on one CPU backend.

    ``"xnnpack"``: ``OpResolverType.AUTO`` (XNNPACK applied by default); ``"builtin"``:
    ``BUILTIN_WITHOUT_DEFAULT_DELEGATES``; ``"reference"``: ``BUILTIN_REF`` (TFLite's unoptimised
    reference kernels). ``ValueError`` for another name.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}")
    interpreter = Interpreter(model_content=bytes(model_bytes), experimental_op_resolver_type=BACKENDS[backend],
                              num_threads=num_threads)
    interpreter.allocate_tensors()
    return interpreter


def predict(interpreter: Interpreter, x) -> np.ndarray:
    """Run an allocated single-input interpreter on ``x`` (matching its input shape); a copy of output 0."""
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], np.asarray(x, np.float32))
    interpreter.invoke()
    return np.array(interpreter.get_tensor(interpreter.get_output_details()[0]["index"]))


def with_fallback(model_bytes: bytes, delegate_path: str):
    """Try a hardware delegate, fall back to XNNPACK on the CPU.

    ``load_delegate(delegate_path)`` and an ``Interpreter(..., experimental_delegates=[delegate])``; if
    loading fails (``OSError`` or ``ValueError``: no such library, not a delegate), use
    ``make_interpreter(model_bytes, "xnnpack")``. Returns ``(interpreter, "delegate" | "xnnpack")``.
    Other errors propagate.
    """
    try:
        delegate = load_delegate(delegate_path)
    except (OSError, ValueError):
        return make_interpreter(model_bytes, "xnnpack"), "xnnpack"
    interpreter = Interpreter(model_content=bytes(model_bytes), experimental_delegates=[delegate])
    interpreter.allocate_tensors()
    return interpreter, "delegate"


def delegate_compatibility(model_bytes: bytes, allowed_ops) -> dict:
    """Can an int8-only accelerator (an NPU) take this model whole?

    Read the model with an interpreter built with ``BUILTIN_WITHOUT_DEFAULT_DELEGATES`` (so no XNNPACK
    node hides the ops). Returns:

    - ``"unsupported_ops"``: sorted op names (``_get_ops_details()``) not in ``allowed_ops``;
    - ``"float_tensors"``: number of tensors (``get_tensor_details()``) whose dtype is a float type;
    - ``"dynamic_inputs"``: sorted names of inputs whose ``shape_signature`` has a ``-1``;
    - ``"compatible"``: all three empty / zero.
    """
    interpreter = Interpreter(model_content=bytes(model_bytes),
                              experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    allowed = set(allowed_ops)
    ops = sorted({op["op_name"] for op in interpreter._get_ops_details()} - allowed)
    floats = sum(np.issubdtype(np.dtype(t["dtype"]), np.floating) for t in interpreter.get_tensor_details())
    dynamic = sorted(d["name"] for d in interpreter.get_input_details() if -1 in list(d["shape_signature"]))
    return {"unsupported_ops": ops, "float_tensors": int(floats), "dynamic_inputs": dynamic,
            "compatible": not ops and floats == 0 and not dynamic}


def schedule_heterogeneous(tasks: list, devices: list) -> dict:
    """Place independent inference tasks on heterogeneous devices to minimise the makespan.

    ``tasks``: ``[{"name": str, "latency": {device: seconds or None}}]`` (``None`` or a missing device:
    the task has an op that device cannot run). A device runs its tasks one after another; the makespan
    is the largest per-device total. Search exactly (at most 8 tasks and 4 devices).

    Returns ``{"assignment": {task_name: device}, "makespan": float}``; ``ValueError`` when some task runs
    on no device.
    """
    options = []
    for task in tasks:
        usable = [d for d in devices if task["latency"].get(d) is not None]
        if not usable:
            raise ValueError(f"task {task['name']!r} runs on no device")
        options.append(usable)
    best = None
    greedy = tuple(min(usable, key=lambda d, t=task: t["latency"][d]) for task, usable in zip(tasks, options,
                                                                                                strict=True))
    for choice in [greedy]:
        load = dict.fromkeys(devices, 0.0)
        for task, device in zip(tasks, choice, strict=True):
            load[device] += task["latency"][device]
        makespan = max(load.values())
        if best is None or makespan < best[0]:
            best = (makespan, choice)
    return {"assignment": {t["name"]: d for t, d in zip(tasks, best[1], strict=True)}, "makespan": float(best[0])}
