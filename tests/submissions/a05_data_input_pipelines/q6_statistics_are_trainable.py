# expect: {"q6": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# RecordPreprocessor's mean and std are trainable variables (an optimizer given the module would change them).
# %% [q6]
def read_big_endian_records(path, num_features: int) -> tf.data.Dataset:
    """Fixed-length binary records written on a big-endian machine.

    Each record is an ``int32`` id followed by ``num_features`` ``float32`` values, all big-endian
    (``numpy`` dtypes ``'>i4'`` and ``'>f4'``), with no header or separator. Read them with
    ``tf.data.FixedLengthRecordDataset`` and decode with ``tf.io.decode_raw(...,
    little_endian=False)``: the default assumes little-endian and silently gives garbage here.

    Returns:
        A ``tf.data.Dataset`` of ``(id int32 (), features float32 (num_features,))``.
    """
    def decode(record):
        ident = tf.io.decode_raw(tf.strings.substr(record, 0, 4), tf.int32, little_endian=False)[0]
        features = tf.io.decode_raw(tf.strings.substr(record, 4, 4 * num_features), tf.float32,
                                    little_endian=False)
        return ident, tf.ensure_shape(features, (num_features,))

    records = tf.data.FixedLengthRecordDataset(os.fspath(path), record_bytes=4 + 4 * num_features)
    return records.map(decode, num_parallel_calls=AUTOTUNE)


def list_shards(root, split: str) -> list:
    """The shard files of one split, in shard order, as platform-independent paths.

    Shards live in the folder ``<root>/<split>`` and are named ``<split>-<k>.bin`` with an unpadded
    shard number ``k`` (``train-2.bin`` comes before ``train-10.bin``). Ignore every other file.
    Build paths with ``os.path``/``pathlib``, never by gluing strings with ``"/"``; ``root`` may be a
    ``str`` (with or without a trailing separator) or a ``pathlib.Path``.

    Returns:
        A list of ``str`` paths (``os.path.join(root, split, name)`` form), sorted by shard number.
    """
    pattern = re.compile(rf"{re.escape(split)}-(\d+)\.bin")
    folder = pathlib.Path(root) / split
    found = [(int(m.group(1)), p) for p in folder.iterdir() if p.is_file() and (m := pattern.fullmatch(p.name))]
    return [str(p) for _, p in sorted(found)]


class RecordPreprocessor(tf.Module):
    """A SavedModel-compatible preprocessing function for the big-endian records.

    ``__call__`` is a ``tf.function`` with ``input_signature=[tf.TensorSpec([None], tf.string)]``:
    a batch of raw records (the bytes of ``read_big_endian_records``' format). It returns a dict:
    ``"id"`` ``int32 (batch,)`` and ``"features"`` ``float32 (batch, num_features)`` standardized as
    ``(x - mean) / std``. ``mean`` and ``std`` (``num_features`` floats each) are stored as
    ``float32`` ``tf.Variable`` s (non-trainable) so they are saved with the module.
    """

    def __init__(self, mean, std):
        super().__init__()
        self.mean = tf.Variable(tf.constant(mean, tf.float32))
        self.std = tf.Variable(tf.constant(std, tf.float32))
        self.num_features = len(mean)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def __call__(self, records):
        # substr + decode_raw(little_endian=False): the byte order is explicit, whatever machine runs this.
        ids = tf.io.decode_raw(tf.strings.substr(records, 0, 4), tf.int32, little_endian=False)[:, 0]
        features = tf.io.decode_raw(tf.strings.substr(records, 4, 4 * self.num_features), tf.float32,
                                    little_endian=False)
        return {"id": ids, "features": (features - self.mean) / self.std}


def save_and_reload(module, export_dir):
    """Save ``module`` as a SavedModel in ``export_dir`` and load it back.

    Returns:
        What ``tf.saved_model.load`` returns; calling it must give the same outputs as ``module``.
    """
    export_dir = os.fspath(export_dir)
    tf.saved_model.save(module, export_dir)
    return tf.saved_model.load(export_dir)
