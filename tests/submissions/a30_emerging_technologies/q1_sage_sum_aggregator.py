# expect: {"q1": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, cirq, ... come from the reference setup cell)
# GraphSAGE aggregates the neighbours by their sum instead of their mean.
# %% [q1]
def normalized_adjacency(A) -> tf.Tensor:
    """GCN propagation matrix ``D^-1/2 (A + I) D^-1/2`` of a dense adjacency matrix (float32, shape (N, N))."""
    A = tf.convert_to_tensor(A, tf.float32)
    a_tilde = A + tf.eye(tf.shape(A)[0], dtype=tf.float32)
    d_inv_sqrt = tf.math.rsqrt(tf.reduce_sum(a_tilde, axis=1))
    return d_inv_sqrt[:, None] * a_tilde * d_inv_sqrt[None, :]


def gcn_layer(A_hat, X, W) -> tf.Tensor:
    """One graph convolution without activation: ``A_hat @ X @ W``."""
    X = tf.convert_to_tensor(X, tf.float32)
    return tf.matmul(tf.convert_to_tensor(A_hat, tf.float32), tf.matmul(X, tf.convert_to_tensor(W, tf.float32)))


def gat_layer(A, X, W, a_src, a_dst, negative_slope: float = 0.2):
    """One single-head graph attention layer (Velickovic et al. 2018), without output activation.

    ``H = X @ W``; scores ``e_ij = LeakyReLU(H_i . a_src + H_j . a_dst)`` for every j in i's neighbourhood including
    i itself (``A + I > 0``); ``alpha_ij`` = softmax of ``e_ij`` over that neighbourhood, 0 elsewhere; output
    ``alpha @ H``.

    Returns:
        ``(output (N, F'), alpha (N, N))``, float32 tensors.
    """
    A = tf.convert_to_tensor(A, tf.float32)
    H = tf.matmul(tf.convert_to_tensor(X, tf.float32), tf.convert_to_tensor(W, tf.float32))
    s = tf.linalg.matvec(H, tf.convert_to_tensor(a_src, tf.float32))
    d = tf.linalg.matvec(H, tf.convert_to_tensor(a_dst, tf.float32))
    e = tf.nn.leaky_relu(s[:, None] + d[None, :], alpha=negative_slope)
    mask = (A + tf.eye(tf.shape(A)[0])) > 0
    e = tf.where(mask, e, tf.fill(tf.shape(e), -1e30))
    alpha = tf.where(mask, tf.nn.softmax(e, axis=1), 0.0)
    return tf.matmul(alpha, H), alpha


def sage_layer(A, X, W_self, W_neigh) -> tf.Tensor:
    """GraphSAGE-mean layer without activation: ``X @ W_self + mean_{j in N(i)} X_j @ W_neigh``.

    The neighbour mean of a node without neighbours is zero.
    """
    A = tf.convert_to_tensor(A, tf.float32)
    X = tf.convert_to_tensor(X, tf.float32)
    deg = tf.reduce_sum(A, axis=1, keepdims=True)
    mean = tf.matmul(A, X) + 0.0 * deg
    return tf.matmul(X, tf.convert_to_tensor(W_self, tf.float32)) + tf.matmul(mean,
                                                                              tf.convert_to_tensor(W_neigh, tf.float32))


def sage_sample(adj_list, nodes, fanout: int, seed: int) -> list:
    """GraphSAGE neighbour sampling: ``fanout`` neighbours of each node, uniformly at random.

    Without replacement when the node has at least ``fanout`` neighbours, with replacement otherwise; an isolated
    node gets ``[]``. ``adj_list[v]`` is the list of node v's neighbours. Deterministic for a seed.

    Returns:
        One list of sampled neighbours (plain ints) per node in ``nodes``, in that order.
    """
    rng = np.random.default_rng(seed)
    out = []
    for v in nodes:
        nb = list(adj_list[v])
        if not nb:
            out.append([])
            continue
        picks = rng.choice(len(nb), size=fanout, replace=len(nb) < fanout)
        out.append([int(nb[i]) for i in picks])
    return out


def train_gcn(A, X, train_idx, train_labels, n_classes: int, hidden: int = 16, epochs: int = 200, seed: int = 0):
    """Semi-supervised node classification with a two-layer GCN (Kipf and Welling 2017).

    Model: ``logits = A_hat @ relu(A_hat @ X @ W1) @ W2`` with ``A_hat = normalized_adjacency(A)`` (no biases),
    trained with cross-entropy on the labelled nodes only.

    Returns:
        ``(W1 (F, hidden), W2 (hidden, n_classes))`` as NumPy arrays; the grader classifies the unlabelled nodes with
        them.
    """
    tf.keras.utils.set_random_seed(seed)
    A_hat = normalized_adjacency(A)
    X = tf.convert_to_tensor(X, tf.float32)
    init = tf.keras.initializers.GlorotUniform(seed=seed)
    W1 = tf.Variable(init((X.shape[1], hidden)))
    W2 = tf.Variable(init((hidden, n_classes)))
    idx = tf.constant(np.asarray(train_idx, np.int32))
    lab = tf.constant(np.asarray(train_labels, np.int32))
    opt = tf.keras.optimizers.Adam(0.01)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            h = tf.nn.relu(gcn_layer(A_hat, X, W1))
            h = tf.nn.dropout(h, 0.5)
            logits = gcn_layer(A_hat, h, W2)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(lab, tf.gather(logits, idx)))
            loss += 5e-4 * tf.reduce_sum(W1 * W1)
        grads = tape.gradient(loss, [W1, W2])
        opt.apply_gradients(zip(grads, [W1, W2], strict=True))
        return loss

    for _ in range(epochs):
        step()
    return W1.numpy(), W2.numpy()
