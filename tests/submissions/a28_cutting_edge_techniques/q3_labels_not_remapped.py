# expect: {"q3": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# The sampler returns the original class ids instead of 0..n_way-1.
# %% [q3]
class EpisodeSampler:
    """N-way K-shot episodes from a labelled pool ``x`` (rows) and ``labels`` (ints).

    ``sample()`` draws ``n_way`` distinct classes (uniformly, without replacement) and, for each, ``k_shot + q_queries``
    distinct rows; the first ``k_shot`` go to the support set, the rest to the query set. Returns
    ``(x_support, y_support, x_query, y_query)`` with rows grouped class by class (episode label 0 first) and labels
    remapped to ``0..n_way-1``: ``y_support = repeat(arange(n_way), k_shot)``, ``y_query = repeat(arange(n_way),
    q_queries)``. Randomness from ``np.random.default_rng(seed)`` created in ``__init__`` (same seed, same episodes).
    """

    def __init__(self, x, labels, n_way: int, k_shot: int, q_queries: int, seed: int = 0):
        self.x = np.asarray(x)
        labels = np.asarray(labels)
        self.classes = np.unique(labels)
        self.index = {int(c): np.flatnonzero(labels == c) for c in self.classes}
        self.n_way, self.k_shot, self.q_queries = n_way, k_shot, q_queries
        self.rng = np.random.default_rng(seed)

    def sample(self) -> tuple:
        chosen = self.rng.choice(self.classes, size=self.n_way, replace=False)
        support, query = [], []
        for c in chosen:
            rows = self.rng.choice(self.index[int(c)], size=self.k_shot + self.q_queries, replace=False)
            support.append(rows[:self.k_shot])
            query.append(rows[self.k_shot:])
        ys = np.repeat(chosen, self.k_shot)
        yq = np.repeat(chosen, self.q_queries)
        return self.x[np.concatenate(support)], ys, self.x[np.concatenate(query)], yq


def prototypical_logits(support_emb, support_labels, query_emb, n_way: int):
    """Prototypical-network logits.

    Prototypical-network logits: ``-||q - c_k||^2`` for each query embedding ``q`` and class mean ``c_k`` of the
    support embeddings labelled ``k``. Returns a ``(n_query, n_way)`` tensor.
    """
    support_emb = tf.convert_to_tensor(support_emb)
    query_emb = tf.convert_to_tensor(query_emb, dtype=support_emb.dtype)
    protos = tf.math.unsorted_segment_mean(support_emb, tf.cast(support_labels, tf.int32), n_way)
    diff = query_emb[:, None, :] - protos[None, :, :]
    return -tf.reduce_sum(tf.square(diff), axis=-1)


def train_protonet(x, labels, n_way: int = 5, k_shot: int = 5, q_queries: int = 10, steps: int = 300,
                   embed_dim: int = 16, seed: int = 0) -> tf.keras.Model:
    """Train a prototypical network on episodes.

    Train an embedding network (``x`` rows in, ``embed_dim`` floats out) as a prototypical network on
    ``steps`` episodes from ``EpisodeSampler(x, labels, n_way, k_shot, q_queries, seed)``: softmax cross-entropy of
    ``prototypical_logits`` on the query labels. Returns the embedding model (callable on a batch of rows).
    """
    tf.keras.utils.set_random_seed(seed)
    sampler = EpisodeSampler(x, labels, n_way, k_shot, q_queries, seed)
    model = tf.keras.Sequential([tf.keras.layers.Dense(64, activation="relu"), tf.keras.layers.Dense(embed_dim)])
    model.build((None, np.asarray(x).shape[1]))
    opt = tf.keras.optimizers.Adam(3e-3)

    @tf.function
    def step(xs, ys, xq, yq):
        with tf.GradientTape() as tape:
            logits = prototypical_logits(model(xs), ys, model(xq), n_way)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(yq, logits))
        opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables, strict=True))

    for _ in range(steps):
        xs, ys, xq, yq = sampler.sample()
        step(xs.astype(np.float32), ys.astype(np.int32), xq.astype(np.float32), yq.astype(np.int32))
    return model
