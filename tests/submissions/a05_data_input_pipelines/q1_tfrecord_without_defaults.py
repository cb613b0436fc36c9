# expect: {"q1": "below_full"}
# ruff: noqa: F821  (a fragment: tf, json, AUTOTUNE, CSV_COLUMNS, JSON_SCHEMA come from the reference setup cell)
# The optional TFRecord features are declared without default values (so a record that lacks them
# fails to parse) and the compression argument is ignored. CSV and JSON Lines are right.
# %% [q1]
def read_csv(path, batch_size: int) -> tf.data.Dataset:
    """CSV batches."""
    return tf.data.experimental.make_csv_dataset(
        path, batch_size=batch_size, column_names=CSV_COLUMNS, select_columns=["age", "income", "city", "label"],
        column_defaults=[-1.0, 0.0, "unknown", tf.int32], label_name="label", num_epochs=1, shuffle=False)


def read_jsonl(path) -> tf.data.Dataset:
    """JSON Lines."""
    def generate():
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict):
                    yield {key: default if record.get(key) is None else record[key]
                           for key, (_, default) in JSON_SCHEMA.items()}

    signature = {key: tf.TensorSpec((), dtype) for key, (dtype, _) in JSON_SCHEMA.items()}
    return tf.data.Dataset.from_generator(generate, output_signature=signature)


def read_tfrecords(paths, compression: str) -> tf.data.Dataset:
    """Parsed records; no defaults, no compression."""
    spec = {
        "id": tf.io.FixedLenFeature([], tf.int64),
        "embedding": tf.io.FixedLenFeature([4], tf.float32),
        "tag": tf.io.FixedLenFeature([], tf.string),
        "weight": tf.io.FixedLenFeature([], tf.float32),
    }
    return tf.data.TFRecordDataset(list(paths)).map(lambda r: tf.io.parse_single_example(r, spec))
