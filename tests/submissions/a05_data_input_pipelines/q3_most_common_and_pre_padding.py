# expect: {"q3": "below_full"}
# ruff: noqa: F821  (a fragment: tf, re, Counter, PAD_TOKEN, UNK_TOKEN, AUTOTUNE come from the reference setup cell)
# Counter.most_common breaks ties by first appearance, not alphabetically, and the ids are padded
# with tf.keras.utils.pad_sequences, whose default is padding="pre" (and truncating="pre"), so
# short texts start with zeros and long ones lose their beginning. standardize is right.
# %% [q3]
def standardize(texts) -> tf.RaggedTensor:
    """Lower, strip punctuation, split."""
    texts = tf.strings.lower(tf.convert_to_tensor(texts, tf.string))
    punctuation = "[" + re.escape(r"""!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~""") + "]"
    return tf.strings.split(tf.strings.regex_replace(texts, punctuation, ""))


def build_vocab(texts, max_tokens: int) -> list:
    """Vocabulary by Counter.most_common."""
    counts = Counter(t.decode("utf-8") for row in standardize(texts).to_list() for t in row)
    return [PAD_TOKEN, UNK_TOKEN] + [t for t, _ in counts.most_common(max(0, max_tokens - 2))]


def text_pipeline(texts, labels, vocab, max_len: int, batch_size: int) -> tf.data.Dataset:
    """Eager encoding, then pad_sequences with its defaults."""
    index = {token: i for i, token in enumerate(vocab)}
    rows = [[index.get(t.decode("utf-8"), 1) for t in row] for row in standardize(texts).to_list()]
    ids = tf.keras.utils.pad_sequences(rows, maxlen=max_len, dtype="int32", value=0)
    mask = ids != 0
    data = tf.data.Dataset.from_tensor_slices(({"ids": ids, "mask": mask}, tf.constant(labels, tf.int32)))
    return data.batch(batch_size)
