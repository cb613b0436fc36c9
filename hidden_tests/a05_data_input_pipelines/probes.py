"""Worker-side probes for A05, Data Input Pipelines.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's
notebook or of the reference module. Probes run inside the sandboxed worker, so they hold no expected
answers: they write the input files (CSV, JSON Lines, TFRecord, PNG/JPEG, WAV, big-endian records)
into a fresh folder under HOME from a seed the judge passes, so nothing can be precomputed, call the
namespace's pipeline builders on them, run the resulting ``tf.data.Dataset`` to exhaustion (a
dataset cannot cross the wire) and return plain data; the judge compares it with what the reference
worker returned for the same seed. Every folder is removed before the probe returns.
"""

import contextlib
import json
import os
import pathlib
import shutil
import socket
import struct
import tempfile
import threading
import time

import numpy as np
import tensorflow as tf

# ------------------------------------------------------------------------------------------------
# Shared helpers


@contextlib.contextmanager
def _workdir():
    """A fresh folder under HOME (the sandbox's writable tmpfs), removed afterwards."""
    home = os.path.expanduser("~")
    base = home if os.access(home, os.W_OK) else None
    folder = tempfile.mkdtemp(prefix="a05-", dir=base)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _flatten(value, prefix=""):
    """``{path: leaf}`` for nested dicts/tuples/lists of tensors (dict keys sorted)."""
    if isinstance(value, dict):
        out = {}
        for key in sorted(value):
            out.update(_flatten(value[key], f"{prefix}/{key}" if prefix else str(key)))
        return out
    if isinstance(value, (tuple, list)):
        out = {}
        for i, item in enumerate(value):
            out.update(_flatten(item, f"{prefix}/{i}" if prefix else str(i)))
        return out
    return {prefix: value}


def _spec(dataset):
    """``{path: [shape as a list with None, dtype name]}`` of a dataset's element_spec."""
    if not isinstance(dataset, tf.data.Dataset):
        raise TypeError(f"expected a tf.data.Dataset, got {type(dataset).__name__}")
    out = {}
    for path, spec in _flatten(dataset.element_spec).items():
        shape = None if spec.shape.rank is None else [None if d is None else int(d) for d in spec.shape]
        out[path] = [shape, spec.dtype.name]
    return out


def _collect(dataset, batched, limit=100000):
    """Runs ``dataset`` to exhaustion: its spec, the batch sizes and every leaf concatenated (or stacked)."""
    spec = _spec(dataset)
    parts: dict = {}
    sizes = []
    count = 0
    for element in dataset:
        if count >= limit:
            raise RuntimeError(f"the dataset did not end after {limit} elements (does it repeat forever?)")
        leaves = {path: np.asarray(leaf) for path, leaf in _flatten(element).items()}
        if batched:
            sizes.append(int(next(iter(leaves.values())).shape[0]) if leaves else 0)
        for path, leaf in leaves.items():
            parts.setdefault(path, []).append(leaf if batched else leaf[None])
        count += 1
    values = {path: np.concatenate(chunks) for path, chunks in parts.items()}
    for path, array in values.items():
        if array.dtype == object:
            values[path] = array.astype(bytes)
    return {"spec": spec, "batch_sizes": sizes, "values": values, "count": sum(sizes) if batched else count}


# ------------------------------------------------------------------------------------------------
# Q1: CSV, JSON Lines and TFRecord files

_CITIES = ["Lyon", "Oslo", "Lima", "Pune", "Kyiv", "Perth", "Quito"]


