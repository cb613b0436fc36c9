"""Reference solution for A20, Natural Language Processing.

Each ``# %% [qK]`` section is the solution cell of question ``qK``, verbatim; nbgrader removes the
marked solution regions from the student release. This docstring sits before the first section, so
it is in no notebook cell.

The course text is prose only. Corrected here (and in the manifest's intro): TF Hub / Kaggle models
(Word2Vec, GloVe, USE, BERT, RoBERTa, ELECTRA, T5) cannot be downloaded by the grader, so every model
is built from ``tf.keras.layers`` and trained on synthetic text; KerasNLP/KerasHub target Keras 3 and
do not mix with ``tf_keras``; tensorflow-addons' CRF is end-of-life, so the CRF is written from
scratch; next-sentence prediction is history (RoBERTa dropped it), so only masked-LM is built.
"""

# %% [setup]

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import collections
import math
import re
import string

import numpy as np
import tensorflow as tf

NEG_INF = -1e9


# %% [q1]
def make_vectorizer(texts, max_tokens: int = 2000, seq_len: int = 24) -> tf.keras.layers.TextVectorization:
    """A ``TextVectorization`` layer adapted on ``texts``.

    Lower-cases and strips punctuation, splits on whitespace, outputs ``int`` ids padded/truncated
    to ``seq_len`` (id 0 = padding, id 1 = ``[UNK]``), vocabulary of at most ``max_tokens``.
    """
    ### BEGIN SOLUTION
    vectorizer = tf.keras.layers.TextVectorization(
        max_tokens=max_tokens, standardize="lower_and_strip_punctuation", split="whitespace",
        output_mode="int", output_sequence_length=seq_len)
    vectorizer.adapt(tf.constant(list(texts)))
    return vectorizer
    ### END SOLUTION


def build_text_classifier(vectorizer, num_labels: int, multilabel: bool = False) -> tf.keras.Model:
    """Raw strings in (``Input(shape=(1,), dtype=tf.string)``), probabilities out, ``[batch, num_labels]``.

    The model must see word order (a negation flips the next adjective): use an ``Embedding`` and a
    ``Conv1D`` (n-gram filters) or a recurrent layer, not a bag of words. The last layer is a
    ``Dense(num_labels)`` with ``sigmoid`` for multi-label and ``softmax`` for single-label problems.
    """
    ### BEGIN SOLUTION
    inputs = tf.keras.Input(shape=(1,), dtype=tf.string)
    x = vectorizer(inputs)
    x = tf.keras.layers.Embedding(vectorizer.vocabulary_size(), 32)(x)
    x = tf.keras.layers.Conv1D(64, 3, padding="same", activation="relu")(x)
    x = tf.keras.layers.GlobalMaxPooling1D()(x)
    outputs = tf.keras.layers.Dense(num_labels, activation="sigmoid" if multilabel else "softmax")(x)
    return tf.keras.Model(inputs, outputs)
    ### END SOLUTION


def train_text_classifier(texts, labels, num_labels: int, multilabel: bool = False, epochs: int = 6) -> tf.keras.Model:
    """Adapt a vectorizer, build the classifier, compile and fit it; return the trained model.

    ``labels``: class ids ``[N]`` (single-label) or a multi-hot ``[N, num_labels]`` array (multi-label).
    Single-label uses sparse categorical cross-entropy, multi-label binary cross-entropy.
    """
    ### BEGIN SOLUTION
    model = build_text_classifier(make_vectorizer(texts), num_labels, multilabel)
    loss = "binary_crossentropy" if multilabel else "sparse_categorical_crossentropy"
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss=loss)
    x = tf.constant(np.asarray(texts, dtype=object).reshape(-1, 1))
    model.fit(x, np.asarray(labels, np.float32 if multilabel else np.int32), batch_size=32, epochs=epochs,
              verbose=0)
    return model
    ### END SOLUTION


# %% [q2]
def bio_to_spans(tags) -> list:
    """BIO tags to ``(type, start, end)`` spans, ``end`` exclusive, in order.

    An ``I-X`` that does not continue an entity of type ``X`` (after ``O``, at the start, or after a
    tag of another type) starts a new entity, as conlleval does.
    """
    ### BEGIN SOLUTION
    spans = []
    current = None
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, _, kind = tag.partition("-")
        if current is not None and not (prefix == "I" and kind == current[0]):
            spans.append((current[0], current[1], i))
            current = None
        if prefix == "B" or (prefix == "I" and current is None):
            current = (kind, i)
    return spans
    ### END SOLUTION


