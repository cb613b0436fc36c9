# expect: {"q2": "partial"}
# ruff: noqa: F821  (a fragment: tf, np, contextlib, ... come from the reference setup cell)
# Control inputs ("^name") are skipped as "not data", and ":k" is not stripped either, so control
# edges are lost; ready nodes are taken LIFO. The interpreter only follows data edges and still works.
# %% [q2]
def graph_of(fn, input_signature) -> tf.Graph:
    """Trace fn into a graph."""
    return tf.function(fn).get_concrete_function(*input_signature).graph


def op_histogram(graph) -> dict:
    """Count ops by type."""
    nodes = graph.as_graph_def().node if isinstance(graph, tf.Graph) else graph.node
    counts = {}
    for node in nodes:
        counts[node.op] = counts.get(node.op, 0) + 1
    return counts


def topological_order(graph_def) -> list:
    """Kahn's algorithm over data inputs."""
    names = [n.name for n in graph_def.node]
    deps = {n.name: [i.split(":")[0] for i in n.input if not i.startswith("^")] for n in graph_def.node}
    for srcs in deps.values():
        for s in srcs:
            if s not in deps:
                raise ValueError(f"unknown input {s}")
    indeg = {name: len(srcs) for name, srcs in deps.items()}
    users = {name: [] for name in names}
    for name, srcs in deps.items():
        for s in srcs:
            users[s].append(name)
    ready = [name for name in names if indeg[name] == 0]
    order = []
    while ready:
        name = ready.pop()
        order.append(name)
        for u in users[name]:
            indeg[u] -= 1
            if indeg[u] == 0:
                ready.append(u)
    if len(order) != len(names):
        raise ValueError("cycle")
    return order


def evaluate_graph_def(graph_def, feeds: dict, fetch: str) -> np.ndarray:
    """Interpret the graph with NumPy."""
    nodes = {n.name: n for n in graph_def.node}
    feeds = {k.split(":")[0]: np.asarray(v) for k, v in feeds.items()}
    values = {}

    def ev(name):
        if name in values:
            return values[name]
        node = nodes[name]
        a = [ev(i.split(":")[0]) for i in node.input if not i.startswith("^")]
        op = node.op
        if op == "Placeholder":
            if name not in feeds:
                raise KeyError(name)
            v = feeds[name].astype(tf.as_dtype(node.attr["dtype"].type).as_numpy_dtype)
        elif op == "Const":
            v = tf.make_ndarray(node.attr["value"].tensor)
        elif op == "Identity":
            v = a[0]
        elif op in ("AddV2", "Add"):
            v = a[0] + a[1]
        elif op == "Sub":
            v = a[0] - a[1]
        elif op == "Mul":
            v = a[0] * a[1]
        elif op == "MatMul":
            x = a[0].T if node.attr["transpose_a"].b else a[0]
            y = a[1].T if node.attr["transpose_b"].b else a[1]
            v = x @ y
        elif op == "Relu":
            v = np.maximum(a[0], 0).astype(a[0].dtype)
        elif op == "Tanh":
            v = np.tanh(a[0])
        elif op == "Sum":
            axes = tuple(np.atleast_1d(a[1]).tolist())
            v = a[0].sum(axis=axes, keepdims=node.attr["keep_dims"].b).astype(a[0].dtype)
        elif op == "NoOp":
            v = None
        else:
            raise ValueError(f"unsupported op {op}")
        values[name] = v
        return v

    return np.asarray(ev(fetch.split(":")[0]))
