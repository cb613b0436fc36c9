# expect: {"q2": "below_full"}
# ruff: noqa: F821, F841, F401, E501  (a fragment: tf, np, collections, math, re, string, NEG_INF come from the setup cell)
# Two shortcuts, each caught by its own test (checked one at a time when written; merged to save a sweep round):
# bio_to_spans hands the chunking to seqeval's get_entities, the judge's own ground truth, and
# model.nll scores paths with zero transitions instead of the model's own (the zero initialisation hides it).
# %% [q2]
def bio_to_spans(tags) -> list:
    """BIO tags to ``(type, start, end)`` spans, ``end`` exclusive, in order.

    An ``I-X`` that does not continue an entity of type ``X`` (after ``O``, at the start, or after a
    tag of another type) starts a new entity, as conlleval does.
    """
    from seqeval.metrics.sequence_labeling import get_entities

    return [(kind, start, end + 1) for kind, start, end in get_entities(list(tags))]


def spans_to_bio(spans, length: int) -> list:
    """The inverse of ``bio_to_spans``: ``B-X`` on the first token of a span, ``I-X`` on the rest, ``O`` elsewhere."""
    tags = ["O"] * length
    for kind, start, end in spans:
        tags[start] = f"B-{kind}"
        for i in range(start + 1, end):
            tags[i] = f"I-{kind}"
    return tags


def allowed_transitions(tag_names) -> np.ndarray:
    """``allowed[i, j]`` (bool ``[K, K]``): may tag ``j`` follow tag ``i`` in valid BIO?

    ``I-X`` may only follow ``B-X`` or ``I-X``; everything else (``O``, ``B-*``) may follow anything.
    """
    k = len(tag_names)
    allowed = np.ones((k, k), dtype=bool)
    for j, tag in enumerate(tag_names):
        if tag.startswith("I-"):
            kind = tag[2:]
            for i, prev in enumerate(tag_names):
                allowed[i, j] = prev in (f"B-{kind}", f"I-{kind}")
    return allowed


def crf_log_norm(potentials, lengths, transitions) -> tf.Tensor:
    """Log Z per sequence, ``[B]``, by the forward algorithm (log-sum-exp recursion).

    ``potentials`` ``[B, T, K]`` (unary scores), ``lengths`` ``[B]`` (>= 1; positions ``t >= length``
    are padding and must not matter), ``transitions`` ``[K, K]`` (``transitions[i, j]``: score of tag
    ``j`` after tag ``i``). The score of a path is the sum of its unary and transition scores.
    """
    potentials = tf.convert_to_tensor(potentials)
    transitions = tf.cast(transitions, potentials.dtype)
    lengths = tf.convert_to_tensor(lengths)
    alpha = potentials[:, 0]
    for t in range(1, potentials.shape[1]):
        new = tf.reduce_logsumexp(alpha[:, :, None] + transitions[None], axis=1) + potentials[:, t]
        alpha = tf.where((t < lengths)[:, None], new, alpha)
    return tf.reduce_logsumexp(alpha, axis=1)


def crf_sequence_score(potentials, tags, lengths, transitions) -> tf.Tensor:
    """The score of the given tag paths, ``[B]``: unary plus transition scores over ``t < length``."""
    potentials = tf.convert_to_tensor(potentials)
    transitions = tf.cast(transitions, potentials.dtype)
    tags = tf.cast(tags, tf.int32)
    mask = tf.sequence_mask(lengths, potentials.shape[1], dtype=potentials.dtype)
    unary = tf.reduce_sum(tf.gather(potentials, tags, batch_dims=2) * mask, axis=1)
    pairs = tf.gather_nd(transitions, tf.stack([tags[:, :-1], tags[:, 1:]], axis=-1))
    binary = tf.reduce_sum(pairs * mask[:, 1:], axis=1)
    return unary + binary


def crf_log_likelihood(potentials, tags, lengths, transitions) -> tf.Tensor:
    """Log p(tags | x) per sequence, ``[B]``: path score minus log Z. Differentiable in both score tensors."""
    return (crf_sequence_score(potentials, tags, lengths, transitions)
            - crf_log_norm(potentials, lengths, transitions))


