# expect: {"q6": "below_full"}
# ruff: noqa: F821  (a fragment: tf, os, re, pathlib, AUTOTUNE come from the reference setup cell)
# decode_raw with its default byte order (little-endian on this machine) reads the big-endian
# records as garbage, in the reader and in the module; list_shards glues paths with "/" and sorts
# the names as strings (train-10 before train-2). save_and_reload is right.
# %% [q6]
def read_big_endian_records(path, num_features: int) -> tf.data.Dataset:
    """Native byte order."""
    def decode(record):
        ident = tf.io.decode_raw(tf.strings.substr(record, 0, 4), tf.int32)[0]
        features = tf.io.decode_raw(tf.strings.substr(record, 4, 4 * num_features), tf.float32)
        return ident, tf.ensure_shape(features, (num_features,))

    return tf.data.FixedLengthRecordDataset(str(path), record_bytes=4 + 4 * num_features).map(decode)


def list_shards(root, split: str) -> list:
    """String glue and a string sort."""
    folder = str(root) + "/" + split
    names = sorted(n for n in os.listdir(folder) if re.fullmatch(rf"{split}-\d+\.bin", n))
    return [folder + "/" + n for n in names]


class RecordPreprocessor(tf.Module):
    """Native byte order."""

    def __init__(self, mean, std):
        super().__init__()
        self.mean = tf.Variable(tf.constant(mean, tf.float32), trainable=False)
        self.std = tf.Variable(tf.constant(std, tf.float32), trainable=False)
        self.num_features = len(mean)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def __call__(self, records):
        ids = tf.io.decode_raw(tf.strings.substr(records, 0, 4), tf.int32)[:, 0]
        features = tf.io.decode_raw(tf.strings.substr(records, 4, 4 * self.num_features), tf.float32)
        return {"id": ids, "features": (features - self.mean) / self.std}


def save_and_reload(module, export_dir):
    """SavedModel round trip."""
    tf.saved_model.save(module, os.fspath(export_dir))
    return tf.saved_model.load(os.fspath(export_dir))
