# expect: {"q5": "below_full"}
# ruff: noqa: F821, F841  (a fragment: tf, np, os come from the reference setup cell)
# Rows = predicted class.
# %% [q5]
def evaluate_classifier(model, x, y, num_classes: int, batch_size: int = 32) -> dict:
    """Classification metrics of ``model`` on ``(x, y)``, computed with TensorFlow ops (no sklearn).

    Predicted class: the argmax of ``model.predict(x, batch_size=batch_size)``. Returns a dict of
    NumPy values: ``"accuracy"`` (float), ``"confusion_matrix"`` (int64, ``(k, k)``, rows = true
    class, columns = predicted), per-class ``"precision"``, ``"recall"``, ``"f1"`` (float64 arrays
    of length ``k``; 0 where the denominator is 0, never NaN), ``"macro_f1"`` and ``"weighted_f1"``
    (weighted by each class's true count), as ``sklearn.metrics`` with ``zero_division=0`` would.
    """
    probs = model.predict(x, batch_size=batch_size, verbose=0)
    pred = tf.argmax(probs, axis=-1, output_type=tf.int64)
    true = tf.cast(tf.reshape(y, [-1]), tf.int64)
    cm = tf.cast(tf.math.confusion_matrix(pred, true, num_classes=num_classes), tf.float64)
    tp = tf.linalg.diag_part(cm)
    support = tf.reduce_sum(cm, axis=1)
    predicted = tf.reduce_sum(cm, axis=0)
    precision = tf.math.divide_no_nan(tp, predicted)
    recall = tf.math.divide_no_nan(tp, support)
    f1 = tf.math.divide_no_nan(2.0 * precision * recall, precision + recall)
    return {
        "accuracy": float(tf.reduce_sum(tp) / tf.reduce_sum(cm)),
        "confusion_matrix": tf.cast(cm, tf.int64).numpy(),
        "precision": precision.numpy(),
        "recall": recall.numpy(),
        "f1": f1.numpy(),
        "macro_f1": float(tf.reduce_mean(f1)),
        "weighted_f1": float(tf.reduce_sum(f1 * support) / tf.reduce_sum(support)),
    }


def train_classifier(x, y, num_classes: int, seed: int) -> tf.keras.Sequential:
    """Train a Sequential MLP classifier on ``(x, y)`` (float32 features, integer labels) and return it.

    Hold out a validation set (shuffled, not ``validation_split``), stop early on ``val_loss`` and
    restore the best weights. ``model.predict`` of the result must give class probabilities. Keep it
    small: it must train in a few seconds on 2 CPU cores.
    """
    tf.keras.utils.set_random_seed(seed)
    x, y = np.asarray(x, np.float32), np.asarray(y).reshape(-1)
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    perm = np.random.default_rng(seed).permutation(len(x))
    n_val = len(x) // 5
    val, train = perm[:n_val], perm[n_val:]
    model = tf.keras.Sequential([
        tf.keras.Input(shape=(x.shape[1],)),
        tf.keras.layers.Normalization(mean=mean, variance=std ** 2),
        tf.keras.layers.Dense(64, activation="relu"),
        tf.keras.layers.Dense(32, activation="relu"),
        tf.keras.layers.Dense(num_classes, activation="softmax"),
    ])
    model.compile(optimizer=tf.keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    stop = tf.keras.callbacks.EarlyStopping(monitor="val_loss", patience=8, restore_best_weights=True)
    model.fit(x[train], y[train], validation_data=(x[val], y[val]), epochs=80, batch_size=64,
              callbacks=[stop], verbose=0)
    return model