def spans_to_bio(spans, length: int) -> list:
    """The inverse of ``bio_to_spans``: ``B-X`` on the first token of a span, ``I-X`` on the rest, ``O`` elsewhere."""
    ### BEGIN SOLUTION
    tags = ["O"] * length
    for kind, start, end in spans:
        tags[start] = f"B-{kind}"
        for i in range(start + 1, end):
            tags[i] = f"I-{kind}"
    return tags
    ### END SOLUTION


def allowed_transitions(tag_names) -> np.ndarray:
    """``allowed[i, j]`` (bool ``[K, K]``): may tag ``j`` follow tag ``i`` in valid BIO?

    ``I-X`` may only follow ``B-X`` or ``I-X``; everything else (``O``, ``B-*``) may follow anything.
    """
    ### BEGIN SOLUTION
    k = len(tag_names)
    allowed = np.ones((k, k), dtype=bool)
    for j, tag in enumerate(tag_names):
        if tag.startswith("I-"):
            kind = tag[2:]
            for i, prev in enumerate(tag_names):
                allowed[i, j] = prev in (f"B-{kind}", f"I-{kind}")
    return allowed
    ### END SOLUTION


def crf_log_norm(potentials, lengths, transitions) -> tf.Tensor:
    """Log Z per sequence, ``[B]``, by the forward algorithm (log-sum-exp recursion).

    ``potentials`` ``[B, T, K]`` (unary scores), ``lengths`` ``[B]`` (>= 1; positions ``t >= length``
    are padding and must not matter), ``transitions`` ``[K, K]`` (``transitions[i, j]``: score of tag
    ``j`` after tag ``i``). The score of a path is the sum of its unary and transition scores.
    """
    ### BEGIN SOLUTION
    potentials = tf.convert_to_tensor(potentials)
    transitions = tf.cast(transitions, potentials.dtype)
    lengths = tf.convert_to_tensor(lengths)
    alpha = potentials[:, 0]
    for t in range(1, potentials.shape[1]):
        new = tf.reduce_logsumexp(alpha[:, :, None] + transitions[None], axis=1) + potentials[:, t]
        alpha = tf.where((t < lengths)[:, None], new, alpha)
    return tf.reduce_logsumexp(alpha, axis=1)
    ### END SOLUTION


def crf_sequence_score(potentials, tags, lengths, transitions) -> tf.Tensor:
    """The score of the given tag paths, ``[B]``: unary plus transition scores over ``t < length``."""
    ### BEGIN SOLUTION
    potentials = tf.convert_to_tensor(potentials)
    transitions = tf.cast(transitions, potentials.dtype)
    tags = tf.cast(tags, tf.int32)
    mask = tf.sequence_mask(lengths, potentials.shape[1], dtype=potentials.dtype)
    unary = tf.reduce_sum(tf.gather(potentials, tags, batch_dims=2) * mask, axis=1)
    pairs = tf.gather_nd(transitions, tf.stack([tags[:, :-1], tags[:, 1:]], axis=-1))
    binary = tf.reduce_sum(pairs * mask[:, 1:], axis=1)
    return unary + binary
    ### END SOLUTION


def crf_log_likelihood(potentials, tags, lengths, transitions) -> tf.Tensor:
    """Log p(tags | x) per sequence, ``[B]``: path score minus log Z. Differentiable in both score tensors."""
    ### BEGIN SOLUTION
    return (crf_sequence_score(potentials, tags, lengths, transitions)
            - crf_log_norm(potentials, lengths, transitions))
    ### END SOLUTION


def crf_decode(potentials, lengths, transitions) -> tuple:
    """Viterbi decoding: ``(tags, scores)``, the best path ``[B, T]`` (int32, 0 at padding) and its score ``[B]``."""
    ### BEGIN SOLUTION
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
    ### END SOLUTION


