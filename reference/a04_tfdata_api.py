"""Reference solution for A04, the tf.data API.

Each ``# %% [qK]`` section is the solution cell of question ``qK``, verbatim; nbgrader removes the
marked solution regions from the student release. This docstring sits before the first section, so
it is in no notebook cell.

Course-text errors corrected here (and in the manifest's intro):

- ``group_by_window(..., reduce_func=lambda _, els: els.batch(32))`` fails on variable-length
  sequences ("Cannot batch tensors with different shapes"); the window must be ``padded_batch``-ed.
- ``tf.image.random_*`` augmentation is not reproducible; the stateless
  ``tf.image.stateless_random_*`` ops with a per-element seed are.
- The course's TFRecord example writes ``features`` as a ``FloatList`` and parses it as
  ``FixedLenFeature([], tf.string)``, which fails; a float list of length ``d`` parses as
  ``FixedLenFeature([d], tf.float32)``.
- ``tf.data.experimental.save``/``load`` are deprecated: use ``Dataset.save`` and
  ``tf.data.Dataset.load``. ``load`` reads only what ``save`` wrote: ``load`` of a ``snapshot``
  directory raises ``NotFoundError`` (no ``dataset_spec.pb``); a snapshot is resumed by iterating
  the same ``.snapshot(path)`` pipeline again.
"""

# %% [setup]

import os
import time

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np
import tensorflow as tf

AUTOTUNE = tf.data.AUTOTUNE


def slow_read_shard(path, latency_s: float = 0.002) -> tf.data.Dataset:
    """The serialized records of one TFRecord shard, as if read from slow network storage.

    Every record arrives ``latency_s`` seconds after the previous one (a blocking wait that uses no
    CPU; TF's private C++ testing ``sleep`` transformation simulates it). Question 4 is graded with
    a reader like this one.
    """
    from tensorflow.python.data.experimental.ops import testing

    return tf.data.TFRecordDataset(path).apply(testing.sleep(int(latency_s * 1e6)))


def slow_lookup(ids, latency_s: float = 0.004) -> tf.Tensor:
    """A feature-store lookup: ``price[i] = (ids[i] * 37 % 101) / 10`` for a 1-D ``int64`` tensor of ids.

    Every call costs one round trip of ``latency_s`` seconds, however many ids it asks for.
    """

    def _lookup(values):
        time.sleep(latency_s)
        return ((values * 37) % 101).astype(np.float32) / np.float32(10.0)

    prices = tf.numpy_function(_lookup, [ids], tf.float32)
    return tf.ensure_shape(prices, ids.shape)


# %% [q1]
def squares_dataset(n: int) -> tf.data.Dataset:
    """``(i, i * i)`` for ``i`` in ``0 .. n-1``, from a Python generator.

    Use ``tf.data.Dataset.from_generator`` with an ``output_signature`` of two scalar ``int64``
    ``tf.TensorSpec``s, then ``assert_cardinality(n)`` so that ``len(ds)`` works (a generator's
    cardinality is otherwise unknown).
    """
    ### BEGIN SOLUTION
    def generate():
        for i in range(n):
            yield i, i * i

    spec = (tf.TensorSpec(shape=(), dtype=tf.int64), tf.TensorSpec(shape=(), dtype=tf.int64))
    ds = tf.data.Dataset.from_generator(generate, output_signature=spec)
    return ds.apply(tf.data.experimental.assert_cardinality(n))
    ### END SOLUTION


def csv_dataset(path: str) -> tf.data.Dataset:
    """Rows of a CSV file with a header line and the columns ``value,count,name``.

    Elements are ``(value, count, name)`` as ``(float32, int32, string)`` scalars. Empty fields take
    the defaults ``0.0``, ``-1`` and ``"?"`` (use ``tf.data.experimental.CsvDataset`` with
    ``record_defaults`` given as *values*; dtypes alone make empty fields an error).
    """
    ### BEGIN SOLUTION
    defaults = [tf.constant(0.0, tf.float32), tf.constant(-1, tf.int32), tf.constant("?", tf.string)]
    return tf.data.experimental.CsvDataset(path, record_defaults=defaults, header=True)
    ### END SOLUTION


