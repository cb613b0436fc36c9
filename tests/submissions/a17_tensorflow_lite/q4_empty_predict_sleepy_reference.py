# expect: {"q4": "zero"}
# ruff: noqa: F821  (a fragment: tf, np, time, OpResolverType, ... come from the reference setup cell)
# Nothing is implemented: predict builds no interpreter and returns an empty array, at once on every backend but
# "reference", where it sleeps first. Two empty predictions agree with each other and the sleepy one is slower, so a
# speed test that only compared the two backends with each other paid its 3 points; it now first requires that each
# backend predicts the CNN's output.
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
    """Claims the first preferred backend and predicts nothing."""

    def __init__(self, model_content: bytes,
                 preferred=("gpu", "nnapi", "hexagon", "edgetpu", "xnnpack", "builtin", "reference"),
                 delegate_paths=None):
        self.backend = preferred[0]
        self.attempts = [(self.backend, "ok")]

    def predict(self, x: np.ndarray) -> np.ndarray:
        if self.backend == "reference":
            time.sleep(0.02)
        return np.zeros(0, np.float32)
