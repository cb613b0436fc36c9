# expect: {"q1": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# version_ok's ">" admits a release equal to its bound (>= in place of >).
# %% [q1]
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


def version_ok(version: str, spec: str, prereleases: bool = False) -> bool:
    """Check a version against a comma-separated version specifier, without ``packaging.specifiers``.

    Clauses are joined by commas and all must hold, e.g. ``">=2.18,<2.19"``. Supported operators:
    ``==``, ``!=``, ``>=``, ``<=``, ``>``, ``<`` and ``~=`` (compatible release: ``~=2.18.1`` means
    ``>=2.18.1`` and same ``2.18`` prefix; ``~=2.18`` means ``>=2.18`` and same ``2`` prefix).
    ``==`` and ``!=`` accept a trailing ``.*`` wildcard (``==2.18.*``). Whitespace is ignored.
    As in PEP 440, ``<V`` never matches a pre-release of ``V`` itself (``<2.19`` rejects
    ``2.19.0rc1``) unless ``V`` is a pre-release, and ``>V`` never matches a post-release of ``V``.
    Compare versions with ``packaging.version.Version`` (already imported as ``Version``); compare
    wildcard prefixes on the release numbers (``Version(...).release``), padding with zeros.

    Args:
        version: the version to test, e.g. ``"2.18.1"`` or ``"2.19.0rc1"``.
        spec: the specifier, e.g. ``">=2.18,<2.19"``. An empty spec matches every release.
        prereleases: when False (default), a pre-release or dev version never matches.

    Returns:
        Whether ``version`` satisfies every clause.

    Raises:
        ValueError: for a clause with no known operator or ``~=`` with a single number.
    """
    v = Version(version)
    if v.is_prerelease and not prereleases:
        return False

    def release(ver: Version, n: int) -> tuple:
        return tuple(ver.release[:n]) + (0,) * max(0, n - len(ver.release))

    def same_base(x: Version, y: Version) -> bool:
        return Version(x.base_version) == Version(y.base_version)

    def prefix_match(pattern: str) -> bool:
        p = Version(pattern)
        return release(v, len(p.release)) == p.release

    for clause in spec.replace(" ", "").split(","):
        if not clause:
            continue
        # Two-character operators first, so ">=" is not read as ">".
        for op in ("~=", "==", "!=", ">=", "<=", ">", "<"):
            if clause.startswith(op):
                target = clause[len(op):]
                break
        else:
            raise ValueError(f"unknown operator in clause {clause!r}")
        if op in ("==", "!=") and target.endswith(".*"):
            ok = prefix_match(target[:-2])
            ok = ok if op == "==" else not ok
        else:
            t = Version(target)
            if op == "~=":
                if len(t.release) < 2:
                    raise ValueError(f"~= needs at least two release numbers: {clause!r}")
                prefix = ".".join(str(k) for k in t.release[:-1])
                ok = v >= t and prefix_match(prefix)
            else:
                ok = {
                    "==": v == t,
                    "!=": v != t,
                    ">=": v >= t,
                    "<=": v <= t,
                    # PEP 440 exclusive comparisons: "<2.19" must not admit 2.19.0rc1 and
                    # ">2.18" must not admit 2.18.post1, although they sort that way.
                    ">": v >= t and not (v.is_postrelease and same_base(v, t)),
                    "<": v < t and not (v.is_prerelease and not t.is_prerelease and same_base(v, t)),
                }[op]
        if not ok:
            return False
    return True