def lines_dataset(pattern: str) -> tf.data.Dataset:
    """The text lines of every file matching ``pattern``, without each file's header line.

    Files in sorted name order (``tf.data.Dataset.list_files(pattern, shuffle=False)``), lines in
    file order. Every file starts with one header line, which must be skipped *per file*
    (``TextLineDataset(files).skip(1)`` skips only the first file's header).
    """
    ### BEGIN SOLUTION
    files = tf.data.Dataset.list_files(pattern, shuffle=False)
    return files.flat_map(lambda f: tf.data.TextLineDataset(f).skip(1))
    ### END SOLUTION


def tfrecord_dataset(pattern: str) -> tf.data.Dataset:
    """The raw records (``tf.string`` scalars) of every TFRecord file matching ``pattern``.

    Files in sorted name order, records in file order.
    """
    ### BEGIN SOLUTION
    files = tf.data.Dataset.list_files(pattern, shuffle=False)
    return tf.data.TFRecordDataset(files)
    ### END SOLUTION


def sql_dataset(db_path: str, min_count: int) -> tf.data.Dataset:
    """Rows ``(id, value, name)`` of the SQLite table ``items`` whose ``count`` is at least ``min_count``, by ``id``.

    Elements are ``(int64, float64, string)`` scalars read by ``tf.data.experimental.SqlDataset("sqlite", ...)``
    when the dataset is iterated, not when it is built: rows added to the table in between are part of it. The
    query is a plain string (``SqlDataset`` takes no parameters), so put ``int(min_count)`` into it yourself.
    """
    ### BEGIN SOLUTION
    query = f"SELECT id, value, name FROM items WHERE count >= {int(min_count)} ORDER BY id"
    return tf.data.experimental.SqlDataset("sqlite", db_path, query, (tf.int64, tf.float64, tf.string))
    ### END SOLUTION


def image_folder_dataset(directory: str, image_size: int, batch_size: int) -> tf.data.Dataset:
    """Images stored one sub-folder per class, labelled by the sorted folder names, scaled to ``[-1, 1]``.

    ``tf.keras.utils.image_dataset_from_directory`` with integer labels, ``(image_size, image_size)`` RGB
    images, ``batch_size`` and no shuffling (files in sorted order within each class, classes in sorted
    order), then pixels mapped from ``[0, 255]`` to ``[-1, 1]`` (``x / 127.5 - 1``). Elements are
    ``(images, labels)``: ``float32 (batch, image_size, image_size, 3)`` and ``int32 (batch,)``.
    """
    ### BEGIN SOLUTION
    ds = tf.keras.utils.image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                                     color_mode="rgb", image_size=(image_size, image_size),
                                                     batch_size=batch_size, shuffle=False)
    return ds.map(lambda images, labels: (images / 127.5 - 1.0, labels))
    ### END SOLUTION


# %% [q2]
def clean_text(ds: tf.data.Dataset) -> tf.data.Dataset:
    """Normalize a dataset of strings and drop the ones that end up empty.

    Per element: ``tf.strings.lower``, replace every run of characters outside ``[a-z0-9]`` by one
    space (``tf.strings.regex_replace(s, "[^a-z0-9]+", " ")``), strip leading and trailing spaces
    (``tf.strings.strip``). Then ``filter`` out empty strings.
    """
    ### BEGIN SOLUTION
    def normalize(s):
        s = tf.strings.lower(s)
        s = tf.strings.regex_replace(s, "[^a-z0-9]+", " ")
        return tf.strings.strip(s)

    return ds.map(normalize).filter(lambda s: tf.strings.length(s) > 0)
    ### END SOLUTION


def sliding_windows(ds: tf.data.Dataset, size: int, shift: int) -> tf.data.Dataset:
    """Windows of ``size`` consecutive elements, starting every ``shift`` elements, as tensors.

    ``window(size, shift, drop_remainder=True)`` gives a dataset of datasets; ``flat_map`` each one
    into a single ``batch(size)``. Elements are tensors of shape ``(size, *element_shape)``.
    """
    ### BEGIN SOLUTION
    windows = ds.window(size, shift=shift, drop_remainder=True)
    return windows.flat_map(lambda w: w.batch(size, drop_remainder=True))
    ### END SOLUTION