def crf_decode(potentials, lengths, transitions) -> tuple:
    """Viterbi decoding: ``(tags, scores)``, the best path ``[B, T]`` (int32, 0 at padding) and its score ``[B]``."""
    potentials = tf.convert_to_tensor(potentials)
    transitions = tf.cast(transitions, potentials.dtype)
    lengths = tf.convert_to_tensor(lengths)
    num_tags = potentials.shape[2]
    keep = tf.range(num_tags)[None, :]
    delta = potentials[:, 0]
    backpointers = []
    for t in range(1, potentials.shape[1]):
        scores = delta[:, :, None] + transitions[None]
        best_prev = tf.argmax(scores, axis=1, output_type=tf.int32)
        active = (t < lengths)[:, None]
        delta = tf.where(active, tf.reduce_max(scores, axis=1) + potentials[:, t], delta)
        backpointers.append(tf.where(active, best_prev, keep))
    last = tf.argmax(delta, axis=1, output_type=tf.int32)
    path = [last]
    for bp in reversed(backpointers):
        last = tf.gather(bp, last, batch_dims=1)
        path.append(last)
    tags = tf.stack(path[::-1], axis=1)
    tags = tf.where(tf.sequence_mask(lengths, potentials.shape[1]), tags, 0)
    return tags, tf.reduce_max(delta, axis=1)


def entity_f1(true_tags, pred_tags) -> float:
    """Micro entity-level F1 (CoNLL): a predicted entity counts only if its type, start and end all match.

    Both arguments are lists of sentences (lists of BIO tags). 0.0 when there is nothing to count.
    Do not call ``seqeval``: count the spans yourself with ``bio_to_spans``.
    """
    gold = {(i, *s) for i, tags in enumerate(true_tags) for s in bio_to_spans(tags)}
    pred = {(i, *s) for i, tags in enumerate(pred_tags) for s in bio_to_spans(tags)}
    hits = len(gold & pred)
    if hits == 0:
        return 0.0
    precision, recall = hits / len(pred), hits / len(gold)
    return 2 * precision * recall / (precision + recall)


class BiLSTMCRF(tf.keras.Model):
    """Word embedding -> bidirectional LSTM -> Dense(num_tags) potentials, plus a CRF transition matrix.

    ``call(ids)`` returns the potentials ``[B, T, num_tags]`` (float32; id 0 is padding).
    ``self.transitions`` is a trainable ``[num_tags, num_tags]`` variable.
    """

    def __init__(self, vocab_size: int, num_tags: int, embed_dim: int = 32, hidden: int = 32):
        super().__init__()
        self.embed = tf.keras.layers.Embedding(vocab_size, embed_dim, mask_zero=True)
        self.rnn = tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(hidden, return_sequences=True))
        self.out = tf.keras.layers.Dense(num_tags)
        self.transitions = self.add_weight(name="transitions", shape=(num_tags, num_tags),
                                           initializer="zeros", trainable=True)

    def call(self, ids):
        return self.out(self.rnn(self.embed(ids)))

    def nll(self, ids, tags, lengths):
        """Mean negative CRF log-likelihood of ``tags`` over the batch."""
        return -tf.reduce_mean(crf_log_likelihood(self(ids), tags, lengths, tf.zeros_like(self.transitions)))


def train_ner(ids, tags, lengths, vocab_size: int, num_tags: int, epochs: int = 3) -> BiLSTMCRF:
    """Train a ``BiLSTMCRF`` on the CRF loss with Adam(0.01), batches of 32, ``epochs`` passes; return the model."""
    model = BiLSTMCRF(vocab_size, num_tags)
    optimizer = tf.keras.optimizers.Adam(0.01)
    data = tf.data.Dataset.from_tensor_slices((np.asarray(ids, np.int32), np.asarray(tags, np.int32),
                                               np.asarray(lengths, np.int32)))
    data = data.shuffle(4096, seed=0).batch(32, drop_remainder=True)  # one shape: traced once

    @tf.function
    def step(x, y, n):
        with tf.GradientTape() as tape:
            loss = model.nll(x, y, n)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=False))
        return loss

    for _ in range(epochs):
        for x, y, n in data:
            step(x, y, n)
    return model