def write_csv(folder, seed, rows):
    """A CSV file with a header and some empty fields; returns its path."""
    rng = np.random.default_rng(seed)
    lines = ["id,age,income,city,label"]
    for i in range(rows):
        age = "" if rng.random() < 0.2 else f"{rng.uniform(18, 90):.2f}"
        income = "" if rng.random() < 0.2 else f"{rng.normal(50000, 15000):.3f}"
        city = "" if rng.random() < 0.2 else str(rng.choice(_CITIES))
        lines.append(f"{1000 + i},{age},{income},{city},{int(rng.integers(0, 5))}")
    path = os.path.join(folder, f"table-{seed}.csv")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def csv_probe(ns, seed, rows, batch_size):
    """``read_csv`` on a fresh file: spec, batch sizes and all values."""
    with _workdir() as folder:
        return _collect(ns["read_csv"](write_csv(folder, seed, rows), batch_size), batched=True)


def write_jsonl(folder, seed, rows):
    """JSON Lines with missing keys, nulls, extra keys, blank and malformed lines; returns the path."""
    rng = np.random.default_rng(seed)
    lines = []
    for i in range(rows):
        record = {"user": f"u{int(rng.integers(0, 10**6))}", "clicks": int(rng.integers(0, 10**9)),
                  "score": round(float(rng.normal(0, 3)), 4), "extra": [1, 2]}
        for key in ("user", "clicks", "score"):
            draw = rng.random()
            if draw < 0.15:
                del record[key]
            elif draw < 0.25:
                record[key] = None
        lines.append(json.dumps(record, sort_keys=bool(i % 2)))
        draw = rng.random()
        if draw < 0.08:
            lines.append('{"user": "broken", "clicks": ')   # truncated JSON
        elif draw < 0.12:
            lines.append("[1, 2, 3]")                        # valid JSON, not an object
        elif draw < 0.16:
            lines.append("   ")                              # blank
    path = os.path.join(folder, f"events-{seed}.jsonl")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def jsonl_probe(ns, seed, rows):
    """``read_jsonl`` on a fresh file: spec, count and values (elements unbatched)."""
    with _workdir() as folder:
        return _collect(ns["read_jsonl"](write_jsonl(folder, seed, rows)), batched=False)


def write_tfrecords(folder, seed, shards, per_shard, compression):
    """``shards`` TFRecord files of ``tf.train.Example`` with optional fields left out; returns the paths."""
    rng = np.random.default_rng(seed)
    options = tf.io.TFRecordOptions(compression_type=compression)
    paths = []
    for shard in range(shards):
        path = os.path.join(folder, f"part-{shard}.tfrecord")
        with tf.io.TFRecordWriter(path, options) as writer:
            for i in range(per_shard):
                feature = {
                    "id": tf.train.Feature(int64_list=tf.train.Int64List(value=[shard * 10000 + i])),
                    "embedding": tf.train.Feature(float_list=tf.train.FloatList(value=rng.normal(size=4))),
                }
                if rng.random() < 0.6:
                    tag = str(rng.choice(["cat", "dog", "bird"])).encode()
                    feature["tag"] = tf.train.Feature(bytes_list=tf.train.BytesList(value=[tag]))
                if rng.random() < 0.6:
                    feature["weight"] = tf.train.Feature(float_list=tf.train.FloatList(value=[rng.uniform(0, 3)]))
                example = tf.train.Example(features=tf.train.Features(feature=feature))
                writer.write(example.SerializeToString())
        paths.append(path)
    return paths


def tfrecord_probe(ns, seed, shards, per_shard, compression):
    """``read_tfrecords`` on fresh files: spec, count and values (elements unbatched)."""
    with _workdir() as folder:
        paths = write_tfrecords(folder, seed, shards, per_shard, compression)
        return _collect(ns["read_tfrecords"](paths, compression), batched=False)


# ------------------------------------------------------------------------------------------------
# Q2: images