def entity_f1(true_tags, pred_tags) -> float:
    """Micro entity-level F1 (CoNLL): a predicted entity counts only if its type, start and end all match.

    Both arguments are lists of sentences (lists of BIO tags). 0.0 when there is nothing to count.
    Do not call ``seqeval``: count the spans yourself with ``bio_to_spans``.
    """
    ### BEGIN SOLUTION
    gold = {(i, *s) for i, tags in enumerate(true_tags) for s in bio_to_spans(tags)}
    pred = {(i, *s) for i, tags in enumerate(pred_tags) for s in bio_to_spans(tags)}
    hits = len(gold & pred)
    if hits == 0:
        return 0.0
    precision, recall = hits / len(pred), hits / len(gold)
    return 2 * precision * recall / (precision + recall)
    ### END SOLUTION


class BiLSTMCRF(tf.keras.Model):
    """Word embedding -> bidirectional LSTM -> Dense(num_tags) potentials, plus a CRF transition matrix.

    ``call(ids)`` returns the potentials ``[B, T, num_tags]`` (float32; id 0 is padding).
    ``self.transitions`` is a trainable ``[num_tags, num_tags]`` variable.
    """

    def __init__(self, vocab_size: int, num_tags: int, embed_dim: int = 32, hidden: int = 32):
        super().__init__()
        ### BEGIN SOLUTION
        self.embed = tf.keras.layers.Embedding(vocab_size, embed_dim, mask_zero=True)
        self.rnn = tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(hidden, return_sequences=True))
        self.out = tf.keras.layers.Dense(num_tags)
        self.transitions = self.add_weight(name="transitions", shape=(num_tags, num_tags),
                                           initializer="zeros", trainable=True)
        ### END SOLUTION

    def call(self, ids):
        ### BEGIN SOLUTION
        return self.out(self.rnn(self.embed(ids)))
        ### END SOLUTION

    def nll(self, ids, tags, lengths):
        """Mean negative CRF log-likelihood of ``tags`` over the batch."""
        ### BEGIN SOLUTION
        return -tf.reduce_mean(crf_log_likelihood(self(ids), tags, lengths, self.transitions))
        ### END SOLUTION


def train_ner(ids, tags, lengths, vocab_size: int, num_tags: int, epochs: int = 3) -> BiLSTMCRF:
    """Train a ``BiLSTMCRF`` on the CRF loss with Adam(0.01), batches of 32, ``epochs`` passes; return the model."""
    ### BEGIN SOLUTION
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
    ### END SOLUTION


# %% [q3]
def learn_bpe(word_counts, num_merges: int) -> list:
    """Learn byte-pair-encoding merges (Sennrich et al. 2016).

    Each word is split into characters plus the end-of-word symbol ``"</w>"`` on its last symbol
    (``"low"`` -> ``["l", "o", "w</w>"]``). Repeat ``num_merges`` times: count adjacent symbol pairs
    weighted by word counts, pick the most frequent pair (ties: the lexicographically smallest pair),
    merge every occurrence (left to right, non-overlapping), record the pair. Stop early when no pair
    is left. Returns the list of merged pairs ``(a, b)`` in order.
    """
    ### BEGIN SOLUTION
    vocab = {tuple(word[:-1]) + (word[-1] + "</w>",): count for word, count in word_counts.items()}
    merges = []
    for _ in range(num_merges):
        pairs = collections.Counter()
        for symbols, count in vocab.items():
            for a, b in zip(symbols, symbols[1:], strict=False):
                pairs[(a, b)] += count
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        vocab = {_merge_pair(symbols, best): count for symbols, count in vocab.items()}
    return merges
    ### END SOLUTION


def _merge_pair(symbols, pair):
    ### BEGIN SOLUTION
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return tuple(out)
    ### END SOLUTION


def bpe_encode(word: str, merges) -> list:
    """Segment one word with learned BPE merges.

    Segment one word with learned merges: start from characters (+ ``"</w>"`` on the last), then
    repeatedly apply the present pair with the lowest merge rank until none applies.
    """
    ### BEGIN SOLUTION
    ranks = {tuple(pair): i for i, pair in enumerate(merges)}
    symbols = tuple(word[:-1]) + (word[-1] + "</w>",)
    while len(symbols) > 1:
        present = [p for p in zip(symbols, symbols[1:], strict=False) if p in ranks]
        if not present:
            break
        symbols = _merge_pair(symbols, min(present, key=ranks.__getitem__))
    return list(symbols)
    ### END SOLUTION