def split_every(ds: tf.data.Dataset, k: int) -> tuple:
    """A deterministic train/validation split: element ``i`` goes to validation when ``i % k == 0``.

    Use ``enumerate`` and ``filter``, then ``map`` the index away. Returns ``(train, val)``.
    """
    ### BEGIN SOLUTION
    indexed = ds.enumerate()
    k = tf.constant(k, tf.int64)

    def is_val(i, x):
        return i % k == 0

    def is_train(i, x):
        return i % k != 0

    def drop_index(i, x):
        return x

    return indexed.filter(is_train).map(drop_index), indexed.filter(is_val).map(drop_index)
    ### END SOLUTION


def augment(ds: tf.data.Dataset, seed: int) -> tf.data.Dataset:
    """Seeded, stateless augmentation of ``(image, label)`` pairs (float32 images in ``[0, 1]``).

    For element ``i`` (``ds.enumerate()``), derive two seeds with
    ``s = tf.random.split(tf.stack([tf.constant(seed, tf.int64), i]), num=2)``; then
    ``image = tf.image.stateless_random_flip_left_right(image, seed=s[0])``,
    ``image = tf.image.stateless_random_brightness(image, 0.2, seed=s[1])`` and clip to ``[0, 1]``.
    Labels pass unchanged. The same seed gives the same images on every pass over the data.
    """
    ### BEGIN SOLUTION
    seed = tf.constant(seed, tf.int64)

    def apply(i, pair):
        image, label = pair
        seeds = tf.random.split(tf.stack([seed, i]), num=2)
        image = tf.image.stateless_random_flip_left_right(image, seed=seeds[0])
        image = tf.image.stateless_random_brightness(image, 0.2, seed=seeds[1])
        return tf.clip_by_value(image, 0.0, 1.0), label

    return ds.enumerate().map(lambda i, pair: apply(i, pair))
    ### END SOLUTION


# %% [q3]
def padded_batches(ds: tf.data.Dataset, batch_size: int, pad_id: int = 0) -> tf.data.Dataset:
    """Batch ``(tokens, label)`` pairs (``int32`` token vectors of varying length, ``int32`` labels).

    Each batch pads its token vectors with ``pad_id`` to the longest one *in that batch*
    (``padded_batch``). Keep the last, smaller batch.
    """
    ### BEGIN SOLUTION
    return ds.padded_batch(batch_size, padded_shapes=([None], []),
                           padding_values=(tf.constant(pad_id, tf.int32), tf.constant(0, tf.int32)))
    ### END SOLUTION


def bucketed_batches(ds: tf.data.Dataset, boundaries: list, batch_size: int, pad_id: int = 0) -> tf.data.Dataset:
    """Like ``padded_batches``, but every batch holds sequences of one length bucket only.

    Bucket ``b`` holds the lengths ``boundaries[b-1] <= len < boundaries[b]`` (the first bucket
    starts at 0, the last has no upper bound). Batches hold at most ``batch_size`` elements, are
    padded to their own longest sequence, and the last partial batch of each bucket is kept. Use
    ``Dataset.bucket_by_sequence_length`` or ``group_by_window`` with ``padded_batch``.
    """
    ### BEGIN SOLUTION
    sizes = [batch_size] * (len(boundaries) + 1)
    return ds.bucket_by_sequence_length(
        element_length_func=lambda tokens, label: tf.shape(tokens)[0],
        bucket_boundaries=list(boundaries), bucket_batch_sizes=sizes,
        padded_shapes=([None], []),
        padding_values=(tf.constant(pad_id, tf.int32), tf.constant(0, tf.int32)))
    ### END SOLUTION


def epoch_stream(ds: tf.data.Dataset, buffer_size: int, seed: int, epochs: int) -> tf.data.Dataset:
    """``epochs`` passes over ``ds``, each in a new random order, reproducible under ``seed``.

    Shuffle *before* repeat (``shuffle(buffer_size, seed=seed, reshuffle_each_iteration=True)``,
    then ``repeat(epochs)``), so that every epoch is a permutation of ``ds`` and epochs never mix.
    Building the pipeline twice with the same seed must give the same stream.
    """
    ### BEGIN SOLUTION
    shuffled = ds.shuffle(buffer_size, seed=seed, reshuffle_each_iteration=True)
    return shuffled.repeat(epochs)
    ### END SOLUTION