def write_images(folder, seed, count, min_side=20, max_side=64):
    """PNG (RGB and grayscale) and JPEG files of random sizes with smooth content; returns (paths, labels)."""
    rng = np.random.default_rng(seed)
    paths, labels = [], []
    for i in range(count):
        h, w = (int(v) for v in rng.integers(min_side, max_side + 1, size=2))
        yy, xx = np.mgrid[0:h, 0:w]
        channels = []
        for _ in range(3):
            a, b, c = rng.uniform(-0.3, 0.3, size=3)
            channels.append(128 + 100 * np.sin(a * yy + b * xx + c * 10))
        image = np.stack(channels, -1) + rng.normal(0, 8, size=(h, w, 3))
        image = np.clip(image, 0, 255).astype(np.uint8)
        kind = i % 3
        if kind == 0:
            data, ext = tf.io.encode_png(image), "png"
        elif kind == 1:
            data, ext = tf.io.encode_png(image[..., :1]), "png"          # grayscale PNG
        else:
            data, ext = tf.io.encode_jpeg(image, quality=90), "jpg"
        path = os.path.join(folder, f"img-{i:03d}.{ext}")
        tf.io.write_file(path, data)
        paths.append(path)
        labels.append(int(rng.integers(0, 10)))
    return paths, labels


def image_probe(ns, seed, count, image_size, batch_size, training, aug_seed, crop=False, symmetric=False):
    """``image_pipeline`` on fresh PNG/JPEG files: spec, batch sizes, images and labels."""
    with _workdir() as folder:
        paths, labels = write_images(folder, seed, count)
        options = {"crop": True} if crop else {}
        if symmetric:
            options["symmetric"] = True
        data = ns["image_pipeline"](paths, labels, image_size, batch_size, training=training, seed=aug_seed,
                                    **options)
        return _collect(data, batched=True)


def banded_image_probe(ns, height, width, band, image_size, crop, symmetric):
    """``image_pipeline`` on one PNG: red in the ``band`` leftmost columns, blue elsewhere; returns the image."""
    with _workdir() as folder:
        image = np.zeros((height, width, 3), np.uint8)
        image[:, :band] = (255, 0, 0)
        image[:, band:] = (0, 0, 255)
        path = os.path.join(folder, "banded.png")
        tf.io.write_file(path, tf.io.encode_png(image))
        data = ns["image_pipeline"]([path], [0], image_size, 1, crop=crop, symmetric=symmetric)
        return _collect(data, batched=True)["values"]["0"]


# The simulated storage latency of the throughput test: a read that waits, as on network storage.
READ_LATENCY_S = 0.008


_SLOW_READS = [0]


def slow_read(path):
    """``tf.io.read_file`` behind a ``READ_LATENCY_S`` wait (a ``tf.py_function``, so tf.data cannot fuse it)."""
    def read(p):
        _SLOW_READS[0] += 1
        time.sleep(READ_LATENCY_S)
        with open(p.numpy().decode(), "rb") as handle:
            return handle.read()

    data = tf.py_function(read, [path], tf.string)
    data.set_shape(())
    return data


def sequential_image_pipeline(ns, paths, labels, image_size, batch_size):
    """The named naive baseline: one image at a time, no parallelism, no prefetch (eval mode)."""
    def load(path, label):
        image = tf.io.decode_image(slow_read(path), channels=3, expand_animations=False)
        image = tf.image.resize(tf.image.convert_image_dtype(image, tf.float32), (image_size, image_size))
        return image, label

    data = tf.data.Dataset.from_tensor_slices((paths, tf.constant(labels, tf.int32))).map(load).batch(batch_size)
    # TF 2.18 would otherwise parallelize the map and inject a prefetch behind our back.
    options = tf.data.Options()
    options.experimental_optimization.inject_prefetch = False
    options.experimental_optimization.map_parallelization = False
    options.autotune.enabled = False
    return data.with_options(options)


POOL_SIZE = 64


