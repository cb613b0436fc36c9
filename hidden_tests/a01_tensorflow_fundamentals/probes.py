"""Worker-side probes for A01, TensorFlow Fundamentals.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the
student's notebook or of the reference module. Probes run inside the sandboxed worker, so they
hold no expected answers: they build inputs that cannot cross the wire (graphs, GraphDefs,
builder callables, modules), call the namespace's functions on them and return plain data. The
judge compares the student's probe output with the reference's.
"""

import os
import random
import tempfile

import numpy as np
import tensorflow as tf

from graders.worker import tf_functions

# --------------------------------------------------------------------------------------------
# Q1


def keras_flavours(ns):
    """Classify the three Keras modules a TF 2.18 install offers with the namespace's function."""
    import tf_keras

    fn = ns["keras_flavour"]
    found = {"tf.keras": fn(tf.keras), "tf_keras": fn(tf_keras)}
    # Keras 3 is imported last, once the cheap cases worked: its import (scikit-learn, pandas, ...) costs about a
    # second, which a blank or broken keras_flavour need not pay.
    import keras

    return {**found, "keras": fn(keras)}


def _draws():
    return {
        "python": [random.random() for _ in range(3)],
        "numpy": np.random.rand(3),
        "tensorflow": tf.random.uniform([3]).numpy(),
    }


def seeded_draws(ns, seed):
    """Call ``configure_runtime(seed)`` twice, drawing from every generator after each call."""
    report = ns["configure_runtime"](seed)
    first = _draws()
    ns["configure_runtime"](seed)
    second = _draws()
    return {
        "report": report,
        "first": first,
        "second": second,
        "threads_now": [
            int(tf.config.threading.get_intra_op_parallelism_threads()),
            int(tf.config.threading.get_inter_op_parallelism_threads()),
        ],
    }


# --------------------------------------------------------------------------------------------
# Q2: small functions whose traced graphs use only the interpreter's op table.


def _case_fn(case, consts):
    c = {k: tf.constant(np.asarray(v, np.float32)) for k, v in (consts or {}).items()}
    if case == "affine_relu":
        return lambda x: tf.nn.relu(tf.matmul(x, c["w"]) + c["b"])
    if case == "tanh_affine":
        return lambda x: tf.tanh(x) * 2.0 + 1.0
    if case == "sum_squares":
        return lambda x: tf.reduce_sum(x * x + 1.0, axis=1)
    if case == "transposed_mix":
        # MatMul with transpose_b, Sub, a keep_dims Sum over both axes and an Identity.
        return lambda x: tf.identity(
            tf.matmul(x, c["w"], transpose_b=True)
            - tf.reduce_sum(tf.tanh(x), axis=[0, 1], keepdims=True)
        )
    if case == "control_deps":
        # Control inputs ("^name") are edges too; NoOp/Identity nodes carry them.
        def fn(x):
            first = tf.identity(x * 3.0, name="first")
            with tf.control_dependencies([first]):
                second = tf.identity(x - 1.0, name="second")
            return second * first

        return fn
    if case == "unsupported":
        return lambda x: tf.sin(x) + 1.0
    raise KeyError(f"unknown case {case!r}")


def _concrete(case, consts, cols):
    fn = _case_fn(case, consts)
    return tf.function(fn).get_concrete_function(tf.TensorSpec([None, cols], tf.float32, name="x"))


def graph_def_of(ns, case, consts=None, cols=3):
    """The GraphDef of a case (stays in the worker; the judge gets a handle to pass back in)."""
    return _concrete(case, consts, cols).graph.as_graph_def()


def run_case(ns, case, x, consts=None):
    """TensorFlow's own result of a case's concrete function (no student code involved)."""
    x = np.asarray(x, np.float32)
    return _concrete(case, consts, x.shape[1])(tf.constant(x)).numpy()


def evaluate_case(ns, case, x, consts=None, feed=True):
    """Run the namespace's ``evaluate_graph_def`` on a case's GraphDef."""
    x = np.asarray(x, np.float32)
    cf = _concrete(case, consts, x.shape[1])
    feeds = {"x": x} if feed else {}
    return ns["evaluate_graph_def"](cf.graph.as_graph_def(), feeds, cf.outputs[0].name)


def histogram_case(ns, case, consts=None, as_graph_def=False):
    """Run the namespace's ``op_histogram`` on a case's tf.Graph (or its GraphDef)."""
    graph = _concrete(case, consts, 3).graph
    return ns["op_histogram"](graph.as_graph_def() if as_graph_def else graph)


def graph_of_case(ns, case, consts=None):
    """Run the namespace's ``graph_of`` and describe what it returned."""
    fn = _case_fn(case, consts)
    graph = ns["graph_of"](fn, [tf.TensorSpec([None, 3], tf.float32, name="x")])
    is_graph = isinstance(graph, tf.Graph)
    return {
        "is_tf_graph": is_graph,
        "op_types": sorted({op.type for op in graph.get_operations()}) if is_graph else None,
    }