def beam_search(step_fn, bos: int, eos: int, beam_width: int, max_len: int, alpha: float = 0.6) -> list:
    """Beam search with the GNMT length penalty ``lp(n) = ((5 + n) / 6) ** alpha``.

    ``step_fn(prefixes)`` takes a list of token lists (each starting with ``bos``) and returns an array
    ``[len(prefixes), V]`` of next-token log-probabilities. Start with the one hypothesis ``[bos]``
    (score 0). At each of ``max_len`` steps, extend every alive hypothesis by every token, sort all
    candidates by summed log-probability (descending; a stable sort, so ties keep the order
    hypothesis-then-token), keep the best ``beam_width``; those ending in ``eos`` are finished, the rest
    stay alive; stop when none is alive. After ``max_len`` steps the alive ones are finished too.
    Returns ``[(tokens, score)]`` for every finished hypothesis, best first by ``score = logp / lp(n)``,
    where ``tokens`` excludes ``bos`` and ``n = len(tokens)``.
    """
    ### BEGIN SOLUTION
    alive = [([bos], 0.0)]
    finished = []
    for _ in range(max_len):
        logp = np.asarray(step_fn([seq for seq, _ in alive]), np.float64)
        candidates = [(seq + [w], score + float(logp[i, w]))
                      for i, (seq, score) in enumerate(alive) for w in range(logp.shape[1])]
        candidates.sort(key=lambda c: -c[1])
        alive = []
        for seq, score in candidates[:beam_width]:
            (finished if seq[-1] == eos else alive).append((seq, score))
        if not alive:
            break
    finished.extend(alive)
    results = [(seq[1:], score / ((5.0 + len(seq) - 1) / 6.0) ** alpha) for seq, score in finished]
    results.sort(key=lambda r: -r[1])
    return results
    ### END SOLUTION


def corpus_bleu(references, hypotheses, max_n: int = 4) -> float:
    """Corpus BLEU-4 in [0, 1], computed by hand.

    Corpus BLEU in [0, 1] (Papineni et al.): whitespace tokens, clipped n-gram precisions for
    n = 1..max_n summed over the corpus, their geometric mean (0 if any is 0, no smoothing), times the
    brevity penalty ``exp(1 - r / c)`` when the total hypothesis length ``c`` is below the total
    reference length ``r`` (one reference per hypothesis). Do not call ``sacrebleu`` or ``nltk``.
    """
    ### BEGIN SOLUTION
    matches = [0] * max_n
    totals = [0] * max_n
    ref_len = hyp_len = 0
    for ref, hyp in zip(references, hypotheses, strict=False):
        ref_tokens, hyp_tokens = ref.split(), hyp.split()
        ref_len += len(ref_tokens)
        hyp_len += len(hyp_tokens)
        for n in range(1, max_n + 1):
            hyp_ngrams = collections.Counter(tuple(hyp_tokens[i:i + n]) for i in range(len(hyp_tokens) - n + 1))
            ref_ngrams = collections.Counter(tuple(ref_tokens[i:i + n]) for i in range(len(ref_tokens) - n + 1))
            matches[n - 1] += sum(min(c, ref_ngrams[g]) for g, c in hyp_ngrams.items())
            totals[n - 1] += max(len(hyp_tokens) - n + 1, 0)
    if hyp_len == 0 or min(matches) == 0:
        return 0.0
    log_precision = sum(math.log(m / t) for m, t in zip(matches, totals, strict=False)) / max_n
    brevity = 1.0 if hyp_len >= ref_len else math.exp(1.0 - ref_len / hyp_len)
    return brevity * math.exp(log_precision)
    ### END SOLUTION


def additive_attention(query, keys, mask, w_query, w_keys, v) -> tuple:
    """Bahdanau (additive) attention over a padded source.

    Bahdanau attention: ``e[b, s] = v . tanh(query[b] @ w_query + keys[b, s] @ w_keys)``, masked
    softmax over source positions (``mask[b, s]`` true = real token; masked weights exactly 0), and the
    context ``sum_s weights[b, s] * keys[b, s]``. Shapes: query ``[B, D]``, keys ``[B, S, D]``,
    w_query/w_keys ``[D, A]``, v ``[A]``. Returns ``(context [B, D], weights [B, S])``.
    """
    ### BEGIN SOLUTION
    energy = tf.tanh(tf.matmul(query, w_query)[:, None, :] + tf.einsum("bsd,da->bsa", keys, w_keys))
    scores = tf.einsum("bsa,a->bs", energy, v)
    mask = tf.cast(mask, tf.bool)
    scores = tf.where(mask, scores, tf.constant(NEG_INF, scores.dtype))
    weights = tf.nn.softmax(scores, axis=-1) * tf.cast(mask, scores.dtype)
    return tf.einsum("bs,bsd->bd", weights, keys), weights
    ### END SOLUTION


