"""Reference solution for A01, TensorFlow Fundamentals.

Each ``# %% [qK]`` section is the solution cell of question ``qK``, verbatim; nbgrader removes the
marked solution regions from the student release. This docstring sits before the first section, so
it is in no notebook cell.
"""

# %% [setup]

import contextlib
import importlib
import os
import platform
import random

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np
import tensorflow as tf
from packaging.version import Version


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
    ### BEGIN SOLUTION
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
                    ">": v > t and not (v.is_postrelease and same_base(v, t)),
                    "<": v < t and not (v.is_prerelease and not t.is_prerelease and same_base(v, t)),
                }[op]
        if not ok:
            return False
    return True
    ### END SOLUTION


# %% [q2]
def graph_of(fn, input_signature) -> tf.Graph:
    """Trace a Python function into a TensorFlow graph.

    Args:
        fn: a Python function of tensors.
        input_signature: a list of ``tf.TensorSpec``, one per argument of ``fn``.

    Returns:
        The ``tf.Graph`` of ``fn``'s concrete function for that signature.
    """
    ### BEGIN SOLUTION
    return tf.function(fn).get_concrete_function(*input_signature).graph
    ### END SOLUTION


def op_histogram(graph) -> dict:
    """Count the operations of a graph by op type.

    Args:
        graph: a ``tf.Graph`` or a ``GraphDef``; only top-level nodes count (not the bodies of
            functions in the graph's function library).

    Returns:
        ``{op_type: count}``, e.g. ``{"Placeholder": 1, "Mul": 2, ...}``.
    """
    ### BEGIN SOLUTION
    nodes = graph.as_graph_def().node if isinstance(graph, tf.Graph) else graph.node
    counts: dict = {}
    for node in nodes:
        counts[node.op] = counts.get(node.op, 0) + 1
    return counts
    ### END SOLUTION


