# expect: {"q3": "partial"}
# ruff: noqa: F821  (a fragment: tf, np, contextlib, ... come from the reference setup cell)
# Builds in the process-wide default graph instead of a fresh tf.Graph(): ops pile up there and
# the second call with the same variable name fails ("Variable w already exists").
# %% [q3]
def tensor_info(x) -> tuple:
    """(rank, static shape, dtype name)."""
    t = x if isinstance(x, (tf.Tensor, tf.Variable)) else tf.convert_to_tensor(x)
    if t.shape.rank is None:
        return (None, None, t.dtype.name)
    return (t.shape.rank, tuple(t.shape.as_list()), t.dtype.name)


def run_v1_graph(build_fn, feeds: dict) -> np.ndarray:
    """Build and run a TF1 graph."""
    graph = tf.compat.v1.get_default_graph()
    with graph.as_default():
        placeholders, fetch = build_fn()
        init = tf.compat.v1.global_variables_initializer()
        with tf.compat.v1.Session() as sess:
            sess.run(init)
            return sess.run(fetch, feed_dict={placeholders[k]: v for k, v in feeds.items()})