def prepare_image_pool(ns, seed):
    """Writes the images of a throughput test once; returns the folder (remove it with ``remove_folder``).

    The folder depends on the seed alone, so that the student's and the reference worker, each in its own sandbox,
    time the same images and each can check the other's pixel sums. A timed call makes it if it is missing (the
    untimed warm-up call, then), so the reference worker needs no call of its own that a batch might replay.
    """
    home = os.path.expanduser("~")
    folder = os.path.join(home if os.access(home, os.W_OK) else tempfile.gettempdir(), f"a05-pool-{seed}")
    if not os.path.isdir(folder):
        os.makedirs(folder + ".part", exist_ok=True)
        write_images(folder + ".part", seed, POOL_SIZE, min_side=40, max_side=72)
        os.rename(folder + ".part", folder)
    return folder


def remove_folder(ns, folder):
    """Removes a folder made by ``prepare_image_pool``."""
    shutil.rmtree(folder, ignore_errors=True)
    return True


def _timed_images(seed, indices, image_size, builder):
    folder = prepare_image_pool(None, seed)
    names = sorted(os.listdir(folder))
    paths = [os.path.join(folder, names[i]) for i in indices]
    labels = [int(i) for i in indices]
    sums = [np.asarray(tf.reduce_sum(images, axis=[1, 2, 3]), np.float64) for images, _ in builder(paths, labels)]
    return np.concatenate(sums)


def time_student_images(ns, seed, indices, image_size):
    """Runs ``image_pipeline`` (eval mode, slow reads) on the chosen pool files; returns each image's pixel sum.

    The judge picks a fresh subset, order and size for every call, so no result can be reused.
    """
    before = _SLOW_READS[0]
    sums = _timed_images(seed, indices, image_size, lambda p, y: ns["image_pipeline"](
        p, y, image_size, 8, training=False, read_fn=slow_read))
    if _SLOW_READS[0] - before < len(indices):
        raise AssertionError(f"image_pipeline read {_SLOW_READS[0] - before} of {len(indices)} files through "
                             "read_fn: read every file with the read_fn it is given")
    return sums


def time_baseline_images(ns, seed, indices, image_size):
    """The same through ``sequential_image_pipeline``."""
    return _timed_images(seed, indices, image_size,
                         lambda p, y: sequential_image_pipeline(ns, p, y, image_size, 8))


# ------------------------------------------------------------------------------------------------
# Q3: text

def standardize_probe(ns, texts):
    """``standardize(texts)`` as a list of lists of str."""
    tokens = ns["standardize"](texts)
    if not isinstance(tokens, tf.RaggedTensor):
        raise TypeError(f"standardize should return a tf.RaggedTensor, got {type(tokens).__name__}")
    return [[t.decode("utf-8") for t in row] for row in tokens.to_list()]


def text_probe(ns, texts, labels, vocab, max_len, batch_size):
    """``text_pipeline``: spec, batch sizes, ids, masks and labels."""
    return _collect(ns["text_pipeline"](texts, labels, vocab, max_len, batch_size), batched=True)


def text_pipeline_in_graph(ns, texts, labels, vocab, max_len, batch_size):
    """Iterates ``text_pipeline`` inside a ``tf.function`` (the lookup must be graph-compatible)."""
    data = ns["text_pipeline"](texts, labels, vocab, max_len, batch_size)

    @tf.function
    def total_ids():
        total = tf.constant(0, tf.int64)
        for features, _ in data:
            total += tf.reduce_sum(tf.cast(features["ids"], tf.int64))
        return total

    return int(total_ids())


# ------------------------------------------------------------------------------------------------
# Q4: audio and video

_DTMF_ROWS = (697.0, 770.0, 852.0, 941.0)
_DTMF_COLS = (1209.0, 1336.0, 1477.0)