def topological_order(graph_def) -> list:
    """Order the nodes of a GraphDef so that every node comes after all of its inputs.

    Use Kahn's algorithm over ``node.input``. An input is written ``"name"``, ``"name:k"``
    (output ``k`` of node ``name``) or ``"^name"`` (a control dependency); all three are edges
    from ``name``. Among the nodes that are ready, always emit the one that appears first in
    ``graph_def.node``, so the order is unique.

    Args:
        graph_def: a ``tf.compat.v1.GraphDef``.

    Returns:
        The list of node names.

    Raises:
        ValueError: if the graph has a cycle or an input names a node that is not in the graph.
    """
    ### BEGIN SOLUTION
    import heapq

    names = [node.name for node in graph_def.node]
    index = {name: i for i, name in enumerate(names)}
    consumers: list = [[] for _ in names]
    indegree = [0] * len(names)
    for i, node in enumerate(graph_def.node):
        for raw in node.input:
            src = raw.lstrip("^").split(":")[0]
            if src not in index:
                raise ValueError(f"node {node.name!r} reads unknown node {src!r}")
            consumers[index[src]].append(i)
            indegree[i] += 1
    ready = [i for i, d in enumerate(indegree) if d == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        i = heapq.heappop(ready)
        order.append(names[i])
        for j in consumers[i]:
            indegree[j] -= 1
            if indegree[j] == 0:
                heapq.heappush(ready, j)
    if len(order) != len(names):
        stuck = sorted(set(names) - set(order))
        raise ValueError(f"graph has a cycle through {stuck}")
    return order
    ### END SOLUTION


def evaluate_graph_def(graph_def, feeds: dict, fetch: str) -> np.ndarray:
    """Run a GraphDef with a small interpreter of your own (no Session, no import_graph_def).

    Evaluate the nodes ``fetch`` depends on in topological order with a dispatch table for the op
    types ``Placeholder, Const, Identity, NoOp, AddV2, Add, Sub, Mul, MatMul`` (honour the
    ``transpose_a``/``transpose_b`` attrs), ``Relu, Tanh`` and ``Sum`` (its axes are the second
    input; honour the ``keep_dims`` attr). ``Const`` values come from
    ``tf.make_ndarray(node.attr["value"].tensor)``. Results keep TensorFlow's dtypes (float32 in,
    float32 out).

    Args:
        graph_def: a ``GraphDef``, e.g. ``concrete_function.graph.as_graph_def()``.
        feeds: ``{placeholder_name: array}``; names may carry a ``":0"`` suffix.
        fetch: the name of the node to return (``"name"`` or ``"name:0"``).

    Returns:
        The value of ``fetch`` as a NumPy array.

    Raises:
        KeyError: if a needed ``Placeholder`` has no feed.
        ValueError: if a needed node has an op type outside the table above.
    """
    ### BEGIN SOLUTION
    nodes = {node.name: node for node in graph_def.node}
    feeds = {k.split(":")[0]: np.asarray(v) for k, v in feeds.items()}
    target = fetch.split(":")[0]

    # Only the fetch's ancestors run, so unsupported ops elsewhere in the graph do not matter.
    needed, stack = set(), [target]
    while stack:
        name = stack.pop()
        if name in needed:
            continue
        needed.add(name)
        stack.extend(i.lstrip("^").split(":")[0] for i in nodes[name].input)

    def binary(f):
        return lambda node, a: f(a[0], a[1])

    def matmul(node, a):
        x, y = a
        if node.attr["transpose_a"].b:
            x = x.T
        if node.attr["transpose_b"].b:
            y = y.T
        return np.matmul(x, y)

    def reduce_sum(node, a):
        axes = tuple(np.atleast_1d(a[1]).astype(int).tolist())
        keep = node.attr["keep_dims"].b
        return np.sum(a[0], axis=axes, keepdims=keep).astype(a[0].dtype)

    def placeholder(node, a):
        if node.name not in feeds:
            raise KeyError(f"no feed for placeholder {node.name!r}")
        dtype = tf.as_dtype(node.attr["dtype"].type).as_numpy_dtype
        return feeds[node.name].astype(dtype, copy=False)

    table = {
        "Placeholder": placeholder,
        "Const": lambda node, a: tf.make_ndarray(node.attr["value"].tensor),
        "Identity": lambda node, a: a[0],
        "NoOp": lambda node, a: None,
        "AddV2": binary(np.add),
        "Add": binary(np.add),
        "Sub": binary(np.subtract),
        "Mul": binary(np.multiply),
        "MatMul": matmul,
        "Relu": lambda node, a: np.maximum(a[0], np.zeros((), a[0].dtype)),
        "Tanh": lambda node, a: np.tanh(a[0]),
        "Sum": reduce_sum,
    }
    sub = tf.compat.v1.GraphDef()
    sub.node.extend(node for node in graph_def.node if node.name in needed)
    values: dict = {}
    for name in topological_order(sub):
        node = nodes[name]
        if node.op not in table:
            raise ValueError(f"unsupported op type {node.op!r} (node {name!r})")
        args = [values[i.split(":")[0]] for i in node.input if not i.startswith("^")]
        values[name] = table[node.op](node, args)
    return np.asarray(values[target])
    ### END SOLUTION


# %% [q3]
def tensor_info(x) -> tuple:
    """Describe a tensor's rank, static shape and dtype.

    Works on eager tensors, symbolic tensors inside a ``tf.function`` (unknown dimensions), NumPy
    arrays and nested Python lists (converted with ``tf.convert_to_tensor``).

    Args:
        x: the tensor or array-like.

    Returns:
        ``(rank, shape, dtype_name)``: ``rank`` an int (None if unknown), ``shape`` a tuple of
        ints with ``None`` for unknown dimensions (None if the rank is unknown), ``dtype_name``
        e.g. ``"float32"``.
    """
    ### BEGIN SOLUTION
    t = x if isinstance(x, (tf.Tensor, tf.Variable)) else tf.convert_to_tensor(x)
    shape = t.shape
    if shape.rank is None:
        return (None, None, t.dtype.name)
    return (shape.rank, tuple(shape.as_list()), t.dtype.name)
    ### END SOLUTION


def run_v1_graph(build_fn, feeds: dict) -> np.ndarray:
    """Build and run a TF1-style graph with ``tf.compat.v1``, without touching global state.

    Create a fresh ``tf.Graph``, call ``build_fn()`` inside it (it creates placeholders with
    ``tf.compat.v1.placeholder`` and maybe variables with ``tf.compat.v1.get_variable``), then
    open exactly one ``tf.compat.v1.Session`` on that graph in a ``with`` block, run the global
    variables initializer and fetch the result with a ``feed_dict``. Eager execution must still
    be on afterwards, and the process-wide default graph must not gain any op.

    Args:
        build_fn: a callable with no arguments returning ``(placeholders, fetch)`` where
            ``placeholders`` is ``{name: placeholder_tensor}`` and ``fetch`` a tensor.
        feeds: ``{name: array}`` with the same names as ``placeholders``.

    Returns:
        The fetched value as a NumPy array.
    """
    ### BEGIN SOLUTION
    graph = tf.Graph()
    with graph.as_default():
        placeholders, fetch = build_fn()
        init = tf.compat.v1.global_variables_initializer()
    with tf.compat.v1.Session(graph=graph) as sess:
        sess.run(init)
        feed_dict = {placeholders[name]: np.asarray(value) for name, value in feeds.items()}
        return np.asarray(sess.run(fetch, feed_dict=feed_dict))
    ### END SOLUTION


# %% [q4]
class RunningStats(tf.Module):
    """Streaming per-feature mean and population variance with Chan's parallel update.

    State lives in three non-trainable ``float64`` ``tf.Variable``s: ``count`` (scalar), ``mean``
    and ``m2`` (sum of squared deviations), both of shape ``(dim,)``. There are no other
    variables, so ``len(module.variables) == 3`` and ``module.trainable_variables == ()``.

    Args:
        dim: number of features.
    """

    def __init__(self, dim: int):
        super().__init__()
        ### BEGIN SOLUTION
        self.count = tf.Variable(tf.zeros([], tf.float64), trainable=False, name="count")
        self.mean = tf.Variable(tf.zeros([dim], tf.float64), trainable=False, name="mean")
        self.m2 = tf.Variable(tf.zeros([dim], tf.float64), trainable=False, name="m2")
        ### END SOLUTION

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32)])
    def update(self, x):
        """Fold a batch into the statistics (Chan et al. parallel update, in float64).

        Decorated with ``tf.function`` and this exact ``input_signature``, so it traces once for
        every batch size. An empty batch (0 rows) leaves the state unchanged.

        Args:
            x: a ``float32`` batch of shape ``(n, dim)``.
        """
        ### BEGIN SOLUTION
        x = tf.cast(x, tf.float64)
        n_b = tf.cast(tf.shape(x)[0], tf.float64)
        # Batch moments are computed around the batch mean, so large offsets do not cancel.
        mean_b = tf.math.divide_no_nan(tf.reduce_sum(x, axis=0), n_b)
        m2_b = tf.reduce_sum(tf.square(x - mean_b), axis=0)
        n_a = self.count.read_value()
        n = n_a + n_b
        delta = mean_b - self.mean
        self.mean.assign_add(delta * tf.math.divide_no_nan(n_b, n))
        self.m2.assign_add(m2_b + tf.square(delta) * tf.math.divide_no_nan(n_a * n_b, n))
        self.count.assign(n)
        ### END SOLUTION

    def merge(self, other: "RunningStats") -> None:
        """Fold the state of another ``RunningStats`` (same ``dim``) into this one.

        Afterwards this module holds the statistics of both streams together; ``other`` is
        unchanged.

        Args:
            other: the module to merge in.
        """
        ### BEGIN SOLUTION
        n_a, n_b = self.count.read_value(), other.count.read_value()
        n = n_a + n_b
        delta = other.mean - self.mean
        self.mean.assign_add(delta * tf.math.divide_no_nan(n_b, n))
        self.m2.assign_add(other.m2 + tf.square(delta) * tf.math.divide_no_nan(n_a * n_b, n))
        self.count.assign(n)
        ### END SOLUTION

    @property
    def variance(self) -> tf.Tensor:
        """Population variance per feature (``float64``, zeros before any data)."""
        ### BEGIN SOLUTION
        return tf.math.divide_no_nan(self.m2.read_value(), self.count.read_value())
        ### END SOLUTION

    @property
    def std(self) -> tf.Tensor:
        """Population standard deviation per feature (``float64``)."""
        ### BEGIN SOLUTION
        return tf.sqrt(self.variance)
        ### END SOLUTION