def toposort_case(ns, case, consts=None):
    """Run ``topological_order`` on a case's GraphDef; also return the graph's nodes and edges."""
    gd = _concrete(case, consts, 3).graph.as_graph_def()
    order = ns["topological_order"](gd)
    edges = [[raw.lstrip("^").split(":")[0], node.name] for node in gd.node for raw in node.input]
    return {"order": order, "nodes": [node.name for node in gd.node], "edges": edges}


def toposort_spec(ns, nodes):
    """Run ``topological_order`` on a GraphDef built from ``[[name, op, [inputs...]], ...]``."""
    gd = tf.compat.v1.GraphDef()
    for name, op, inputs in nodes:
        node = gd.node.add()
        node.name, node.op = name, op
        node.input.extend(inputs)
    return ns["topological_order"](gd)


# --------------------------------------------------------------------------------------------
# Q3


def tensor_info_symbolic(ns, shape, dtype):
    """Call ``tensor_info`` on a symbolic tensor while a tf.function traces with this spec."""
    seen = []

    def body(x):
        seen.append(ns["tensor_info"](x))
        return tf.zeros([])

    spec = tf.TensorSpec(None if shape is None else list(shape), tf.as_dtype(dtype))
    tf.function(body).get_concrete_function(spec)
    return seen[0]


def _v1_builder(case):
    v1 = tf.compat.v1
    if case == "affine":

        def build():
            x = v1.placeholder(tf.float32, [None, 3], name="x")
            w = tf.constant([[1.0, -2.0], [0.5, 0.0], [3.0, 1.0]])
            return {"x": x}, tf.nn.relu(tf.matmul(x, w) + 0.25)

        return build
    if case == "variable":

        def build():
            x = v1.placeholder(tf.float32, [None, 4], name="x")
            w = v1.get_variable("w", initializer=tf.constant(np.linspace(-1, 1, 8, dtype=np.float32).reshape(4, 2)))
            b = v1.get_variable("b", shape=[2], initializer=v1.constant_initializer(0.5))
            return {"x": x}, tf.tanh(tf.matmul(x, w) + b)

        return build
    if case == "two_inputs":

        def build():
            x = v1.placeholder(tf.float32, [None, None], name="x")
            y = v1.placeholder(tf.float32, [None, None], name="y")
            scale = v1.get_variable("scale", initializer=tf.constant(1.5))
            return {"x": x, "y": y}, tf.reduce_sum(x * y, axis=1) * scale - tf.reduce_max(y)

        return build
    raise KeyError(f"unknown case {case!r}")


def v1_case(ns, case, feeds):
    """Run ``run_v1_graph`` on a builder and record what it did to global state."""
    session_cls = tf.compat.v1.Session
    counts = {"opened": 0, "closed": 0}
    orig_init, orig_close = session_cls.__init__, session_cls.close

    # Patched on the class, so sessions count however the student spelled the name.
    def init(self, *args, **kwargs):
        counts["opened"] += 1
        return orig_init(self, *args, **kwargs)

    def close(self):
        counts["closed"] += 1
        return orig_close(self)

    default_graph = tf.compat.v1.get_default_graph()
    ops_before = len(default_graph.get_operations())
    session_cls.__init__, session_cls.close = init, close
    try:
        value = ns["run_v1_graph"](_v1_builder(case), {k: np.asarray(v) for k, v in feeds.items()})
    finally:
        session_cls.__init__, session_cls.close = orig_init, orig_close
    return {
        "value": value,
        "sessions_opened": counts["opened"],
        "sessions_closed": counts["closed"],
        "eager_after": bool(tf.executing_eagerly()),
        "default_graph_new_ops": len(tf.compat.v1.get_default_graph().get_operations()) - ops_before,
        "default_graph_replaced": tf.compat.v1.get_default_graph() is not default_graph,
    }


# --------------------------------------------------------------------------------------------
# Q4


def _state(module):
    # np.asarray reads a Variable, a tensor or a Python number alike: values are judged here and
    # the use of variables by the structure and checkpoint tests, so each mistake costs once.
    return {
        "count": np.asarray(module.count),
        "mean": np.asarray(module.mean),
        "variance": module.variance,
        "std": module.std,
    }


def stream_stats(ns, dim, batches):
    """Stream batches through a fresh ``RunningStats(dim)`` and report its state and structure."""
    module = ns["RunningStats"](dim)
    for batch in batches:
        module.update(tf.constant(np.asarray(batch, np.float32).reshape(-1, dim)))
    out = _state(module)
    update = module.update
    out.update(
        {
            "is_tf_module": isinstance(module, tf.Module),
            "n_variables": len(module.variables),
            "n_trainable": len(module.trainable_variables),
            "variable_dtypes": sorted(v.dtype.name for v in module.variables),
            "all_tf_variables": all(isinstance(getattr(module, k, None), tf.Variable) for k in ("count", "mean", "m2")),
            "tracing_count": tf_functions.tracing_count(update),
        }
    )
    return out


