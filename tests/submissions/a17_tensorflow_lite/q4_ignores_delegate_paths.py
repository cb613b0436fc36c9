# expect: {"q4": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# AcceleratedInterpreter ignores delegate_paths and always loads the default libraries.
# %% [q4]
DELEGATE_LIBRARIES = {
    "gpu": "libtensorflowlite_gpu_delegate.so",
    "nnapi": "libnnapi_delegate.so",
    "hexagon": "libhexagon_delegate.so",
    "edgetpu": "libedgetpu.so.1",
}
CPU_BACKENDS = {
    "xnnpack": OpResolverType.AUTO,
    "builtin": OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    "reference": OpResolverType.BUILTIN_REF,
}


class AcceleratedInterpreter:
    """A LiteRT interpreter on the first backend that works, in order of preference.

    Backends: the hardware delegates of ``DELEGATE_LIBRARIES`` (``"gpu"``, ``"nnapi"``,
    ``"hexagon"``, ``"edgetpu"``), each loaded with ``load_delegate(path)`` where ``path`` is
    ``delegate_paths[name]`` if given, else the default library name; and the CPU backends of
    ``CPU_BACKENDS``: ``"xnnpack"`` (the default resolver, which applies the XNNPACK delegate),
    ``"builtin"`` (builtin kernels, no default delegate) and ``"reference"`` (the slow reference
    kernels). A backend that fails (``OSError`` or ``ValueError`` when its library is missing or is
    not a delegate, or when the interpreter cannot be built) is recorded and the next is tried.

    Attributes:
        backend: the name of the backend in use.
        attempts: ``[[name, "ok" or the exception's class name], ...]`` in the order tried, up to
            and including the one that worked.
        interpreter: the ``ai_edge_litert`` ``Interpreter``, tensors allocated.

    Raises:
        ValueError: an unknown backend name in ``preferred``.
        RuntimeError: no backend worked; the message lists the attempts.
    """

    def __init__(self, model_content: bytes,
                 preferred=("gpu", "nnapi", "hexagon", "edgetpu", "xnnpack", "builtin", "reference"),
                 num_threads: int = 1, delegate_paths: dict | None = None):
        unknown = [name for name in preferred if name not in DELEGATE_LIBRARIES and name not in CPU_BACKENDS]
        if unknown:
            raise ValueError(f"unknown backends {unknown}; choose from "
                             f"{sorted(DELEGATE_LIBRARIES) + sorted(CPU_BACKENDS)}")
        paths = dict(DELEGATE_LIBRARIES)
        self.attempts, self.backend, self.interpreter = [], None, None
        for name in preferred:
            try:
                if name in DELEGATE_LIBRARIES:
                    delegate = load_delegate(paths[name])
                    interpreter = Interpreter(model_content=bytes(model_content), num_threads=num_threads,
                                              experimental_delegates=[delegate])
                else:
                    interpreter = Interpreter(model_content=bytes(model_content), num_threads=num_threads,
                                              experimental_op_resolver_type=CPU_BACKENDS[name])
                interpreter.allocate_tensors()
            except (OSError, ValueError, RuntimeError) as error:
                self.attempts.append([name, type(error).__name__])
                continue
            self.attempts.append([name, "ok"])
            self.backend, self.interpreter = name, interpreter
            return
        raise RuntimeError(f"no backend could run this model; attempts: {self.attempts}")

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Output of the model for one input batch ``x`` (its shape must match the model's input)."""
        inp = self.interpreter.get_input_details()[0]
        out = self.interpreter.get_output_details()[0]
        self.interpreter.set_tensor(inp["index"], np.asarray(x, inp["dtype"]))
        self.interpreter.invoke()
        return np.array(self.interpreter.get_tensor(out["index"]))