# %% [q5]
def saturating_cast(x, dtype) -> tf.Tensor:
    """Cast to an integer dtype, clamping out-of-range values (by hand, not ``tf.dtypes.saturate_cast``).

    Rules: fractional parts are truncated toward zero (as ``tf.cast`` does); values below
    ``dtype.min`` become ``dtype.min``, values above ``dtype.max`` become ``dtype.max`` (``+inf``
    and ``-inf`` included); ``NaN`` becomes 0. The input may be any float or integer dtype (not
    ``uint64``), as a tensor or a NumPy array.

    Args:
        x: the values.
        dtype: the target ``tf.DType``, one of ``int8, uint8, int16, uint16, int32, int64``.

    Returns:
        A ``tf.Tensor`` of ``dtype`` and the shape of ``x``.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x)
    dtype = tf.as_dtype(dtype)
    # Compare in a dtype where both bounds and every input are exact enough: float64 for floats
    # (float32 cannot hold 2**31 - 1), int64 for integers. Bounds become masks, not a clip, so a
    # bound that rounds up in float (int64.max -> 2.0**63) is never cast back out of range.
    if x.dtype.is_floating:
        wide = tf.cast(x, tf.float64)
        wide = tf.where(tf.math.is_nan(wide), tf.zeros_like(wide), wide)
        lo, hi = float(dtype.min), float(dtype.max)
    else:
        wide = tf.cast(x, tf.int64)
        lo, hi = int(max(dtype.min, tf.int64.min)), int(min(dtype.max, tf.int64.max))
    below = wide <= lo
    above = wide >= hi
    inside = tf.where(below | above, tf.zeros_like(wide), wide)
    cast = tf.cast(inside, dtype)
    return tf.where(above, tf.constant(dtype.max, dtype), tf.where(below, tf.constant(dtype.min, dtype), cast))
    ### END SOLUTION


def promote_and_add(a, b) -> tf.Tensor:
    """Add two tensors of possibly different dtypes after explicit type promotion.

    TensorFlow does not promote (``int32 + float32`` raises). Promote both operands to the
    smallest dtype that holds every value of both, then add (broadcasting as usual):

    - ``bool`` is below everything: ``bool + T -> T``; ``bool + bool -> bool`` (logical or).
    - two signed or two unsigned integers: the wider one.
    - signed + unsigned: the signed one if it is strictly wider, else the signed integer with
      twice the unsigned one's bits (``uint8+int8 -> int16``, ``uint32+int32 -> int64``).
    - integer + float: an 8-bit integer needs ``float16``, a 16-bit one ``float32``, a 32- or
      64-bit one ``float64``; the result is the wider of that and the float.
    - float + float: the wider.
    - complex + anything: ``complex64`` if the other operand fits in ``float32`` by the rules
      above (and the complex is ``complex64``), else ``complex128``.

    Supported dtypes: ``bool, int8/16/32/64, uint8/16/32, float16/32/64, complex64/128``.

    Args:
        a: a tensor or NumPy array.
        b: a tensor or NumPy array.

    Returns:
        ``a + b`` as a ``tf.Tensor`` of the promoted dtype.

    Raises:
        TypeError: if either operand has a dtype outside the supported list (e.g. ``tf.string``).
    """
    ### BEGIN SOLUTION
    a, b = tf.convert_to_tensor(a), tf.convert_to_tensor(b)
    supported = {
        tf.bool, tf.int8, tf.int16, tf.int32, tf.int64, tf.uint8, tf.uint16, tf.uint32,
        tf.float16, tf.float32, tf.float64, tf.complex64, tf.complex128,
    }
    for t in (a, b):
        if t.dtype not in supported:
            raise TypeError(f"cannot promote dtype {t.dtype.name}")

    def kind(d):
        if d == tf.bool:
            return 0
        if d.is_integer:
            return 1
        if d.is_floating:
            return 2
        return 3

    def bits(d):
        return d.size * 8

    def float_bits_needed(d):
        # Width of the smallest float that holds every value of d exactly (64 is the cap).
        if d == tf.bool:
            return 16
        if d.is_integer:
            return {8: 16, 16: 32}.get(bits(d), 64)
        if d.is_complex:
            return bits(d) // 2
        return bits(d)

    da, db = a.dtype, b.dtype
    if da == db:
        out = da
    elif kind(da) == 0 or kind(db) == 0:
        out = db if kind(da) == 0 else da
    elif kind(da) == kind(db) == 1:
        if da.is_unsigned == db.is_unsigned:
            out = da if bits(da) >= bits(db) else db
        else:
            s, u = (db, da) if da.is_unsigned else (da, db)
            out = s if bits(s) > bits(u) else tf.as_dtype(f"int{2 * bits(u)}")
    elif max(kind(da), kind(db)) == 2:
        out = tf.as_dtype(f"float{max(float_bits_needed(da), float_bits_needed(db))}")
    else:
        out = tf.complex64 if max(float_bits_needed(da), float_bits_needed(db)) <= 32 else tf.complex128
    if out == tf.bool:
        return tf.logical_or(a, b)
    return tf.cast(a, out) + tf.cast(b, out)
    ### END SOLUTION


@tf.function(input_signature=[tf.TensorSpec([None, None, None], tf.float32)])
def flatten_keep_batch(x):
    """Flatten ``(B, H, W)`` to ``(B, H*W)`` for any sizes, traced exactly once.

    Keep this decorator. Use dynamic shapes (``tf.shape``), since the static shape inside the
    graph is ``(None, None, None)``; the output's static shape is ``(None, None)``.

    Args:
        x: a ``float32`` tensor of shape ``(B, H, W)``; any of the sizes may be 0.

    Returns:
        The ``(B, H*W)`` tensor, rows in C order.
    """
    ### BEGIN SOLUTION
    dyn = tf.shape(x)
    return tf.reshape(x, tf.stack([dyn[0], dyn[1] * dyn[2]]))
    ### END SOLUTION


def nbytes(x) -> int:
    """Bytes taken by a tensor's elements.

    Args:
        x: a tensor or NumPy array of a numeric or bool dtype.

    Returns:
        ``number_of_elements * bytes_per_element`` as a Python ``int``.

    Raises:
        TypeError: for string tensors, whose elements have no fixed size.
    """
    ### BEGIN SOLUTION
    t = tf.convert_to_tensor(x)
    if t.dtype == tf.string:
        raise TypeError("string tensors have no fixed element size")
    return int(t.shape.num_elements()) * int(t.dtype.size)
    ### END SOLUTION


# %% [q6]
def step(x):
    """One eager "step": 16 rounds of ``x = tanh(1.5 * x + 0.1) - 0.05 * x``.

    Write it with TensorFlow ops (``tf.tanh``, ``*``, ``+``, ``-``), in exactly this order, so
    that it runs op by op in eager mode.

    Args:
        x: a ``float32`` tensor of any shape.

    Returns:
        The transformed tensor (same shape and dtype).
    """
    ### BEGIN SOLUTION
    for _ in range(16):
        x = tf.tanh(1.5 * x + 0.1) - 0.05 * x
    return x
    ### END SOLUTION


@tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32)])
def fast_step(x):
    """The same computation as ``step``, compiled into one graph.

    Keep this decorator: the signature makes one trace serve every 2-D ``float32`` shape, and
    each call then runs the whole graph in one go instead of dispatching 80 ops from Python.

    Args:
        x: a 2-D ``float32`` tensor.

    Returns:
        ``step(x)``.
    """
    ### BEGIN SOLUTION
    return step(x)
    ### END SOLUTION


@tf.function(input_signature=[tf.TensorSpec([], tf.int32)])
def collatz_steps(n):
    """Number of Collatz steps from ``n`` down to 1 (``collatz_steps(27) == 111``).

    Keep this decorator and write plain Python ``while``/``if`` on tensors: AutoGraph turns them
    into a graph loop. ``n <= 1`` gives 0.

    Args:
        n: an ``int32`` scalar tensor (Python ints are converted by the signature).

    Returns:
        An ``int32`` scalar tensor.
    """
    ### BEGIN SOLUTION
    steps = tf.constant(0, tf.int32)
    while n > 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps
    ### END SOLUTION


@contextlib.contextmanager
def eager_debugging():
    """Run every ``tf.function`` eagerly inside the ``with`` block, for debugging.

    On entry, ``tf.config.run_functions_eagerly(True)``; on exit, restore the value that was in
    effect before, also when the block raises (the exception propagates).

    Yields:
        None.
    """
    ### BEGIN SOLUTION
    previous = tf.config.functions_run_eagerly()
    tf.config.run_functions_eagerly(True)
    try:
        yield
    finally:
        tf.config.run_functions_eagerly(previous)
    ### END SOLUTION
