"""Reference solution for A05, Data Input Pipelines.

Each ``# %% [qK]`` section is the solution cell of question ``qK``, verbatim; nbgrader removes the
marked solution regions from the student release. This docstring sits before the first section, so
it is in no notebook cell.

Course-text errors corrected here (and in the manifest's intro):

- ``tf.io.decode_json_example`` does not parse arbitrary JSON: it only converts the JSON form of a
  ``tf.train.Example`` proto to its binary form (``'{"a": 1}'`` raises ``InvalidArgumentError``).
  JSON Lines are parsed with Python's ``json`` inside ``Dataset.from_generator``.
- ``tf.data.experimental.make_csv_dataset`` repeats forever and shuffles unless ``num_epochs=1`` and
  ``shuffle=False`` are given.
- ``tf.io.decode_image`` returns a tensor of unknown rank in a graph (``Dataset.map``) unless
  ``expand_animations=False``; ``tf.image.resize`` then fails.
- ``tf.image.random_*`` augmentations are not reproducible; the ``tf.image.stateless_random_*`` ones
  depend only on their ``seed`` argument.
- TF has no audio resampler ("Resample to standard rate" in the course is not implemented), and
  MP3/FLAC need ``tensorflow-io``; only WAV is decoded by core TensorFlow (``tf.audio.decode_wav``).
- ``tf.data.experimental.AUTOTUNE`` is ``tf.data.AUTOTUNE``; ``tf.keras.preprocessing.text.Tokenizer``
  is deprecated (gone in Keras 3): vocabularies are built here with ``tf.lookup`` tables.
"""

# %% [setup]

import json
import os
import pathlib
import re
from collections import Counter

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np  # noqa: F401  (for the student's own use)
import tensorflow as tf

AUTOTUNE = tf.data.AUTOTUNE

# Q1: the CSV columns (in file order) and the JSON Lines schema.
CSV_COLUMNS = ["id", "age", "income", "city", "label"]
JSON_SCHEMA = {"user": (tf.string, ""), "clicks": (tf.int64, 0), "score": (tf.float32, -1.0)}

# Q3: the reserved tokens of the text vocabulary.
PAD_TOKEN, UNK_TOKEN = "[PAD]", "[UNK]"


# %% [q1]
def read_csv(path, batch_size: int) -> tf.data.Dataset:
    """Batches of ``(features, label)`` from a CSV file with a header line ``id,age,income,city,label``.

    - Read the file once, in file order (no repeat, no shuffle); keep the last, smaller batch.
    - ``features`` is a dict with exactly the keys ``age`` (``float32``, missing -> ``-1.0``),
      ``income`` (``float32``, missing -> ``0.0``) and ``city`` (``tf.string``, missing -> ``"unknown"``);
      the ``id`` column is not returned.
    - ``label`` is ``int32`` and never missing.

    Args:
        path: the CSV file (a ``str``).
        batch_size: rows per batch.

    Returns:
        A ``tf.data.Dataset`` of ``(dict of (batch,) tensors, (batch,) int32 tensor)``.
    """
    ### BEGIN SOLUTION
    return tf.data.experimental.make_csv_dataset(
        path, batch_size=batch_size, column_names=CSV_COLUMNS, select_columns=["age", "income", "city", "label"],
        # Defaults of the *selected* columns, in file order; an int32 dtype (no default) makes label required.
        column_defaults=[-1.0, 0.0, "unknown", tf.int32], label_name="label", header=True,
        num_epochs=1, shuffle=False)  # make_csv_dataset repeats forever and shuffles by default
    ### END SOLUTION


