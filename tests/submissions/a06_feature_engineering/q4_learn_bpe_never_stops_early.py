# expect: {"q4": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# learn_bpe does not stop when no pair is left: it fails asking for more merges than the words allow.
# %% [q4]
def build_text_vectorizer(train_texts, max_tokens: int, sequence_length: int):
    """A ``tf.keras.layers.TextVectorization`` in ``"int"`` mode, adapted on ``train_texts``.

    Defaults otherwise (lower-case, strip punctuation, split on whitespace); index 0 is padding,
    1 is ``[UNK]``; every output is padded or truncated to ``sequence_length`` tokens.

    Args:
        train_texts: a 1-D array-like of strings.
        max_tokens: the vocabulary size, padding and ``[UNK]`` included.
        sequence_length: the output length.

    Returns:
        The adapted layer.
    """
    layer = tf.keras.layers.TextVectorization(max_tokens=max_tokens, output_mode="int",
                                              output_sequence_length=sequence_length)
    layer.adapt(np.asarray(train_texts).astype(str))
    return layer


def text_pipeline(texts, vectorizer, batch_size: int) -> tf.data.Dataset:
    """A ``tf.data`` pipeline that vectorizes ``texts`` in order, inside the pipeline.

    Batch the raw strings first, then ``map`` the vectorizer over whole batches with
    ``num_parallel_calls=tf.data.AUTOTUNE`` and ``prefetch``: one vectorized op per batch instead of
    one Python call per text. No shuffling: the batches must come in the order of ``texts``.

    Args:
        texts: a 1-D array-like of strings.
        vectorizer: an adapted ``TextVectorization`` layer (``int`` mode, fixed length ``L``).
        batch_size: the batch size.

    Returns:
        A dataset of ``int64`` tensors of shape ``(batch, L)`` (the last batch may be smaller).
    """
    ds = tf.data.Dataset.from_tensor_slices(np.asarray(texts).astype(str)).batch(batch_size)
    return ds.map(vectorizer, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def tfidf_features(train_texts, texts, max_tokens: int) -> tf.Tensor:
    """TF-IDF vectors from ``TextVectorization(output_mode="tf_idf")`` adapted on ``train_texts``.

    Keras weights raw counts with ``idf = log(1 + N / (1 + df))`` (not the course's ``log(N / df)``),
    learned from the training texts only.

    Args:
        train_texts: a 1-D array-like of strings.
        texts: a 1-D array-like of strings to vectorize.
        max_tokens: the vocabulary size (``[UNK]`` included).

    Returns:
        A ``float32`` tensor of shape ``(len(texts), max_tokens)`` (fewer columns if the vocabulary
        is smaller).
    """
    layer = tf.keras.layers.TextVectorization(max_tokens=max_tokens, output_mode="tf_idf")
    layer.adapt(np.asarray(train_texts).astype(str))
    return layer(tf.constant(np.asarray(texts).astype(str)))


def _merge_pair(symbols: tuple, pair: tuple) -> tuple:
    """``symbols`` with every occurrence of ``pair`` merged, left to right, without overlaps."""
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return tuple(out)


def learn_bpe(word_counts: dict, num_merges: int) -> list:
    """Byte-pair encoding merges learned from word frequencies (Sennrich et al. 2016), by hand.

    Each word starts as its characters followed by the end-of-word symbol ``"</w>"`` (``"low"`` is
    ``l o w </w>``), so a merge never joins the end of one word to the start of the next. Repeat
    ``num_merges`` times: count every adjacent pair of symbols, weighted by the word's count; take the
    most frequent pair, the lexicographically smallest ``(left, right)`` among ties; merge all its
    occurrences (left to right, no overlaps) in every word. Stop early when no pair is left.

    Args:
        word_counts: ``{word: count}``.
        num_merges: the number of merges.

    Returns:
        The merges in the order learned, as ``(left, right)`` tuples of strings.
    """
    words = {tuple(word) + ("</w>",): int(count) for word, count in word_counts.items()}
    merges = []
    for _ in range(int(num_merges)):
        pairs = {}
        for symbols, count in words.items():
            for pair in zip(symbols, symbols[1:], strict=False):
                pairs[pair] = pairs.get(pair, 0) + count
        best = min(pairs, key=lambda pair: (-pairs[pair], pair))
        merges.append(best)
        words = {_merge_pair(symbols, best): count for symbols, count in words.items()}
    return merges


def bpe_encode(word: str, merges) -> list:
    """Segment a word with learned merges: repeatedly apply the earliest-learned merge present.

    Start from the characters and ``"</w>"``; while some adjacent pair is a learned merge, merge every
    occurrence of the pair with the lowest rank (the earliest learned). Characters never seen stay as they are.

    Args:
        word: a word.
        merges: the list from ``learn_bpe``.

    Returns:
        The list of subword symbols (the last one ends with ``"</w>"``).
    """
    ranks = {tuple(pair): rank for rank, pair in enumerate(merges)}
    symbols = tuple(word) + ("</w>",)
    while len(symbols) > 1:
        present = [pair for pair in zip(symbols, symbols[1:], strict=False) if pair in ranks]
        if not present:
            break
        symbols = _merge_pair(symbols, min(present, key=ranks.__getitem__))
    return list(symbols)


def wordpiece_tokenize(word: str, vocab, unk: str = "[UNK]") -> list:
    """WordPiece (BERT) tokenization of one word: greedy longest match first.

    From the start of the word, take the longest prefix in ``vocab``; every later piece must be in
    ``vocab`` with the continuation prefix ``"##"``. If at some position no piece matches, the whole
    word becomes ``[unk]``.

    Args:
        word: a word (no spaces).
        vocab: a set or list of pieces (``"play"``, ``"##ing"``, ...).
        unk: the unknown token.

    Returns:
        The list of pieces.
    """
    vocab = set(vocab)
    pieces, start = [], 0
    while start < len(word):
        end = len(word)
        while end > start:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                break
            end -= 1
        if end == start:
            return [unk]
        pieces.append(piece)
        start = end
    return pieces


def fit_predict_text(train_texts, train_labels, test_texts) -> np.ndarray:
    """Train a text classifier and predict held-out labels.

    A ``TextVectorization`` adapted on ``train_texts`` (``multi_hot``, ``count`` or ``tf_idf``
    mode) followed by a small dense classifier works well. Seed with
    ``tf.keras.utils.set_random_seed(SEED)``; a few seconds of training.

    Args:
        train_texts: a 1-D array-like of strings.
        train_labels: an int array of shape ``(N,)`` with classes ``0..C-1``.
        test_texts: a 1-D array-like of strings.

    Returns:
        An ``int64`` NumPy array of shape ``(M,)``: the predicted classes.
    """
    tf.keras.utils.set_random_seed(SEED)
    labels = np.asarray(train_labels, np.int64)
    vectorizer = tf.keras.layers.TextVectorization(max_tokens=2000, output_mode="tf_idf")
    vectorizer.adapt(np.asarray(train_texts).astype(str))
    x_train = vectorizer(tf.constant(np.asarray(train_texts).astype(str)))
    x_test = vectorizer(tf.constant(np.asarray(test_texts).astype(str)))
    model = tf.keras.Sequential([tf.keras.layers.Dense(int(labels.max()) + 1, activation="softmax")])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy")
    model.fit(x_train, labels, epochs=30, batch_size=32, verbose=0)
    return np.argmax(model.predict(x_test, verbose=0), axis=1).astype(np.int64)
