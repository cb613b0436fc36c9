# expect: {"q4": "below_full"}
# ruff: noqa: F821, F841, F401, E501  (a fragment: tf, np, collections, math, re, string, NEG_INF come from the setup cell)
# best_span ignores the answer-length limit (any e >= s).
# %% [q4]
def best_span(start_logits, end_logits, max_answer_len: int) -> tuple:
    """Best-span decoding for extractive QA.

    The span ``(s, e)`` maximising ``start_logits[s] + end_logits[e]`` with ``s <= e < s + max_answer_len``
    (first such span in ``(s, e)`` order on ties); returns ``(s, e, score)`` with Python ints/float.
    In O(n * max_answer_len), not O(n^2).
    """
    start = np.asarray(start_logits, np.float64)
    end = np.asarray(end_logits, np.float64)
    n = len(start)
    best = (0, 0, -np.inf)
    for length in range(n):
        if length >= n:
            break
        scores = start[:n - length] + end[length:]
        s = int(np.argmax(scores))
        if scores[s] > best[2] or (scores[s] == best[2] and (s, s + length) < best[:2]):
            best = (s, s + length, float(scores[s]))
    return best


def span_loss(start_logits, end_logits, context_mask, start_positions, end_positions) -> tf.Tensor:
    """The training loss of a span-prediction QA model.

    Span-prediction loss: mean over the batch of ``(CE(start) + CE(end)) / 2`` where each CE is a
    softmax cross-entropy over the positions with ``context_mask`` true (others excluded from the softmax).
    """
    mask = tf.cast(context_mask, tf.bool)

    def ce(logits, positions):
        logits = tf.where(mask, logits, tf.constant(NEG_INF, logits.dtype))
        return tf.nn.sparse_softmax_cross_entropy_with_logits(tf.cast(positions, tf.int32), logits)

    return tf.reduce_mean((ce(start_logits, start_positions) + ce(end_logits, end_positions)) / 2.0)


def squad_normalize(text: str) -> str:
    """SQuAD v1.1 answer normalisation.

    The official SQuAD v1.1 answer normalisation: lower-case, remove punctuation
    (``string.punctuation``), remove the articles a/an/the (whole words), collapse whitespace.
    """
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def squad_em_f1(prediction: str, golds) -> tuple:
    """SQuAD v1.1 exact match and token F1.

    ``(exact_match, f1)`` of one prediction, each the maximum over the gold answers (SQuAD v1.1):
    EM compares normalised strings; F1 is the token-overlap F1 of the normalised token lists.
    """
    def f1(pred, gold):
        p, g = squad_normalize(pred).split(), squad_normalize(gold).split()
        common = collections.Counter(p) & collections.Counter(g)
        same = sum(common.values())
        if same == 0:
            return 0.0
        precision, recall = same / len(p), same / len(g)
        return 2 * precision * recall / (precision + recall)

    em = max(float(squad_normalize(prediction) == squad_normalize(g)) for g in golds)
    return em, max(f1(prediction, g) for g in golds)


def tfidf_retrieve(question: str, passages, k: int = 3) -> list:
    r"""Indices of the ``k`` passages most similar to ``question`` by TF-IDF cosine, best first (ties: lower index).

    Tokens: ``re.findall(r"\\w+", text.lower())``. Vocabulary: the passages' tokens. Weight of term t in a
    text: raw count * ``idf(t) = ln((1 + N) / (1 + df(t))) + 1`` (N passages, df = passages containing t);
    each vector L2-normalised; question terms outside the vocabulary are ignored. No scikit-learn.
    """
    docs = [re.findall(r"\w+", p.lower()) for p in passages]
    vocab = {t: i for i, t in enumerate(sorted({t for d in docs for t in d}))}

    def counts(tokens):
        row = np.zeros(len(vocab))
        for t in tokens:
            if t in vocab:
                row[vocab[t]] += 1
        return row

    matrix = np.stack([counts(d) for d in docs])
    idf = np.log((1 + len(docs)) / (1 + (matrix > 0).sum(axis=0))) + 1
    matrix = matrix * idf
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    query = counts(re.findall(r"\w+", question.lower())) * idf
    query /= max(np.linalg.norm(query), 1e-12)
    sims = matrix @ query
    return [int(i) for i in np.argsort(-sims, kind="stable")[:k]]