# %% [q4]
def best_span(start_logits, end_logits, max_answer_len: int) -> tuple:
    """Best-span decoding for extractive QA.

    The span ``(s, e)`` maximising ``start_logits[s] + end_logits[e]`` with ``s <= e < s + max_answer_len``
    (first such span in ``(s, e)`` order on ties); returns ``(s, e, score)`` with Python ints/float.
    In O(n * max_answer_len), not O(n^2).
    """
    ### BEGIN SOLUTION
    start = np.asarray(start_logits, np.float64)
    end = np.asarray(end_logits, np.float64)
    n = len(start)
    best = (0, 0, -np.inf)
    for length in range(max_answer_len):
        if length >= n:
            break
        scores = start[:n - length] + end[length:]
        s = int(np.argmax(scores))
        if scores[s] > best[2] or (scores[s] == best[2] and (s, s + length) < best[:2]):
            best = (s, s + length, float(scores[s]))
    return best
    ### END SOLUTION


def span_loss(start_logits, end_logits, context_mask, start_positions, end_positions) -> tf.Tensor:
    """The training loss of a span-prediction QA model.

    Span-prediction loss: mean over the batch of ``(CE(start) + CE(end)) / 2`` where each CE is a
    softmax cross-entropy over the positions with ``context_mask`` true (others excluded from the softmax).
    """
    ### BEGIN SOLUTION
    mask = tf.cast(context_mask, tf.bool)

    def ce(logits, positions):
        logits = tf.where(mask, logits, tf.constant(NEG_INF, logits.dtype))
        return tf.nn.sparse_softmax_cross_entropy_with_logits(tf.cast(positions, tf.int32), logits)

    return tf.reduce_mean((ce(start_logits, start_positions) + ce(end_logits, end_positions)) / 2.0)
    ### END SOLUTION


def squad_normalize(text: str) -> str:
    """SQuAD v1.1 answer normalisation.

    The official SQuAD v1.1 answer normalisation: lower-case, remove punctuation
    (``string.punctuation``), remove the articles a/an/the (whole words), collapse whitespace.
    """
    ### BEGIN SOLUTION
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())
    ### END SOLUTION


def squad_em_f1(prediction: str, golds) -> tuple:
    """SQuAD v1.1 exact match and token F1.

    ``(exact_match, f1)`` of one prediction, each the maximum over the gold answers (SQuAD v1.1):
    EM compares normalised strings; F1 is the token-overlap F1 of the normalised token lists.
    """
    ### BEGIN SOLUTION
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
    ### END SOLUTION


def tfidf_retrieve(question: str, passages, k: int = 3) -> list:
    r"""Indices of the ``k`` passages most similar to ``question`` by TF-IDF cosine, best first (ties: lower index).

    Tokens: ``re.findall(r"\\w+", text.lower())``. Vocabulary: the passages' tokens. Weight of term t in a
    text: raw count * ``idf(t) = ln((1 + N) / (1 + df(t))) + 1`` (N passages, df = passages containing t);
    each vector L2-normalised; question terms outside the vocabulary are ignored. No scikit-learn.
    """
    ### BEGIN SOLUTION
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
    ### END SOLUTION