def read_jsonl(path) -> tf.data.Dataset:
    """One dict per valid line of a JSON Lines file, in file order.

    Each line should hold one JSON object. Follow ``JSON_SCHEMA`` (key -> ``(dtype, default)``):
    every element is a dict with exactly the keys ``user`` (``tf.string``), ``clicks`` (``int64``) and
    ``score`` (``float32``), scalars; a missing key or a JSON ``null`` takes the default; keys not
    in the schema are ignored. Skip blank lines and lines that are not a JSON object (malformed
    JSON, a list, a number).

    Args:
        path: the file (a ``str``).

    Returns:
        A ``tf.data.Dataset`` of dicts of scalar tensors.
    """
    ### BEGIN SOLUTION
    def generate():
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if not isinstance(record, dict):
                    continue
                yield {key: default if record.get(key) is None else record[key]
                       for key, (_, default) in JSON_SCHEMA.items()}

    signature = {key: tf.TensorSpec((), dtype) for key, (dtype, _) in JSON_SCHEMA.items()}
    return tf.data.Dataset.from_generator(generate, output_signature=signature)
    ### END SOLUTION


def read_tfrecords(paths, compression: str) -> tf.data.Dataset:
    """Parsed ``tf.train.Example`` records from TFRecord files, in file order then record order.

    Each record has the features ``id`` (int64, required), ``embedding`` (4 floats, required),
    ``tag`` (bytes, optional, default ``"none"``) and ``weight`` (float, optional, default ``1.0``).

    Args:
        paths: a list of file paths, read one after the other.
        compression: ``""``, ``"GZIP"`` or ``"ZLIB"``.

    Returns:
        A ``tf.data.Dataset`` of dicts: ``id`` int64 ``()``, ``embedding`` float32 ``(4,)``,
        ``tag`` string ``()``, ``weight`` float32 ``()``.
    """
    ### BEGIN SOLUTION
    spec = {
        "id": tf.io.FixedLenFeature([], tf.int64),
        "embedding": tf.io.FixedLenFeature([4], tf.float32),
        "tag": tf.io.FixedLenFeature([], tf.string, default_value="none"),
        "weight": tf.io.FixedLenFeature([], tf.float32, default_value=1.0),
    }
    records = tf.data.TFRecordDataset(list(paths), compression_type=compression)
    return records.map(lambda r: tf.io.parse_single_example(r, spec), num_parallel_calls=AUTOTUNE)
    ### END SOLUTION


