"""Worker-side probes for A06, Feature Engineering.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's
notebook or of the reference module. Probes run inside the sandboxed worker, so they hold no
expected answers: they call the namespace's builders on inputs the judge sent, run the Keras
models and ``tf.data`` pipelines that cannot cross the wire, and return plain arrays. The named
Python-loop baseline of Q4 is here too.
"""

import os
import tempfile

import numpy as np
import tensorflow as tf


def _as_features(features):
    return {key: tf.constant(np.asarray(value)) for key, value in features.items()}


# --------------------------------------------------------------------------------------------
# Q1


def preprocessor_outputs(ns, train, test, boundaries):
    """Build the preprocessor on ``train``, apply it to ``test``, save it as ``.keras``, reload and apply again."""
    model = ns["build_preprocessor"]({k: np.asarray(v) for k, v in train.items()}, list(boundaries))
    out = model(_as_features(test))
    folder = tempfile.mkdtemp(dir=os.path.expanduser("~"))
    path = os.path.join(folder, "preprocessor.keras")
    model.save(path)
    reloaded = tf.keras.models.load_model(path)
    return {"out": tf.convert_to_tensor(out), "reloaded": tf.convert_to_tensor(reloaded(_as_features(test)))}


def legacy_outputs(ns, features, vocabulary, boundaries, mean, std):
    """``DenseFeatures`` applied to the namespace's legacy feature columns."""
    columns = ns["legacy_feature_columns"](list(vocabulary), list(boundaries), float(mean), float(std))
    return tf.keras.layers.DenseFeatures(columns)(_as_features(features))


# --------------------------------------------------------------------------------------------
# Q4

_VECTORIZERS = {}


def _vectorizer(vocab, length):
    # One layer per vocabulary, shared by the student's pipeline and the baseline: building it is
    # not what is timed. The texts are fresh on every call, so this caches no answers.
    key = (tuple(vocab), int(length))
    if key not in _VECTORIZERS:
        _VECTORIZERS[key] = tf.keras.layers.TextVectorization(vocabulary=list(vocab),
                                                              output_sequence_length=int(length))
    return _VECTORIZERS[key]


def vectorize(ns, train_texts, texts, max_tokens, length):
    """The namespace's adapted vectorizer: its vocabulary and its output on ``texts``."""
    layer = ns["build_text_vectorizer"](np.asarray(train_texts), int(max_tokens), int(length))
    vocab = [v.decode() if isinstance(v, bytes) else str(v) for v in layer.get_vocabulary()]
    return {"vocab": vocab, "ids": tf.convert_to_tensor(layer(tf.constant(np.asarray(texts))))}


def run_text_pipeline(ns, vocab, texts, length, batch_size):
    """Run the namespace's ``text_pipeline`` to exhaustion; all rows concatenated, in order."""
    ds = ns["text_pipeline"](np.asarray(texts), _vectorizer(vocab, length), int(batch_size))
    return np.concatenate([np.asarray(batch) for batch in ds], axis=0)


def text_pipeline_batches(ns, vocab, texts, length, batch_size):
    """The batch shapes and dtype of the namespace's ``text_pipeline``, and its rows."""
    ds = ns["text_pipeline"](np.asarray(texts), _vectorizer(vocab, length), int(batch_size))
    batches = [tf.convert_to_tensor(batch) for batch in ds]
    return {"shapes": [list(b.shape) for b in batches], "dtypes": sorted({b.dtype.name for b in batches}),
            "rows": np.concatenate([b.numpy() for b in batches], axis=0),
            "is_dataset": isinstance(ds, tf.data.Dataset)}


def text_loop_baseline(ns, vocab, texts, length, batch_size):
    """The named baseline of Q4: one eager vectorizer call per text in a Python loop."""
    layer = _vectorizer(vocab, length)
    return np.stack([layer(tf.constant([text]))[0].numpy() for text in np.asarray(texts)])


# --------------------------------------------------------------------------------------------
# Q5


def augment(ns, seed, images, training, global_seed):
    """A fresh ``make_augmenter(seed)`` applied once to ``images``, after reseeding globally."""
    tf.keras.utils.set_random_seed(int(global_seed))
    model = ns["make_augmenter"](int(seed))
    return tf.convert_to_tensor(model(tf.constant(np.asarray(images, np.float32)), training=bool(training)))


def augmenter_layers(ns, seed):
    """Class names and the main settings of the augmenter's layers."""
    model = ns["make_augmenter"](int(seed))
    info = []
    for layer in getattr(model, "layers", []):
        config = layer.get_config()
        info.append({"type": type(layer).__name__,
                     **{k: config[k] for k in ("mode", "factor", "height_factor", "fill_mode", "seed")
                        if k in config and isinstance(config[k], (str, int, float, type(None)))}})
    return info


# --------------------------------------------------------------------------------------------
# Q6


def _collect(ds):
    xs, ys, sizes = [], [], []
    for x, y in ds:
        xs.append(np.asarray(x))
        ys.append(np.asarray(y))
        sizes.append(int(np.shape(x)[0]))
    if not xs:
        return {"x": np.zeros((0,), np.float32), "y": np.zeros((0,), np.float32), "sizes": []}
    return {"x": np.concatenate(xs), "y": np.concatenate(ys), "sizes": sizes}


def collect_windows(ns, series, window, horizon, batch_size):
    """All ``(x, y)`` windows of ``make_windows``, concatenated, with the batch sizes."""
    return _collect(ns["make_windows"](np.asarray(series, np.float32), int(window), int(horizon), int(batch_size)))


def collect_splits(ns, series, window, horizon, batch_size, train_frac, val_frac):
    """The windows of each split of ``prepare_splits``, and its training statistics."""
    out = ns["prepare_splits"](np.asarray(series, np.float32), int(window), int(horizon), int(batch_size),
                               float(train_frac), float(val_frac))
    result = {name: _collect(out[name]) for name in ("train", "val", "test")}
    result["mean"] = np.asarray(out["mean"], np.float32).reshape(-1)
    result["std"] = np.asarray(out["std"], np.float32).reshape(-1)
    return result
