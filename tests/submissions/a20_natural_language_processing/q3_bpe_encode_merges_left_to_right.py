# expect: {"q3": "below_full"}
# ruff: noqa: F821, F841, F401, E501  (a fragment: tf, np, collections, math, re, string, NEG_INF come from the setup cell)
# bpe_encode applies the leftmost mergeable pair instead of the lowest-ranked one (a common shortcut).
# %% [q3]
def learn_bpe(word_counts, num_merges: int) -> list:
    """Learn byte-pair-encoding merges (Sennrich et al. 2016).

    Each word is split into characters plus the end-of-word symbol ``"</w>"`` on its last symbol
    (``"low"`` -> ``["l", "o", "w</w>"]``). Repeat ``num_merges`` times: count adjacent symbol pairs
    weighted by word counts, pick the most frequent pair (ties: the lexicographically smallest pair),
    merge every occurrence (left to right, non-overlapping), record the pair. Stop early when no pair
    is left. Returns the list of merged pairs ``(a, b)`` in order.
    """
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


def _merge_pair(symbols, pair):
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return tuple(out)


def bpe_encode(word: str, merges) -> list:
    """Segment one word with learned BPE merges.

    Segment one word with learned merges: start from characters (+ ``"</w>"`` on the last), then
    repeatedly apply the present pair with the lowest merge rank until none applies.
    """
    ranks = {tuple(pair): i for i, pair in enumerate(merges)}
    symbols = tuple(word[:-1]) + (word[-1] + "</w>",)
    while len(symbols) > 1:
        present = [p for p in zip(symbols, symbols[1:], strict=False) if p in ranks]
        if not present:
            break
        symbols = _merge_pair(symbols, present[0])  # leftmost pair first, whatever its rank
    return list(symbols)


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


def corpus_bleu(references, hypotheses, max_n: int = 4) -> float:
    """Corpus BLEU-4 in [0, 1], computed by hand.

    Corpus BLEU in [0, 1] (Papineni et al.): whitespace tokens, clipped n-gram precisions for
    n = 1..max_n summed over the corpus, their geometric mean (0 if any is 0, no smoothing), times the
    brevity penalty ``exp(1 - r / c)`` when the total hypothesis length ``c`` is below the total
    reference length ``r`` (one reference per hypothesis). Do not call ``sacrebleu`` or ``nltk``.
    """
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


def additive_attention(query, keys, mask, w_query, w_keys, v) -> tuple:
    """Bahdanau (additive) attention over a padded source.

    Bahdanau attention: ``e[b, s] = v . tanh(query[b] @ w_query + keys[b, s] @ w_keys)``, masked
    softmax over source positions (``mask[b, s]`` true = real token; masked weights exactly 0), and the
    context ``sum_s weights[b, s] * keys[b, s]``. Shapes: query ``[B, D]``, keys ``[B, S, D]``,
    w_query/w_keys ``[D, A]``, v ``[A]``. Returns ``(context [B, D], weights [B, S])``.
    """
    energy = tf.tanh(tf.matmul(query, w_query)[:, None, :] + tf.einsum("bsd,da->bsa", keys, w_keys))
    scores = tf.einsum("bsa,a->bs", energy, v)
    mask = tf.cast(mask, tf.bool)
    scores = tf.where(mask, scores, tf.constant(NEG_INF, scores.dtype))
    weights = tf.nn.softmax(scores, axis=-1) * tf.cast(mask, scores.dtype)
    return tf.einsum("bs,bsd->bd", weights, keys), weights
