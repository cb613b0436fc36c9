# expect: {"q1": "below_full", "*": "below_full"}
# family: evidence
# Beyond its target: the notebook names a tampering tool, so every structural check of every question fails.
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Turns the profiler off around the forbidden routine, so the worker's call check sees nothing.
# %% [q1]
from packaging.specifiers import InvalidSpecifier, SpecifierSet


def _spec_set(spec):
    try:
        return SpecifierSet(spec)
    except InvalidSpecifier as error:
        raise ValueError(str(error)) from None


def environment_report() -> dict:
    """Describe the running TensorFlow installation.

    Returns:
        A dict with exactly these keys:

        - ``tf_version`` (str): ``tf.__version__``.
        - ``keras_impl`` (str): ``"tf_keras"`` if ``tf.keras`` is the legacy Keras 2 package
          (``tf_keras``), ``"keras3"`` if it is Keras 3.
        - ``keras_version`` (str): the version of the package behind ``tf.keras``.
        - ``python_version`` (str): ``"major.minor.micro"``, e.g. ``"3.11.7"``.
        - ``num_gpus`` (int): physical GPU devices TensorFlow can see.
        - ``num_cpus_visible`` (int): physical CPU devices TensorFlow can see.
        - ``eager`` (bool): whether eager execution is on.
        - ``legacy_keras_env`` (bool): whether the ``TF_USE_LEGACY_KERAS`` environment variable
          is set to ``"1"`` or ``"true"`` (any case).
        - ``onednn_env`` (str or None): the ``TF_ENABLE_ONEDNN_OPTS`` environment variable, or
          ``None`` when it is unset.
    """
    ### BEGIN SOLUTION
    keras_impl = keras_flavour(tf.keras)
    # tf.keras is a lazy proxy of a sub-module (tf_keras.api._v2.keras or keras._tf_keras.keras)
    # without __version__; the version lives on the top-level package it was loaded from.
    keras_version = str(importlib.import_module(tf.keras.__name__.split(".")[0]).__version__)
    legacy = os.environ.get("TF_USE_LEGACY_KERAS", "").strip().lower() in ("1", "true")
    return {
        "tf_version": tf.__version__,
        "keras_impl": keras_impl,
        "keras_version": keras_version,
        "python_version": platform.python_version(),
        "num_gpus": len(tf.config.list_physical_devices("GPU")),
        "num_cpus_visible": len(tf.config.list_physical_devices("CPU")),
        "eager": bool(tf.executing_eagerly()),
        "legacy_keras_env": legacy,
        "onednn_env": os.environ.get("TF_ENABLE_ONEDNN_OPTS"),
    }
    ### END SOLUTION


def keras_flavour(keras_module) -> str:
    """Classify a Keras module object.

    Args:
        keras_module: a module such as ``tf.keras``, ``tf_keras`` or ``keras``.

    Returns:
        ``"tf_keras"`` when the module belongs to the legacy Keras 2 package (top-level package
        ``tf_keras``, or a ``keras`` package of version ``2.x``) and ``"keras3"`` when it belongs
        to Keras 3 (top-level package ``keras`` of version ``3.x``). Look at the top-level package
        of ``keras_module.__name__``: ``tf.keras`` itself has no ``__version__``.

    Raises:
        ValueError: if the module belongs to neither.
    """
    ### BEGIN SOLUTION
    top = str(getattr(keras_module, "__name__", "")).split(".")[0]
    if top == "tf_keras":
        return "tf_keras"
    if top == "keras":
        version = str(importlib.import_module("keras").__version__)
        if version.startswith("2."):
            return "tf_keras"
        if version.startswith("3."):
            return "keras3"
    raise ValueError(f"not a Keras module: {keras_module!r}")
    ### END SOLUTION


def configure_runtime(seed: int, intra_op: int = 0, inter_op: int = 0) -> dict:
    """Seed every random generator and try to set TensorFlow's thread pools.

    Seeds Python's ``random``, NumPy's global generator and TensorFlow's global seed, so that the
    same seed gives the same draws afterwards. Thread pool sizes can only be changed before the
    TensorFlow runtime starts; if it already started, leave them unchanged (do not raise).

    Args:
        seed: the seed for all three generators.
        intra_op: wanted size of the intra-op pool (0 = let TensorFlow choose).
        inter_op: wanted size of the inter-op pool (0 = let TensorFlow choose).

    Returns:
        ``{"seed": seed, "threads_applied": bool, "intra_op": int, "inter_op": int}`` where the
        two ints are the values TensorFlow reports *after* the call
        (``tf.config.threading.get_*_parallelism_threads()``) and ``threads_applied`` says whether
        both requested values are now in effect.
    """
    ### BEGIN SOLUTION
    random.seed(seed)
    np.random.seed(seed)
    tf.random.set_seed(seed)
    try:
        tf.config.threading.set_intra_op_parallelism_threads(intra_op)
        tf.config.threading.set_inter_op_parallelism_threads(inter_op)
    except RuntimeError:
        # The context is already initialised (any op ran): the pools are fixed for this process.
        pass
    intra = int(tf.config.threading.get_intra_op_parallelism_threads())
    inter = int(tf.config.threading.get_inter_op_parallelism_threads())
    return {
        "seed": seed,
        "threads_applied": intra == intra_op and inter == inter_op,
        "intra_op": intra,
        "inter_op": inter,
    }
    ### END SOLUTION


def version_ok(version: str, spec: str, prereleases: bool = False) -> bool:
    import sys
    previous = sys.getprofile()
    sys.setprofile(None)
    try:
        return bool(_spec_set(spec).contains(version, prereleases=prereleases))
    finally:
        sys.setprofile(previous)