def dtmf_waveform(seed, sample_rate, seconds, channels):
    """A random DTMF key sequence (two tones per key, short gaps) plus a chirp and noise, in [-1, 1]."""
    rng = np.random.default_rng(seed)
    n = int(sample_rate * seconds)
    t = np.arange(n) / sample_rate
    signal = np.zeros(n)
    key = n // 5
    for k in range(5):
        f1, f2 = rng.choice(_DTMF_ROWS), rng.choice(_DTMF_COLS)
        on = slice(k * key, k * key + int(0.8 * key))
        signal[on] += 0.35 * np.sin(2 * np.pi * f1 * t[on]) + 0.35 * np.sin(2 * np.pi * f2 * t[on])
    signal += 0.1 * np.sin(2 * np.pi * (200 * t + 900 * t * t / seconds)) + rng.normal(0, 0.01, n)
    out = [signal * (1.0 - 0.3 * c) for c in range(channels)]
    return np.clip(np.stack(out, -1), -1, 1).astype(np.float32)


def wav_probe(ns, seed, sample_rate, seconds, channels):
    """Writes a WAV with ``tf.audio.encode_wav``; returns ``read_wav``, log-mel and MFCC of it."""
    with _workdir() as folder:
        path = os.path.join(folder, f"tones-{seed}.wav")
        audio = dtmf_waveform(seed, sample_rate, seconds, channels)
        tf.io.write_file(path, tf.audio.encode_wav(tf.constant(audio), sample_rate))
        waveform, rate = ns["read_wav"](path)
        log_mel = ns["log_mel_spectrogram"](waveform, int(rate))
        return {"waveform": waveform, "rate": rate, "log_mel": log_mel, "mfcc": ns["mfcc"](log_mel)}



# ------------------------------------------------------------------------------------------------
# Q5: streaming from a loopback TCP server


class _LineServer:
    """A one-connection TCP server on 127.0.0.1 that sends ``lines`` in random-size chunks, then closes."""

    def __init__(self, lines, seed, max_chunk=64):
        self.payload = "".join(lines).encode("ascii")
        self.rng = np.random.default_rng(seed)
        self.max_chunk = max_chunk
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.listener.settimeout(30)
        self.port = self.listener.getsockname()[1]
        self.error = None
        self.connected = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            conn, _ = self.listener.accept()
            self.connected.set()
            with conn:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                pos = 0
                while pos < len(self.payload):
                    # Chunks that cut lines anywhere, as TCP may; a tiny pause now and then so recv sees them apart.
                    size = int(self.rng.integers(1, self.max_chunk))
                    conn.sendall(self.payload[pos:pos + size])
                    pos += size
                    if self.rng.random() < 0.05:
                        time.sleep(0.001)
        except OSError as exc:  # the client went away early: report, do not crash the worker
            self.error = repr(exc)
        finally:
            self.listener.close()

    def join(self):
        """Waits for the server to finish; called once the student's code has returned.

        Code that returned without connecting never will: the listener is shut at once instead of waiting out its
        accept timeout (a blank or junk submission then costs no 30 s here).
        """
        if not self.connected.is_set():
            try:
                self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() on Linux
            except OSError:
                pass
        self.thread.join(timeout=30)
        if not self.connected.is_set():
            self.error = "socket_records never connected to the server"


def _stream_lines(seed, count):
    rng = np.random.default_rng(seed)
    values = np.round(rng.normal(0, 10, size=(count, 3)), 3)
    return [f"{i},{v[0]!r},{v[1]!r},{v[2]!r}\n" for i, v in enumerate(values.tolist())]


def socket_probe(ns, seed, count):
    """Every record ``socket_records`` yields from a fragmenting loopback server: seqs and values."""
    server = _LineServer(_stream_lines(seed, count), seed)
    records = list(ns["socket_records"]("127.0.0.1", server.port))
    server.join()
    seqs = [int(r[0]) for r in records]
    values = np.asarray([list(map(float, r[1])) for r in records], np.float64).reshape(-1, 3)
    return {"seqs": seqs, "values": values, "server_error": server.error}


