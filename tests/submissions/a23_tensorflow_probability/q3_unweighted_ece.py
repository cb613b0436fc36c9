# expect: {"q3": "below_full"}
# ruff: noqa: F821  (a fragment: tf, tfp, tfd, tfb, tfpl, np, SEED come from the reference setup cell)
# ECE as the plain mean of |acc - conf| over non-empty bins (no n_b / N weights).
# %% [q3]
def expected_calibration_error(probs, labels, n_bins: int = 10) -> float:
    """Expected calibration error of a classifier with equal-width confidence bins.

    The confidence of a row is its largest probability and the prediction its ``argmax``. Row
    ``i`` falls in bin ``min(floor(confidence_i * n_bins), n_bins - 1)``. Then
    ``ECE = sum over bins b of (n_b / N) * |accuracy_b - mean confidence_b|`` (empty bins count 0).
    Write it with TensorFlow ops (``tf.math.unsorted_segment_sum``, say) or use
    ``tfp.stats.expected_calibration_error``, which bins the same way.

    Args:
        probs: a ``float32`` array of shape ``(N, C)`` whose rows sum to 1.
        labels: an int array of shape ``(N,)``.
        n_bins: the number of bins.

    Returns:
        The ECE as a Python float.
    """
    probs = tf.constant(np.asarray(probs, np.float32))
    labels = tf.constant(np.asarray(labels, np.int64))
    confidence = tf.reduce_max(probs, axis=1)
    correct = tf.cast(tf.equal(tf.argmax(probs, axis=1), labels), tf.float32)
    bins = tf.minimum(tf.cast(tf.floor(confidence * n_bins), tf.int32), n_bins - 1)
    confidence_sum = tf.math.unsorted_segment_sum(confidence, bins, n_bins)
    correct_sum = tf.math.unsorted_segment_sum(correct, bins, n_bins)
    counts = tf.math.unsorted_segment_sum(tf.ones_like(confidence), bins, n_bins)
    gaps = tf.abs(correct_sum - confidence_sum) / tf.maximum(counts, 1.0)
    return float(tf.reduce_sum(gaps) / tf.reduce_sum(tf.cast(counts > 0, tf.float32)))


def fit_temperature(logits, labels) -> float:
    """Temperature scaling: the ``T > 0`` that minimizes the NLL of ``softmax(logits / T)`` on held-out data.

    Optimize ``log T`` (so that ``T`` stays positive), starting at ``T = 1``, with
    ``tfp.optimizer.bfgs_minimize`` and ``tfp.math.value_and_gradient`` of the mean
    ``tf.nn.sparse_softmax_cross_entropy_with_logits`` (in ``float64``). Temperature scaling is not a
    TFP API: TFP supplies the optimizer, you write the objective. Check ``result.converged``: on
    this one-dimensional problem ``lbfgs_minimize``'s line search can stop early and report failure.

    Args:
        logits: a ``float32`` array of shape ``(N, C)`` from a validation (calibration) split.
        labels: an int array of shape ``(N,)``.

    Returns:
        ``T`` as a Python float (``T > 1`` means the model was overconfident).
    """
    logits = tf.constant(np.asarray(logits, np.float64))
    labels = tf.constant(np.asarray(labels, np.int64))

    def loss_and_grad(log_t):
        def nll(log_t):
            return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits / tf.exp(log_t[0])))
        return tfp.math.value_and_gradient(nll, log_t)

    result = tfp.optimizer.bfgs_minimize(loss_and_grad, initial_position=tf.zeros([1], tf.float64),
                                         tolerance=1e-8, max_iterations=100)
    if not bool(result.converged):
        raise RuntimeError("temperature scaling did not converge")
    return float(tf.exp(result.position[0]))


def uncertainty_decomposition(member_probs) -> dict:
    """Split the predictive uncertainty of an ensemble (or of MC samples of a BNN) into two parts.

    ``member_probs[s, n]`` is member ``s``'s class distribution for example ``n``. In nats, with
    ``H`` the entropy of a ``tfd.Categorical``:

    - ``total`` = ``H(mean over s of member_probs[s, n])`` (entropy of the predictive distribution);
    - ``aleatoric`` = ``mean over s of H(member_probs[s, n])`` (expected entropy: noise in the data);
    - ``epistemic`` = ``total - aleatoric`` (the mutual information between the label and the
      model; zero when all members agree).

    Args:
        member_probs: a ``float32`` array of shape ``(S, N, C)``.

    Returns:
        A dict with ``"total"``, ``"aleatoric"``, ``"epistemic"``: ``float32`` tensors of shape ``(N,)``.
    """
    member_probs = tf.constant(np.asarray(member_probs, np.float32))
    total = tfd.Categorical(probs=tf.reduce_mean(member_probs, axis=0)).entropy()
    aleatoric = tf.reduce_mean(tfd.Categorical(probs=member_probs).entropy(), axis=0)
    return {"total": total, "aleatoric": aleatoric, "epistemic": total - aleatoric}
