# expect: {"q1": "below_full"}
# ruff: noqa: F821  (a fragment: tf, json, AUTOTUNE, CSV_COLUMNS, JSON_SCHEMA come from the reference setup cell)
# Two classic reader mistakes: make_csv_dataset left to shuffle (its default), so the rows come out
# in a random order, and record.get(key, default) in the JSON reader, which keeps an explicit JSON
# null as None (from_generator then fails on it). The TFRecord reader is right.
# %% [q1]
def read_csv(path, batch_size: int) -> tf.data.Dataset:
    """CSV batches, shuffle left at its default."""
    return tf.data.experimental.make_csv_dataset(
        path, batch_size=batch_size, column_names=CSV_COLUMNS, select_columns=["age", "income", "city", "label"],
        column_defaults=[-1.0, 0.0, "unknown", tf.int32], label_name="label", num_epochs=1)


def read_jsonl(path) -> tf.data.Dataset:
    """JSON Lines; nulls are not replaced."""
    def generate():
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict):
                    yield {key: record.get(key, default) for key, (_, default) in JSON_SCHEMA.items()}

    signature = {key: tf.TensorSpec((), dtype) for key, (dtype, _) in JSON_SCHEMA.items()}
    return tf.data.Dataset.from_generator(generate, output_signature=signature)


def read_tfrecords(paths, compression: str) -> tf.data.Dataset:
    """Parsed records."""
    spec = {
        "id": tf.io.FixedLenFeature([], tf.int64),
        "embedding": tf.io.FixedLenFeature([4], tf.float32),
        "tag": tf.io.FixedLenFeature([], tf.string, default_value="none"),
        "weight": tf.io.FixedLenFeature([], tf.float32, default_value=1.0),
    }
    return tf.data.TFRecordDataset(list(paths), compression_type=compression).map(
        lambda r: tf.io.parse_single_example(r, spec))