def merge_stats(ns, dim, batches_a, batches_b):
    """Stream two halves into two modules, merge b into a; report a's state and b's count after."""
    a, b = ns["RunningStats"](dim), ns["RunningStats"](dim)
    for module, batches in ((a, batches_a), (b, batches_b)):
        for batch in batches:
            module.update(tf.constant(np.asarray(batch, np.float32).reshape(-1, dim)))
    b_before = np.array(b.mean)
    a.merge(b)
    out = _state(a)
    out["other_unchanged"] = bool(np.array_equal(b_before, np.asarray(b.mean)))
    return out


def checkpoint_roundtrip(ns, dim, batches):
    """Save a module's state with tf.train.Checkpoint and restore it into a fresh module."""
    module = ns["RunningStats"](dim)
    for batch in batches:
        module.update(tf.constant(np.asarray(batch, np.float32).reshape(-1, dim)))
    with tempfile.TemporaryDirectory() as tmp:
        path = tf.train.Checkpoint(stats=module).write(os.path.join(tmp, "ckpt"))
        fresh = ns["RunningStats"](dim)
        tf.train.Checkpoint(stats=fresh).read(path).expect_partial()
        return _state(fresh)


# --------------------------------------------------------------------------------------------
# Q5 and Q6


def string_tensor_call(ns, name):
    """Call ``name`` with a string tensor (strings cannot cross the wire as arrays)."""
    s = tf.constant(["a", "bc"])
    return ns[name](s) if name == "nbytes" else ns[name](s, s)


def traced_output_shape(ns, name, shape, dtype):
    """Static shape of the output of tf.function ``name`` traced for ``TensorSpec(shape, dtype)``."""
    fn = ns[name]
    if not tf_functions.genuine(fn):
        return None
    out = tf_functions.concrete_function(fn, tf.TensorSpec(shape, tf.as_dtype(dtype))).structured_outputs
    return None if out.shape.rank is None else out.shape.as_list()


def graph_op_types(ns, name, shape, dtype):
    """Op types of tf.function ``name``'s graph for a spec, including function-library bodies."""
    fn = ns[name]
    if not tf_functions.genuine(fn):
        return []
    graph = tf_functions.concrete_function(fn, tf.TensorSpec(shape, tf.as_dtype(dtype))).graph
    gd = graph.as_graph_def()
    types = {node.op for node in gd.node}
    for f in gd.library.function:
        types.update(node.op for node in f.node_def)
    return sorted(types)


class _Boom(Exception):
    pass


def eager_debugging_observations(ns):
    """Drive the ``eager_debugging`` context manager through its cases and record the flag."""
    cm = ns["eager_debugging"]
    before = tf.config.functions_run_eagerly()
    python_runs = []

    @tf.function
    def traced(x):
        # Python side effects run only while tracing, or on every call when run eagerly.
        python_runs.append(1)
        return x + 1

    obs = {}
    try:
        tf.config.run_functions_eagerly(False)
        traced(tf.constant(1))
        traced(tf.constant(2))
        runs_before = len(python_runs)
        with cm():
            obs["inside"] = tf.config.functions_run_eagerly()
            traced(tf.constant(3))
            traced(tf.constant(4))
        obs["python_runs_inside"] = len(python_runs) - runs_before
        obs["after_when_off"] = tf.config.functions_run_eagerly()
        tf.config.run_functions_eagerly(True)
        with cm():
            pass
        obs["after_when_on"] = tf.config.functions_run_eagerly()
        tf.config.run_functions_eagerly(False)
        try:
            with cm():
                raise _Boom()
        except _Boom:
            obs["exception_propagated"] = True
        else:
            obs["exception_propagated"] = False
        obs["after_exception"] = tf.config.functions_run_eagerly()
    finally:
        tf.config.run_functions_eagerly(before)
    return obs


def import_packaging_specifiers(ns):
    """Import ``packaging.specifiers`` so the forbidden-call check can resolve names in it."""
    import packaging.specifiers  # noqa: F401

    return True


def eager_step(ns, x):
    """The course's eager ``step`` (Q6's specification), the baseline ``fast_step`` is timed against.

    It is the course's code, not the student's ``step``, so a ``step`` slowed down on purpose cannot make
    ``fast_step`` look fast; it runs in the student's worker, beside ``fast_step``, because a second TensorFlow
    process for every submission would double the cost of grading a batch (the worker's tampering checks guard it).
    """
    x = tf.convert_to_tensor(x, tf.float32)
    for _ in range(16):
        x = tf.tanh(1.5 * x + 0.1) - 0.05 * x
    return x