# %% [q4]
def fast_pipeline(paths: list, read_shard, lookup, batch_size: int) -> tf.data.Dataset:
    """A fast version of the naive input pipeline below, with the same elements (in any order).

    Naive version (correct, slow)::

        ds = tf.data.Dataset.from_tensor_slices(paths).flat_map(read_shard)
        ds = ds.map(lambda r: tf.io.parse_single_example(r, FEATURES))
        ds = ds.map(lambda e: {**e, "price": lookup(e["id"][tf.newaxis])[0]})
        ds = ds.batch(batch_size)

    with ``FEATURES = {"id": tf.io.FixedLenFeature([], tf.int64),
    "x": tf.io.FixedLenFeature([4], tf.float32)}``. ``read_shard(path)`` gives one shard's
    serialized records with I/O latency per record; ``lookup(ids)`` costs one round trip per call,
    however many ids it gets. Make it fast: read the shards in parallel (``interleave`` with
    ``cycle_length`` and ``num_parallel_calls`` both equal to the number of shards: the readers
    wait on I/O, and ``AUTOTUNE`` would size the pool for CPU work, i.e. about the core count), batch *before*
    parsing (``tf.io.parse_example`` on whole batches) and look up whole batches (vectorized map),
    with parallel maps and a final ``prefetch``. ``read_shard`` and ``lookup`` stand for the real storage and
    price service: read every record through ``read_shard`` and price every id once through ``lookup`` (the
    hidden tests count what goes through them).

    Returns:
        Batches ``{"id": int64 (B,), "x": float32 (B, 4), "price": float32 (B,)}``, ``B <=
        batch_size``.
    """
    ### BEGIN SOLUTION
    features = {"id": tf.io.FixedLenFeature([], tf.int64), "x": tf.io.FixedLenFeature([4], tf.float32)}
    files = tf.data.Dataset.from_tensor_slices(paths)
    # I/O-bound readers wait without using CPU, so many more of them than cores pay off; AUTOTUNE
    # sizes the pool for CPU-bound work (about the core count), so name the parallelism here.
    readers = max(1, len(paths))
    ds = files.interleave(read_shard, cycle_length=readers, num_parallel_calls=readers, deterministic=False)
    ds = ds.batch(batch_size)
    ds = ds.map(lambda r: tf.io.parse_example(r, features), num_parallel_calls=AUTOTUNE)
    ds = ds.map(lambda e: {**e, "price": lookup(e["id"])}, num_parallel_calls=AUTOTUNE)
    return ds.prefetch(AUTOTUNE)
    ### END SOLUTION


# %% [q5]
def cached_pipeline(ds: tf.data.Dataset, expensive_fn, augment_fn, batch_size: int, seed: int,
                    cache_path: str = "") -> tf.data.Dataset:
    """A training pipeline that runs ``expensive_fn`` once per element, however many epochs.

    Order: ``map(expensive_fn)`` (deterministic, costly), then ``cache(cache_path)`` (``""``: in
    memory; a path: on disk, reused by later pipelines with the same path), then
    ``shuffle(buffer_size=1000, seed=seed)`` (a new order every epoch), then ``map(augment_fn)``
    (random, must run every epoch), then ``batch(batch_size)`` and ``prefetch(tf.data.AUTOTUNE)``.
    """
    ### BEGIN SOLUTION
    ds = ds.map(expensive_fn, num_parallel_calls=AUTOTUNE)
    ds = ds.cache(cache_path)  # after the deterministic work, before anything random
    ds = ds.shuffle(1000, seed=seed, reshuffle_each_iteration=True)
    ds = ds.map(augment_fn, num_parallel_calls=AUTOTUNE)
    return ds.batch(batch_size).prefetch(AUTOTUNE)
    ### END SOLUTION