# %% [q5]
def filter_logits(logits, temperature: float = 1.0, top_k=None, top_p=None) -> tf.Tensor:
    """The sampling distribution as normalised log-probabilities ``[B, V]`` (``-inf`` where removed).

    In this order: divide the logits by ``temperature``; if ``top_k``, keep the ``k`` largest (ties:
    lower index first); if ``top_p``, on the distribution renormalised over what is kept, sort tokens by
    probability descending (stable: lower index first on ties) and keep the shortest prefix whose
    cumulative probability is >= ``top_p`` (always at least one token); renormalise (log-softmax).
    """
    ### BEGIN SOLUTION
    logits = tf.convert_to_tensor(logits, tf.float32) / temperature
    vocab = logits.shape[-1]
    if top_k is not None and top_k < vocab:
        order = tf.argsort(logits, axis=-1, direction="DESCENDING", stable=True)
        ranks = tf.argsort(order, axis=-1, stable=True)
        logits = tf.where(ranks < top_k, logits, -np.inf)
    if top_p is not None:
        probs = tf.nn.softmax(logits, axis=-1)
        order = tf.argsort(logits, axis=-1, direction="DESCENDING", stable=True)
        sorted_probs = tf.gather(probs, order, batch_dims=1)
        before = tf.cumsum(sorted_probs, axis=-1, exclusive=True)
        keep_sorted = before < top_p
        ranks = tf.argsort(order, axis=-1, stable=True)
        keep = tf.gather(keep_sorted, ranks, batch_dims=1)
        logits = tf.where(keep, logits, -np.inf)
    return tf.nn.log_softmax(logits, axis=-1)
    ### END SOLUTION


def sample_next(logits, temperature: float = 1.0, top_k=None, top_p=None, seed: int = 0) -> tf.Tensor:
    """One token id per row ``[B]`` (int32) drawn from ``filter_logits(...)``, reproducibly from ``seed``."""
    ### BEGIN SOLUTION
    log_probs = filter_logits(logits, temperature, top_k, top_p)
    draws = tf.random.stateless_categorical(log_probs, 1, seed=[seed, 0], dtype=tf.int32)
    return draws[:, 0]
    ### END SOLUTION


def sequence_perplexity(log_probs, targets, pad_id: int = 0) -> float:
    """Perplexity over non-pad targets.

    ``exp`` of the mean negative log-likelihood of ``targets`` ``[B, T]`` under ``log_probs``
    ``[B, T, V]``, over the positions whose target is not ``pad_id``.
    """
    ### BEGIN SOLUTION
    log_probs = tf.convert_to_tensor(log_probs, tf.float64)
    targets = tf.cast(targets, tf.int32)
    picked = tf.gather(log_probs, targets, batch_dims=2)
    mask = tf.cast(targets != pad_id, tf.float64)
    return float(tf.exp(-tf.reduce_sum(picked * mask) / tf.reduce_sum(mask)))
    ### END SOLUTION


def train_char_lm(ids, vocab_size: int, order: int = 2, epochs: int = 6) -> tf.keras.Model:
    """Train a next-character language model.

    Train a next-character model on the id sequence ``ids``: inputs are windows of the previous
    ``order`` ids ``[N, order]`` (int), the output is ``[N, vocab_size]`` probabilities (softmax).
    """
    ### BEGIN SOLUTION
    ids = np.asarray(ids, np.int32)
    windows = np.stack([ids[i:len(ids) - order + i] for i in range(order)], axis=1)
    targets = ids[order:]
    model = tf.keras.Sequential([
        tf.keras.Input(shape=(order,), dtype=tf.int32),
        tf.keras.layers.Embedding(vocab_size, 16),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(64, activation="relu"),
        tf.keras.layers.Dense(vocab_size, activation="softmax"),
    ])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    model.fit(windows, targets, batch_size=128, epochs=epochs, verbose=0)
    return model
    ### END SOLUTION


# %% [q6]
def scaled_dot_product_attention(q, k, v, mask=None) -> tuple:
    """Scaled dot-product attention.

    ``softmax(q k^T / sqrt(d_k)) v`` over the last two axes; ``mask`` (broadcastable to
    ``[..., Tq, Tk]``, true/1 = may attend) gives masked keys exactly 0 weight. Returns ``(output, weights)``.
    """
    ### BEGIN SOLUTION
    q = tf.convert_to_tensor(q)
    scores = tf.matmul(q, k, transpose_b=True) / tf.sqrt(tf.cast(tf.shape(k)[-1], q.dtype))
    if mask is not None:
        keep = tf.cast(mask, tf.bool)
        scores = tf.where(keep, scores, tf.constant(NEG_INF, q.dtype))
        weights = tf.nn.softmax(scores, axis=-1) * tf.cast(keep, q.dtype)
    else:
        weights = tf.nn.softmax(scores, axis=-1)
    return tf.matmul(weights, v), weights
    ### END SOLUTION