def stream_probe(ns, seed, count, batch_size, buffer_batches, consumer_delay_s=0.002):
    """``stream_batches`` over ``socket_records`` with a slow consumer.

    Returns the records in arrival order, the batch sizes, and ``max_lead``: the most records the source had
    handed out beyond what the consumer had received, measured each time the consumer gets a batch.
    """
    server = _LineServer(_stream_lines(seed, count), seed + 1)
    pulled = [0]

    def source():
        for record in ns["socket_records"]("127.0.0.1", server.port):
            pulled[0] += 1
            yield record

    data = ns["stream_batches"](source, batch_size, buffer_batches)
    spec = _spec(data)
    seqs, values, sizes, lead, consumed = [], [], [], 0, 0
    for seq, vals in data:
        consumed += int(seq.shape[0])
        lead = max(lead, pulled[0] - consumed)
        seqs.extend(int(s) for s in seq.numpy())
        values.append(vals.numpy())
        sizes.append(int(seq.shape[0]))
        time.sleep(consumer_delay_s)  # a slow consumer: a pipeline without a bound runs far ahead
    server.join()
    return {"spec": spec, "seqs": seqs, "values": np.concatenate(values) if values else np.zeros((0, 3)),
            "batch_sizes": sizes, "max_lead": lead, "server_error": server.error}


class _ResumableServer:
    """A TCP server on 127.0.0.1 for the resumable protocol, with scripted faults per connection.

    Each connection reads ``FROM <seq>``, then sends the lines from ``seq`` on and ``END``. ``faults[k]`` changes the
    ``k``-th connection: ``("drop", n)`` sends ``n`` bytes and closes (a break inside a line when ``n`` falls there),
    ``("reset", n)`` sends ``n`` bytes and resets the connection, ``("stall", n)`` sends ``n`` bytes and then stays
    silent until ``stall_s`` has passed, and ``("refuse",)`` closes before sending anything.
    """

    def __init__(self, lines, faults, stall_s, default=None):
        self.lines = lines
        self.faults = dict(faults)
        self.default = default  # the fault of every connection not in ``faults``
        self.stall_s = stall_s
        self.requests: list = []
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        with self.listener:
            while not self.stop.is_set():
                try:
                    conn, _ = self.listener.accept()
                except OSError:
                    continue
                self.requests.append(None)
                threading.Thread(target=self._answer, args=(conn, len(self.requests) - 1), daemon=True).start()

    def _answer(self, conn, index):
        fault = self.faults.get(index, self.default)
        try:
            with conn:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                conn.settimeout(5)
                request = b""
                while not request.endswith(b"\n") and len(request) < 64:
                    part = conn.recv(64)
                    if not part:
                        break
                    request += part
                self.requests[index] = request.decode("ascii", "replace").strip()
                if fault is not None and fault[0] == "refuse":
                    return
                start = int(request.split()[1]) if request.startswith(b"FROM ") else 0
                payload = "".join(self.lines[start:]).encode("ascii") + b"END\n"
                if fault is None:
                    conn.sendall(payload)
                    return
                conn.sendall(payload[:fault[1]])
                if fault[0] == "reset":
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                elif fault[0] == "stall":
                    self.stop.wait(self.stall_s)
        except OSError:
            pass

    def close(self):
        self.stop.set()
        self.thread.join(timeout=5)


def resilient_probe(ns, seed, count, faults, stall_s, timeout_s, max_retries, default=None):
    """Every record ``resilient_records`` yields through the scripted faults, the requests the server read, and the
    exception it ended with (its type name), if any."""
    server = _ResumableServer(_stream_lines(seed, count), [(int(k), tuple(v)) for k, v in faults], float(stall_s),
                              tuple(default) if default is not None else None)
    records, raised = [], None
    try:
        for record in ns["resilient_records"]("127.0.0.1", server.port, float(timeout_s), int(max_retries)):
            records.append(record)
            if len(records) > 2 * count:
                break
    except Exception as exc:  # noqa: BLE001 - what the generator raised is part of the answer
        raised = type(exc).__name__
    finally:
        server.close()
    seqs = [int(r[0]) for r in records]
    values = np.asarray([list(map(float, r[1])) for r in records], np.float64).reshape(-1, 3)
    return {"seqs": seqs, "values": values, "requests": list(server.requests), "raised": raised}


