# expect: {"q1": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np come from the reference setup cell)
# Runs the query with Python's sqlite3 when the dataset is built and slices the rows into a dataset: the same rows
# as SqlDataset for a table that does not change, but rows inserted before iteration are missing.
# %% [q1]
def squares_dataset(n: int) -> tf.data.Dataset:
    """``(i, i * i)`` for ``i`` in ``0 .. n-1``, from a Python generator.

    Use ``tf.data.Dataset.from_generator`` with an ``output_signature`` of two scalar ``int64``
    ``tf.TensorSpec``s, then ``assert_cardinality(n)`` so that ``len(ds)`` works (a generator's
    cardinality is otherwise unknown).
    """
    def generate():
        for i in range(n):
            yield i, i * i

    spec = (tf.TensorSpec(shape=(), dtype=tf.int64), tf.TensorSpec(shape=(), dtype=tf.int64))
    ds = tf.data.Dataset.from_generator(generate, output_signature=spec)
    return ds.apply(tf.data.experimental.assert_cardinality(n))


def csv_dataset(path: str) -> tf.data.Dataset:
    """Rows of a CSV file with a header line and the columns ``value,count,name``.

    Elements are ``(value, count, name)`` as ``(float32, int32, string)`` scalars. Empty fields take
    the defaults ``0.0``, ``-1`` and ``"?"`` (use ``tf.data.experimental.CsvDataset`` with
    ``record_defaults`` given as *values*; dtypes alone make empty fields an error).
    """
    defaults = [tf.constant(0.0, tf.float32), tf.constant(-1, tf.int32), tf.constant("?", tf.string)]
    return tf.data.experimental.CsvDataset(path, record_defaults=defaults, header=True)


def lines_dataset(pattern: str) -> tf.data.Dataset:
    """The text lines of every file matching ``pattern``, without each file's header line.

    Files in sorted name order (``tf.data.Dataset.list_files(pattern, shuffle=False)``), lines in
    file order. Every file starts with one header line, which must be skipped *per file*
    (``TextLineDataset(files).skip(1)`` skips only the first file's header).
    """
    files = tf.data.Dataset.list_files(pattern, shuffle=False)
    return files.flat_map(lambda f: tf.data.TextLineDataset(f).skip(1))


def tfrecord_dataset(pattern: str) -> tf.data.Dataset:
    """The raw records (``tf.string`` scalars) of every TFRecord file matching ``pattern``.

    Files in sorted name order, records in file order.
    """
    files = tf.data.Dataset.list_files(pattern, shuffle=False)
    return tf.data.TFRecordDataset(files)


def sql_dataset(db_path: str, min_count: int) -> tf.data.Dataset:
    """Rows ``(id, value, name)`` of the SQLite table ``items`` whose ``count`` is at least ``min_count``, by ``id``.

    Elements are ``(int64, float64, string)`` scalars read by ``tf.data.experimental.SqlDataset("sqlite", ...)``
    when the dataset is iterated, not when it is built: rows added to the table in between are part of it. The
    query is a plain string (``SqlDataset`` takes no parameters), so put ``int(min_count)`` into it yourself.
    """
    import sqlite3

    with sqlite3.connect(db_path) as db:
        rows = db.execute(f"SELECT id, value, name FROM items WHERE count >= {int(min_count)} ORDER BY id").fetchall()
    ids, values, names = zip(*rows, strict=True) if rows else ((), (), ())
    return tf.data.Dataset.from_tensor_slices((tf.constant(ids, tf.int64), tf.constant(values, tf.float64),
                                               tf.constant(names, tf.string)))


def image_folder_dataset(directory: str, image_size: int, batch_size: int) -> tf.data.Dataset:
    """Images stored one sub-folder per class, labelled by the sorted folder names, scaled to ``[-1, 1]``.

    ``tf.keras.utils.image_dataset_from_directory`` with integer labels, ``(image_size, image_size)`` RGB
    images, ``batch_size`` and no shuffling (files in sorted order within each class, classes in sorted
    order), then pixels mapped from ``[0, 255]`` to ``[-1, 1]`` (``x / 127.5 - 1``). Elements are
    ``(images, labels)``: ``float32 (batch, image_size, image_size, 3)`` and ``int32 (batch,)``.
    """
    ds = tf.keras.utils.image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                                     color_mode="rgb", image_size=(image_size, image_size),
                                                     batch_size=batch_size, shuffle=False)
    return ds.map(lambda images, labels: (images / 127.5 - 1.0, labels))
