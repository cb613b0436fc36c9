"""Worker-side probes for A20, Natural Language Processing.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's notebook or of
the reference module. Probes hold no answers: the judge generates every corpus (labels of held-out text stay in the
judge); a probe calls the namespace's functions, runs the models they return on the judge's inputs and hands back
plain arrays, from which the judge computes the metrics itself.
"""

import numpy as np
import tensorflow as tf


def import_ground_truth_libraries(ns):
    """Import the judge's ground-truth libraries here, so that a forbidden-call check can name their functions."""
    import sacrebleu  # noqa: F401
    import seqeval.metrics  # noqa: F401
    import sklearn.feature_extraction.text  # noqa: F401
    import sklearn.metrics.pairwise  # noqa: F401

    return True


def _strings(texts):
    return tf.constant(np.asarray(list(texts), dtype=object).reshape(-1, 1))


# --------------------------------------------------------------------------------------------
# Q1


def vectorize(ns, texts, max_tokens, seq_len, probe_texts):
    """Adapt ``make_vectorizer`` on ``texts``; return its vocabulary, its config and the ids of ``probe_texts``."""
    vectorizer = ns["make_vectorizer"](list(texts), int(max_tokens), int(seq_len))
    return {
        "is_text_vectorization": isinstance(vectorizer, tf.keras.layers.TextVectorization),
        "vocabulary": [str(t) for t in vectorizer.get_vocabulary()],
        "ids": np.asarray(vectorizer(tf.constant(list(probe_texts)))),
    }


def classifier_structure(ns, texts, num_labels, multilabel, probe_texts):
    """Build (untrained) with the namespace's vectorizer; the last layer's activation and the outputs on strings."""
    model = ns["build_text_classifier"](ns["make_vectorizer"](list(texts)), int(num_labels), bool(multilabel))
    last = model.layers[-1]
    activation = getattr(last, "activation", None)
    return {
        "is_model": isinstance(model, tf.keras.Model),
        "last_layer": type(last).__name__,
        "activation": getattr(activation, "__name__", str(activation)),
        "layer_types": [type(layer).__name__ for layer in model.layers],
        "outputs": np.asarray(model(_strings(probe_texts)), np.float64),
    }


def train_and_predict(ns, texts, labels, num_labels, multilabel, test_texts):
    """Train with ``train_text_classifier`` on the judge's corpus; the model's probabilities on held-out texts."""
    labels = np.asarray(labels)
    model = ns["train_text_classifier"](list(texts), labels, int(num_labels), bool(multilabel))
    return np.asarray(model(_strings(test_texts)), np.float64)


# --------------------------------------------------------------------------------------------
# Q2


def bilstm_crf_outputs(ns, vocab_size, num_tags, ids, tags, lengths, transitions=None):
    """A fresh ``BiLSTMCRF``: its potentials, transitions and NLL.

    With ``transitions`` (the judge's random matrix) the model's transition weight is set to it first, so an ``nll``
    that leaves the transitions out cannot hide behind an all-zero initialisation.
    """
    model = ns["BiLSTMCRF"](int(vocab_size), int(num_tags))
    ids = np.asarray(ids, np.int32)
    potentials = np.asarray(model(tf.constant(ids)), np.float64)
    if transitions is not None:
        model.transitions.assign(tf.cast(np.asarray(transitions), model.transitions.dtype))
    nll = float(model.nll(tf.constant(ids), tf.constant(np.asarray(tags, np.int32)),
                          tf.constant(np.asarray(lengths, np.int32))))
    transition_vars = [v for v in model.trainable_variables if tuple(v.shape) == (int(num_tags), int(num_tags))]
    return {
        "potentials": potentials,
        "transitions": np.asarray(model.transitions, np.float64),
        "transitions_trainable": bool(any(v is model.transitions for v in transition_vars)),
        "nll": nll,
    }


def entity_f1(ns, true, pred):
    """``entity_f1`` as a probe (the forbidden-call check profiles this call)."""
    return float(ns["entity_f1"](true, pred))


def ner_train_predict(ns, ids, tags, lengths, vocab_size, num_tags, test_ids):
    """Train with ``train_ner``; return the trained model's potentials on held-out ids and its transitions."""
    model = ns["train_ner"](np.asarray(ids, np.int32), np.asarray(tags, np.int32), np.asarray(lengths, np.int32),
                            int(vocab_size), int(num_tags))
    return {
        "potentials": np.asarray(model(tf.constant(np.asarray(test_ids, np.int32))), np.float64),
        "transitions": np.asarray(model.transitions, np.float64),
    }


# --------------------------------------------------------------------------------------------
# Q3


def beam(ns, table, bos, eos, beam_width, max_len, alpha):
    """``beam_search`` with a step function over the judge's table ``[steps, V, V]`` (depends on step and last token).

    Counts the step calls and the prefixes asked for, so a search that enumerates every sequence shows.
    """
    table = np.asarray(table, np.float64)
    seen = {"calls": 0, "prefixes": 0}

    def step_fn(prefixes):
        seen["calls"] += 1
        seen["prefixes"] += len(prefixes)
        rows = [table[min(len(p) - 1, len(table) - 1), p[-1]] for p in prefixes]
        return np.stack(rows)

    results = ns["beam_search"](step_fn, int(bos), int(eos), int(beam_width), int(max_len), float(alpha))
    return {"results": [[[int(t) for t in tokens], float(score)] for tokens, score in results], **seen}


def attention_context(ns, *args):
    """The context vector of ``additive_attention`` alone (the gradient harness needs one output)."""
    return ns["additive_attention"](*args)[0]


def bleu(ns, references, hypotheses):
    """``corpus_bleu`` as a probe (the forbidden-call check profiles this call)."""
    return float(ns["corpus_bleu"](list(references), list(hypotheses)))


# --------------------------------------------------------------------------------------------
# Q4


def retrieve(ns, question, passages, k):
    """``tfidf_retrieve`` as a probe (the forbidden-call check profiles this call)."""
    return [int(i) for i in ns["tfidf_retrieve"](question, list(passages), int(k))]


# --------------------------------------------------------------------------------------------
# Q5


def lm_probs(ns, train_ids, vocab_size, order, test_windows):
    """Train with ``train_char_lm``; the model's next-character probabilities on the judge's held-out windows."""
    model = ns["train_char_lm"](np.asarray(train_ids, np.int32), int(vocab_size), int(order))
    return np.asarray(model(tf.constant(np.asarray(test_windows, np.int32))), np.float64)


# --------------------------------------------------------------------------------------------
# Q6


def attention_output(ns, q, k, v, mask):
    """The output of ``scaled_dot_product_attention`` alone (the gradient harness needs one output)."""
    return ns["scaled_dot_product_attention"](q, k, v, mask)[0]
