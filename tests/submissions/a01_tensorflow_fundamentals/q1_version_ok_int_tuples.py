# expect: {"q1": "partial"}
# ruff: noqa: F821  (a fragment: tf, np, contextlib, ... come from the reference setup cell)
# Versions compared as tuples of ints: "2.19.0rc1" cannot be parsed, wildcards and ~= are
# approximations, pre-releases are never recognised. The report and seeding are right.
# %% [q1]
def environment_report() -> dict:
    """Describe the running TensorFlow installation."""
    top = tf.keras.__name__.split(".")[0]
    return {
        "tf_version": tf.__version__,
        "keras_impl": keras_flavour(tf.keras),
        "keras_version": importlib.import_module(top).__version__,
        "python_version": platform.python_version(),
        "num_gpus": len(tf.config.list_physical_devices("GPU")),
        "num_cpus_visible": len(tf.config.list_physical_devices("CPU")),
        "eager": tf.executing_eagerly(),
        "legacy_keras_env": os.environ.get("TF_USE_LEGACY_KERAS", "").lower() in ("1", "true"),
        "onednn_env": os.environ.get("TF_ENABLE_ONEDNN_OPTS"),
    }


def keras_flavour(keras_module) -> str:
    """tf_keras or keras3."""
    top = keras_module.__name__.split(".")[0]
    if top == "tf_keras":
        return "tf_keras"
    if top == "keras" and importlib.import_module("keras").__version__.startswith("3."):
        return "keras3"
    raise ValueError("not keras")


def configure_runtime(seed: int, intra_op: int = 0, inter_op: int = 0) -> dict:
    """Seed everything; set the thread pools when still possible."""
    tf.keras.utils.set_random_seed(seed)
    try:
        tf.config.threading.set_intra_op_parallelism_threads(intra_op)
        tf.config.threading.set_inter_op_parallelism_threads(inter_op)
    except RuntimeError:
        pass
    intra = tf.config.threading.get_intra_op_parallelism_threads()
    inter = tf.config.threading.get_inter_op_parallelism_threads()
    applied = (intra, inter) == (intra_op, inter_op)
    return {"seed": seed, "threads_applied": applied, "intra_op": intra, "inter_op": inter}


def version_ok(version: str, spec: str, prereleases: bool = False) -> bool:
    """Check a version against a specifier by comparing int tuples."""
    def parse(v):
        return tuple(int(p) for p in v.split(".") if p != "*")

    v = parse(version)
    for clause in spec.replace(" ", "").split(","):
        if not clause:
            continue
        op = clause[:2] if clause[:2] in ("==", "!=", ">=", "<=", "~=") else clause[:1]
        if op not in ("==", "!=", ">=", "<=", "~=", ">", "<"):
            raise ValueError(clause)
        t = parse(clause[len(op):])
        if op == "~=" and len(t) < 2:
            raise ValueError(clause)
        ok = {"==": v[: len(t)] == t, "!=": v[: len(t)] != t, ">=": v >= t, "<=": v <= t,
              ">": v > t, "<": v < t, "~=": v >= t and v[: len(t) - 1] == t[:-1]}[op]
        if not ok:
            return False
    return True