# %% [q6]
def serialize_example(record: dict) -> bytes:
    """One ``tf.train.Example`` as bytes, from a record of NumPy values / Python objects.

    ``record`` holds ``"id"`` (int), ``"embedding"`` (float32 array of shape ``(d,)``), ``"tokens"``
    (int64 array of any length, possibly 0) and ``"name"`` (str). Store them as an ``Int64List``, a
    ``FloatList``, an ``Int64List`` and a ``BytesList`` (UTF-8) under the same keys.
    """
    ### BEGIN SOLUTION
    feature = {
        "id": tf.train.Feature(int64_list=tf.train.Int64List(value=[int(record["id"])])),
        "embedding": tf.train.Feature(float_list=tf.train.FloatList(value=np.asarray(record["embedding"]).ravel())),
        "tokens": tf.train.Feature(int64_list=tf.train.Int64List(value=np.asarray(record["tokens"]).ravel())),
        "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[str(record["name"]).encode("utf-8")])),
    }
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()
    ### END SOLUTION


def write_tfrecords(records: list, prefix: str, num_shards: int, compression: str = "") -> list:
    """Write records to ``num_shards`` TFRecord files; returns their paths in shard order.

    Record ``j`` goes to shard ``j % num_shards``, serialized by ``serialize_example``; shard ``s``
    is ``f"{prefix}-{s:05d}-of-{num_shards:05d}.tfrecord"``. ``compression`` is ``""``, ``"GZIP"``
    or ``"ZLIB"`` (``tf.io.TFRecordOptions(compression_type=...)``).
    """
    ### BEGIN SOLUTION
    paths = [f"{prefix}-{s:05d}-of-{num_shards:05d}.tfrecord" for s in range(num_shards)]
    options = tf.io.TFRecordOptions(compression_type=compression)
    writers = [tf.io.TFRecordWriter(p, options) for p in paths]
    try:
        for j, record in enumerate(records):
            writers[j % num_shards].write(serialize_example(record))
    finally:
        for w in writers:
            w.close()
    return paths
    ### END SOLUTION


def parse_example(serialized, dim: int) -> dict:
    """Parse one serialized Example written by ``serialize_example`` (``embedding`` of length ``dim``).

    Returns ``{"id": int64 (), "embedding": float32 (dim,), "tokens": int64 (None,), "name":
    string ()}``: fixed-length features with ``FixedLenFeature``, the variable-length tokens with
    ``tf.io.RaggedFeature(tf.int64)`` (or ``VarLenFeature`` made dense) as a 1-D tensor.
    """
    ### BEGIN SOLUTION
    spec = {
        "id": tf.io.FixedLenFeature([], tf.int64),
        "embedding": tf.io.FixedLenFeature([dim], tf.float32),
        "tokens": tf.io.RaggedFeature(tf.int64),
        "name": tf.io.FixedLenFeature([], tf.string),
    }
    return tf.io.parse_single_example(serialized, spec)
    ### END SOLUTION


def read_tfrecords(paths: list, dim: int, compression: str = "") -> tf.data.Dataset:
    """The records of ``paths`` (files in the given order), parsed with ``parse_example``."""
    ### BEGIN SOLUTION
    ds = tf.data.TFRecordDataset(paths, compression_type=compression)
    return ds.map(lambda s: parse_example(s, dim))
    ### END SOLUTION


def save_and_load(ds: tf.data.Dataset, path: str) -> tf.data.Dataset:
    """Save ``ds`` with ``ds.save(path)`` and return ``tf.data.Dataset.load(path)``."""
    ### BEGIN SOLUTION
    ds.save(path)
    return tf.data.Dataset.load(path)
    ### END SOLUTION


def snapshot_pipeline(ds: tf.data.Dataset, expensive_fn, path: str) -> tf.data.Dataset:
    """``ds.map(expensive_fn)`` persisted with ``snapshot(path)``.

    The first full pass writes the snapshot; later passes over the same pipeline read it instead of
    calling ``expensive_fn``. (Do not ``Dataset.load`` a snapshot directory: it is not ``save``
    output.)
    """
    ### BEGIN SOLUTION
    return ds.map(expensive_fn).snapshot(path)
    ### END SOLUTION