# ------------------------------------------------------------------------------------------------
# Q6: byte order, paths, SavedModel

def big_endian_records(seed, count, num_features):
    """``(bytes of the file, ids, features)`` of big-endian records."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype([("id", ">i4"), ("x", ">f4", (num_features,))])
    table = np.zeros(count, dtype)
    table["id"] = rng.integers(-2**31, 2**31 - 1, size=count)
    table["x"] = rng.normal(0, 100, size=(count, num_features))
    return table.tobytes(), dtype.itemsize


def big_endian_probe(ns, seed, count, num_features):
    """``read_big_endian_records`` on a fresh big-endian file: spec, count and values."""
    with _workdir() as folder:
        data, _ = big_endian_records(seed, count, num_features)
        path = os.path.join(folder, "records.bin")
        with open(path, "wb") as handle:
            handle.write(data)
        return _collect(ns["read_big_endian_records"](path, num_features), batched=False)


def shards_probe(ns, seed, split, root_style):
    """``list_shards`` on a fresh folder tree with decoys; paths come back relative to the root.

    ``root_style``: ``"str"``, ``"str_slash"`` (a trailing separator) or ``"path"`` (a ``pathlib.Path``).
    """
    rng = np.random.default_rng(seed)
    with _workdir() as folder:
        root = pathlib.Path(folder) / "data root"   # a space in the path, as on many desktops
        numbers = sorted(rng.choice(40, size=int(rng.integers(5, 12)), replace=False).tolist())
        for other in (split, "valid" if split != "valid" else "test"):
            (root / other).mkdir(parents=True)
            for k in numbers:
                (root / other / f"{other}-{k}.bin").write_bytes(b"x")
        for decoy in (f"{split}-{numbers[0]}.bin.tmp", f"{split}-x.bin", f"old-{split}-3.bin", "README"):
            (root / split / decoy).write_bytes(b"x")
        (root / f"{split}-99.bin").write_bytes(b"x")          # in the root, not in the split folder
        arg = {"str": str(root), "str_slash": str(root) + os.sep, "path": root}[root_style]
        found = ns["list_shards"](arg, split)
        return {
            "types": sorted({type(p).__name__ for p in found}),
            "relative": [os.path.relpath(os.fspath(p), root) for p in found],
            "all_files": all(os.path.isfile(p) for p in found),
            "normalized": all(os.path.normpath(os.fspath(p)) == os.fspath(p) for p in found),
        }


def preprocessor_probe(ns, seed, count, num_features):
    """Builds ``RecordPreprocessor``, calls it, saves and reloads it, and calls the reloaded one twice."""
    rng = np.random.default_rng(seed)
    data, size = big_endian_records(seed, count, num_features)
    records = tf.constant([data[i * size:(i + 1) * size] for i in range(count)])
    mean = rng.normal(0, 50, size=num_features).tolist()
    std = rng.uniform(10, 200, size=num_features).tolist()
    module = ns["RecordPreprocessor"](mean, std)
    before = module(records)
    with _workdir() as folder:
        export = pathlib.Path(folder) / "export" / "preprocess"
        loaded = ns["save_and_reload"](module, export)
        saved = (export / "saved_model.pb").is_file()
        after = loaded(records)
        part = loaded(records[:3])  # another batch size: the input signature must leave the batch dimension open
    return {
        "is_module": isinstance(module, tf.Module),
        "variables": sorted(v.name for v in module.variables),
        "trainable_variables": len(module.trainable_variables),
        "saved_model_pb": saved,
        "before": {k: before[k] for k in ("id", "features")},
        "after": {k: after[k] for k in ("id", "features")},
        "part": {k: part[k] for k in ("id", "features")},
    }