# %% [q2]
def image_pipeline(paths, labels, image_size: int, batch_size: int, training: bool = False, seed: int = 0,
                   read_fn=tf.io.read_file, crop: bool = False, symmetric: bool = False) -> tf.data.Dataset:
    """Decode, resize, (augment) and batch PNG and JPEG files, in a parallel ``tf.data`` pipeline.

    For element ``i`` (its position in ``paths``):

    1. ``read_fn(path)`` gives the file's bytes (the hidden tests pass a slow reader that simulates
       network storage; call it inside your ``map``).
    2. Decode PNG or JPEG, grayscale or colour, to 3 channels (``tf.io.decode_image(...,
       channels=3, expand_animations=False)``), then ``tf.image.convert_image_dtype`` to ``float32``
       in ``[0, 1]``.
    3. Without ``crop``: ``tf.image.resize`` to ``(image_size, image_size)`` (bilinear, the default),
       which stretches a non-square image. With ``crop``, keep the aspect ratio: for an ``h x w``
       image with shorter side ``s = min(h, w)``, resize (bilinear) to
       ``((h * image_size + s - 1) // s, (w * image_size + s - 1) // s)`` (integer arithmetic, so the
       shorter side becomes exactly ``image_size``), then take the central
       ``image_size x image_size`` window with ``tf.image.resize_with_crop_or_pad``.
    4. Only when ``training``: ``tf.image.stateless_random_flip_left_right`` with seed
       ``[seed, 2 * i]``, then ``tf.image.stateless_random_brightness`` with ``max_delta=0.2`` and
       seed ``[seed, 2 * i + 1]``, then clip to ``[0, 1]``.
    5. Only when ``symmetric``: map ``[0, 1]`` to ``[-1, 1]`` (``2 * x - 1``), the input range of
       MobileNet- and Inception-style networks. This comes last, after the clip.
    6. Batch (keep the last, smaller batch), keep the file order, and make it fast: parallel map,
       prefetch.

    Args:
        paths: list of file paths.
        labels: list of ints, one per path.
        image_size: output height and width.
        batch_size: images per batch.
        training: whether to augment.
        seed: the augmentation seed.
        read_fn: ``path tensor -> bytes tensor``.
        crop: resize the shorter side and centre-crop (aspect ratio kept) instead of stretching.
        symmetric: scale the pixels to ``[-1, 1]`` instead of ``[0, 1]``.

    Returns:
        A ``tf.data.Dataset`` of ``(images, labels)``: ``float32 (batch, image_size, image_size, 3)``
        and ``int32 (batch,)``; the static element shape is ``(None, image_size, image_size, 3)``.
    """
    ### BEGIN SOLUTION
    def load(index, path, label):
        image = tf.io.decode_image(read_fn(path), channels=3, expand_animations=False)
        image = tf.image.convert_image_dtype(image, tf.float32)
        if crop:
            height, width = tf.shape(image)[0], tf.shape(image)[1]
            shorter = tf.minimum(height, width)
            image = tf.image.resize(image, ((height * image_size + shorter - 1) // shorter,
                                            (width * image_size + shorter - 1) // shorter))
            image = tf.image.resize_with_crop_or_pad(image, image_size, image_size)
        else:
            image = tf.image.resize(image, (image_size, image_size))
        if training:
            index = tf.cast(index, tf.int64)
            image = tf.image.stateless_random_flip_left_right(image, seed=tf.stack([seed, 2 * index]))
            image = tf.image.stateless_random_brightness(image, 0.2, seed=tf.stack([seed, 2 * index + 1]))
            image = tf.clip_by_value(image, 0.0, 1.0)
        if symmetric:
            image = 2.0 * image - 1.0
        return image, label

    data = tf.data.Dataset.from_tensor_slices(([str(p) for p in paths], tf.constant(labels, tf.int32)))
    # The index rides along so each image's augmentation seed does not depend on thread scheduling.
    data = data.enumerate().map(lambda i, pl: load(i, *pl), num_parallel_calls=AUTOTUNE)
    return data.batch(batch_size).prefetch(AUTOTUNE)
    ### END SOLUTION


# %% [q3]
def standardize(texts) -> tf.RaggedTensor:
    """Lower-case, strip ASCII punctuation and split on whitespace.

    Lower-case with ``tf.strings.lower``, delete every character of Python's
    ``string.punctuation`` (so ``"don't"`` becomes ``"dont"``), then split on runs of whitespace.

    Args:
        texts: a 1-D string tensor (or list of str).

    Returns:
        A ``tf.RaggedTensor`` of tokens, one row per text (empty rows for texts without tokens).
    """
    ### BEGIN SOLUTION
    texts = tf.strings.lower(tf.convert_to_tensor(texts, tf.string))
    punctuation = "[" + re.escape(r"""!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~""") + "]"
    return tf.strings.split(tf.strings.regex_replace(texts, punctuation, ""))
    ### END SOLUTION


def build_vocab(texts, max_tokens: int) -> list:
    """The vocabulary of a corpus: ``[PAD]``, ``[UNK]``, then tokens by frequency.

    Tokens come from ``standardize``. After the two reserved tokens come the most frequent tokens,
    by count descending and, among equal counts, alphabetically; at most ``max_tokens`` entries in
    all.

    Args:
        texts: list of str.
        max_tokens: the vocabulary size cap (>= 2).

    Returns:
        A list of str: ``["[PAD]", "[UNK]", most frequent, ...]``.
    """
    ### BEGIN SOLUTION
    counts = Counter(t.decode("utf-8") for row in standardize(texts).to_list() for t in row)
    ranked = sorted(counts, key=lambda token: (-counts[token], token))
    return [PAD_TOKEN, UNK_TOKEN] + ranked[: max(0, max_tokens - 2)]
    ### END SOLUTION


def text_pipeline(texts, labels, vocab, max_len: int, batch_size: int) -> tf.data.Dataset:
    """Token ids and a padding mask for each text, batched, with a ``tf.lookup`` table.

    - Token ``t`` gets id ``vocab.index(t)``; a token not in ``vocab`` gets the ``[UNK]`` id 1.
    - Keep the first ``max_len`` tokens; pad after them with the ``[PAD]`` id 0 (post-padding).
    - ``mask`` is True at real tokens and False at padding.

    Args:
        texts: list of str.
        labels: list of ints, one per text.
        vocab: as ``build_vocab`` returns.
        max_len: the fixed sequence length.
        batch_size: texts per batch (keep the last batch).

    Returns:
        A ``tf.data.Dataset`` of ``({"ids": int32 (batch, max_len), "mask": bool (batch, max_len)},
        int32 labels (batch,))``, in input order.
    """
    ### BEGIN SOLUTION
    table = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(tf.constant(list(vocab)), tf.range(len(vocab), dtype=tf.int64)),
        default_value=1)  # out-of-vocabulary -> [UNK]

    def encode(batch_texts, batch_labels):
        tokens = standardize(batch_texts)
        ids = tf.ragged.map_flat_values(table.lookup, tokens)[:, :max_len]
        dense = tf.cast(ids.to_tensor(default_value=0, shape=[None, max_len]), tf.int32)
        mask = tf.sequence_mask(ids.row_lengths(), max_len)
        return {"ids": dense, "mask": mask}, batch_labels

    data = tf.data.Dataset.from_tensor_slices((tf.constant(list(texts), tf.string), tf.constant(labels, tf.int32)))
    # Batch first, then standardize and look up a whole batch at once (vectorized map).
    return data.batch(batch_size).map(encode, num_parallel_calls=AUTOTUNE).prefetch(AUTOTUNE)
    ### END SOLUTION


# %% [q4]
def read_wav(path):
    """Decode a 16-bit PCM WAV file to a mono ``float32`` waveform.

    Args:
        path: the file (a ``str``).

    Returns:
        ``(waveform, sample_rate)``: ``waveform`` a 1-D ``float32`` tensor in ``[-1, 1]`` (the mean of
        the channels for stereo), ``sample_rate`` a Python int.
    """
    ### BEGIN SOLUTION
    audio, rate = tf.audio.decode_wav(tf.io.read_file(path))
    return tf.reduce_mean(audio, axis=-1), int(rate)
    ### END SOLUTION


def log_mel_spectrogram(waveform, sample_rate: int, frame_length: int = 400, frame_step: int = 160,
                        fft_length: int = 512, num_mel_bins: int = 40, lower_hz: float = 20.0,
                        upper_hz: float = 4000.0):
    """Log-mel features: STFT, power spectrum, mel filterbank, log.

    ``tf.signal.stft`` (Hann window, the default), power ``|X|^2``, times
    ``tf.signal.linear_to_mel_weight_matrix(num_mel_bins, fft_length // 2 + 1, sample_rate, lower_hz,
    upper_hz)``, then ``log(mel + 1e-6)``. Differentiable with respect to ``waveform``.

    Args:
        waveform: ``float32`` of shape ``(samples,)`` or ``(batch, samples)``.
        sample_rate: samples per second (a Python int).
        frame_length: STFT window length (samples).
        frame_step: hop between windows (samples).
        fft_length: FFT size; ``fft_length // 2 + 1`` frequency bins.
        num_mel_bins: number of mel bands.
        lower_hz: lower edge of the lowest mel band.
        upper_hz: upper edge of the highest mel band.

    Returns:
        ``float32`` of shape ``(..., frames, num_mel_bins)``.
    """
    ### BEGIN SOLUTION
    stft = tf.signal.stft(waveform, frame_length, frame_step, fft_length)
    power = tf.math.square(tf.abs(stft))
    weights = tf.signal.linear_to_mel_weight_matrix(num_mel_bins, fft_length // 2 + 1, sample_rate, lower_hz,
                                                    upper_hz)
    mel = tf.tensordot(power, weights, 1)
    return tf.math.log(mel + 1e-6)
    ### END SOLUTION


def mfcc(log_mel, num_coefficients: int = 13):
    """The first ``num_coefficients`` MFCCs of log-mel features (``tf.signal.mfccs_from_log_mel_spectrograms``).

    Returns:
        ``float32`` of shape ``(..., frames, num_coefficients)``.
    """
    ### BEGIN SOLUTION
    return tf.signal.mfccs_from_log_mel_spectrograms(log_mel)[..., :num_coefficients]
    ### END SOLUTION


def sample_frames(video, num_frames: int):
    """``num_frames`` frames spread evenly over a clip.

    Frame indices are ``round(linspace(0, T - 1, num_frames))`` (round half to even, as
    ``np.round`` and ``tf.round`` do); when ``num_frames > T`` some frames repeat.

    Args:
        video: a ``(T, H, W, C)`` tensor.
        num_frames: how many frames to keep.

    Returns:
        ``(num_frames, H, W, C)``, same dtype.
    """
    ### BEGIN SOLUTION
    last = tf.cast(tf.shape(video)[0] - 1, tf.float64)
    indices = tf.cast(tf.round(tf.linspace(tf.constant(0.0, tf.float64), last, num_frames)), tf.int32)
    return tf.gather(video, indices)
    ### END SOLUTION


def video_clips(video, clip_length: int, stride: int):
    """Overlapping clips of ``clip_length`` consecutive frames, starting every ``stride`` frames.

    Clips start at frames ``0, stride, 2*stride, ...`` while a whole clip fits (no padding), as
    ``tf.signal.frame(video, clip_length, stride, axis=0)`` does.

    Returns:
        ``(num_clips, clip_length, H, W, C)``.
    """
    ### BEGIN SOLUTION
    return tf.signal.frame(video, clip_length, stride, axis=0)
    ### END SOLUTION


# %% [q5]
def socket_records(host: str, port: int):
    """Yield the records a TCP server streams, in order, until it closes the connection.

    The stream is text: one record per line, ``"<seq>,<v0>,<v1>,<v2>"`` ending in a newline (an int and three
    floats). TCP does not keep message boundaries: one ``recv`` may return half a line or several
    lines, so buffer the bytes and cut them at newlines. Close the socket when done.

    Yields:
        ``(seq, [v0, v1, v2])`` as ``(int, list of float)``.
    """
    ### BEGIN SOLUTION
    import socket

    with socket.create_connection((host, port), timeout=30) as conn:
        pending = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if line:
                    seq, *values = line.decode("ascii").split(",")
                    yield int(seq), [float(v) for v in values]
        if pending.strip():  # a last line without its newline
            seq, *values = pending.decode("ascii").split(",")
            yield int(seq), [float(v) for v in values]
    ### END SOLUTION


def resilient_records(host: str, port: int, timeout_s: float = 0.5, max_retries: int = 3):
    r"""Yield every record of a resumable stream exactly once, across dropped and stalled connections.

    Protocol: after connecting, send ``"FROM <seq>\n"`` (ASCII), the first sequence number you still need;
    the server streams records ``"<seq>,<v0>,<v1>,<v2>\n"`` from there and ends a complete stream with the
    line ``"END\n"`` before closing. A connection may break anywhere, even inside a line: it closes or
    resets without ``END``, or it stalls (stays open and silent). Treat a ``recv`` that waits longer than
    ``timeout_s`` as a stall (the latency bound). After a break, drop the partial line and reconnect with
    ``FROM`` the next sequence number, so no record is lost or repeated. Give up with ``ConnectionError``
    after ``max_retries`` reconnections in a row that brought no new record (``max_retries + 1``
    connections without progress in all).

    Yields:
        ``(seq, [v0, v1, v2])`` as ``(int, list of float)``, each seq once, in order.
    """
    ### BEGIN SOLUTION
    import socket

    next_seq, failures = 0, 0
    while True:
        progressed = False
        try:
            with socket.create_connection((host, port), timeout=timeout_s) as conn:
                conn.settimeout(timeout_s)  # every recv, not only the connect: a silent server is a broken one
                conn.sendall(f"FROM {next_seq}\n".encode("ascii"))
                pending = b""
                while True:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break  # closed without END: a break
                    pending += chunk
                    *lines, pending = pending.split(b"\n")
                    for line in lines:
                        if line == b"END":
                            return
                        seq, *values = line.decode("ascii").split(",")
                        if int(seq) == next_seq:
                            yield next_seq, [float(v) for v in values]
                            next_seq, progressed = next_seq + 1, True
        except OSError:  # refused, reset, or a recv that outwaited timeout_s (socket.timeout is an OSError)
            pass
        failures = 0 if progressed else failures + 1
        if failures > max_retries:
            raise ConnectionError(f"no progress after {max_retries} reconnections (next record {next_seq})")
    ### END SOLUTION


def stream_batches(source, batch_size: int, buffer_batches: int) -> tf.data.Dataset:
    """Micro-batches of a stream, holding a bounded number of records in memory.

    ``source`` is a zero-argument callable that returns a fresh iterator of ``(seq, values)``
    records (``int``, 3 floats), as ``lambda: socket_records(host, port)``. Read it lazily with
    ``tf.data.Dataset.from_generator``, batch it (keep the last batch) and prefetch exactly
    ``buffer_batches`` batches, so the pipeline never runs more than about
    ``(buffer_batches + 2) * batch_size`` records ahead of its consumer (no ``list(source())``,
    no big shuffle buffer, no ``AUTOTUNE`` buffer).

    Returns:
        A ``tf.data.Dataset`` of ``(seq int64 (batch,), values float32 (batch, 3))`` in stream order.
    """
    ### BEGIN SOLUTION
    signature = (tf.TensorSpec((), tf.int64), tf.TensorSpec((3,), tf.float32))
    data = tf.data.Dataset.from_generator(source, output_signature=signature)
    return data.batch(batch_size).prefetch(buffer_batches)  # a fixed buffer, not AUTOTUNE: memory stays bounded
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    def decode(record):
        ident = tf.io.decode_raw(tf.strings.substr(record, 0, 4), tf.int32, little_endian=False)[0]
        features = tf.io.decode_raw(tf.strings.substr(record, 4, 4 * num_features), tf.float32,
                                    little_endian=False)
        return ident, tf.ensure_shape(features, (num_features,))

    records = tf.data.FixedLengthRecordDataset(os.fspath(path), record_bytes=4 + 4 * num_features)
    return records.map(decode, num_parallel_calls=AUTOTUNE)
    ### END SOLUTION


def list_shards(root, split: str) -> list:
    """The shard files of one split, in shard order, as platform-independent paths.

    Shards live in the folder ``<root>/<split>`` and are named ``<split>-<k>.bin`` with an unpadded
    shard number ``k`` (``train-2.bin`` comes before ``train-10.bin``). Ignore every other file.
    Build paths with ``os.path``/``pathlib``, never by gluing strings with ``"/"``; ``root`` may be a
    ``str`` (with or without a trailing separator) or a ``pathlib.Path``.

    Returns:
        A list of ``str`` paths (``os.path.join(root, split, name)`` form), sorted by shard number.
    """
    ### BEGIN SOLUTION
    pattern = re.compile(rf"{re.escape(split)}-(\d+)\.bin")
    folder = pathlib.Path(root) / split
    found = [(int(m.group(1)), p) for p in folder.iterdir() if p.is_file() and (m := pattern.fullmatch(p.name))]
    return [str(p) for _, p in sorted(found)]
    ### END SOLUTION


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
        ### BEGIN SOLUTION
        self.mean = tf.Variable(tf.constant(mean, tf.float32), trainable=False)
        self.std = tf.Variable(tf.constant(std, tf.float32), trainable=False)
        self.num_features = len(mean)
        ### END SOLUTION

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def __call__(self, records):
        ### BEGIN SOLUTION
        # substr + decode_raw(little_endian=False): the byte order is explicit, whatever machine runs this.
        ids = tf.io.decode_raw(tf.strings.substr(records, 0, 4), tf.int32, little_endian=False)[:, 0]
        features = tf.io.decode_raw(tf.strings.substr(records, 4, 4 * self.num_features), tf.float32,
                                    little_endian=False)
        return {"id": ids, "features": (features - self.mean) / self.std}
        ### END SOLUTION


def save_and_reload(module, export_dir):
    """Save ``module`` as a SavedModel in ``export_dir`` and load it back.

    Returns:
        What ``tf.saved_model.load`` returns; calling it must give the same outputs as ``module``.
    """
    ### BEGIN SOLUTION
    export_dir = os.fspath(export_dir)
    tf.saved_model.save(module, export_dir)
    return tf.saved_model.load(export_dir)
    ### END SOLUTION