def multi_head_attention(x_q, x_kv, wq, wk, wv, wo, num_heads: int, mask=None) -> tf.Tensor:
    """Multi-head attention from explicit weight matrices.

    Multi-head attention: project ``x_q [B, Tq, D]`` with ``wq [D, D]``, ``x_kv [B, Tk, D]`` with
    ``wk``/``wv``, split the last axis into ``num_heads`` heads of ``D / num_heads`` (head h takes columns
    ``h*dh:(h+1)*dh``), run ``scaled_dot_product_attention`` per head (``mask [B, Tq, Tk]``), concatenate
    the heads in order and project with ``wo [D, D]``. No biases.
    """
    ### BEGIN SOLUTION
    def split(x):
        b, t = tf.shape(x)[0], tf.shape(x)[1]
        return tf.transpose(tf.reshape(x, [b, t, num_heads, -1]), [0, 2, 1, 3])

    q, k, v = split(tf.matmul(x_q, wq)), split(tf.matmul(x_kv, wk)), split(tf.matmul(x_kv, wv))
    heads, _ = scaled_dot_product_attention(q, k, v, None if mask is None else tf.cast(mask, tf.bool)[:, None])
    b, t = tf.shape(x_q)[0], tf.shape(x_q)[1]
    concat = tf.reshape(tf.transpose(heads, [0, 2, 1, 3]), [b, t, -1])
    return tf.matmul(concat, wo)
    ### END SOLUTION


def sinusoidal_positional_encoding(length: int, d_model: int) -> tf.Tensor:
    """Vaswani et al.'s sinusoidal positional encoding, float32 ``[length, d_model]``.

    ``PE[pos, 2i] = sin(pos / 10000^(2i/d))``, ``PE[pos, 2i+1] = cos(pos / 10000^(2i/d))``.
    """
    ### BEGIN SOLUTION
    pos = np.arange(length)[:, None]
    i = np.arange(d_model)[None, :]
    angles = pos / np.power(10000.0, (2 * (i // 2)) / d_model)
    pe = np.where(i % 2 == 0, np.sin(angles), np.cos(angles))
    return tf.constant(pe, tf.float32)
    ### END SOLUTION


def mask_tokens(ids, special_ids, vocab_size: int, mask_id: int, rate: float = 0.15, seed: int = 0) -> tuple:
    """BERT's masked-LM corruption: ``(inputs, labels, weights)``, each ``[B, T]``.

    Every non-special token is selected independently with probability ``rate`` (special ids never).
    A selected token becomes ``mask_id`` with probability 0.8, a uniformly random id in
    ``[0, vocab_size)`` with 0.1, and stays unchanged with 0.1. ``labels`` are the original ids,
    ``weights`` 1.0 where selected and 0.0 elsewhere. Use ``tf.random.stateless_*`` ops seeded from ``seed``.
    """
    ### BEGIN SOLUTION
    ids = tf.convert_to_tensor(ids, tf.int32)
    special = tf.reduce_any(ids[..., None] == tf.constant(list(special_ids), tf.int32), axis=-1)
    shape = tf.shape(ids)
    selected = (tf.random.stateless_uniform(shape, [seed, 1]) < rate) & ~special
    action = tf.random.stateless_uniform(shape, [seed, 2])
    random_ids = tf.random.stateless_uniform(shape, [seed, 3], 0, vocab_size, dtype=tf.int32)
    inputs = tf.where(selected & (action < 0.8), mask_id, ids)
    inputs = tf.where(selected & (action >= 0.8) & (action < 0.9), random_ids, inputs)
    return inputs, ids, tf.cast(selected, tf.float32)
    ### END SOLUTION


def mlm_loss(logits, labels, weights) -> tf.Tensor:
    """The masked-LM loss.

    Masked-LM loss: the ``weights``-weighted mean of the softmax cross-entropy of ``labels`` under ``logits``
    ``[B, T, V]`` (only selected positions count).
    """
    ### BEGIN SOLUTION
    ce = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.cast(labels, tf.int32), logits)
    weights = tf.cast(weights, ce.dtype)
    return tf.reduce_sum(ce * weights) / tf.maximum(tf.reduce_sum(weights), 1.0)
    ### END SOLUTION
