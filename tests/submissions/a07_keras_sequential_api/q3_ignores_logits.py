# expect: {"q3": "below_full"}
# ruff: noqa: F821, F841  (a fragment: tf, np, os come from the reference setup cell)
# from_logits never set: a linear output layer is treated as probabilities.
# %% [q3]
def compile_for_task(model: tf.keras.Model, task: str, lr: float) -> tf.keras.Model:
    """Compile ``model`` for ``task`` with ``Adam(learning_rate=lr)`` and return it.

    ``task`` is ``"binary"`` (labels 0/1, one output unit), ``"multiclass_sparse"`` (integer labels),
    ``"multiclass_onehot"`` (one-hot labels) or ``"regression"``. The model's last layer is a
    ``Dense``; if its activation is linear the outputs are logits (``from_logits=True`` wherever a
    loss or metric takes it), otherwise they are probabilities (sigmoid/softmax).

    Metrics, with these names: binary: ``"accuracy"`` (threshold 0.5 on the probability) and
    ``"auc"`` (ROC AUC); multiclass: ``"accuracy"`` and ``"top3"`` (top-3 accuracy, the variant
    that matches the labels); regression (loss: mean squared error): ``"mae"`` and ``"rmse"``.
    Any other ``task`` raises ``ValueError``.
    """
    act = getattr(model.layers[-1], "activation", None)
    logits = False
    k = tf.keras
    if task == "binary":
        loss = k.losses.BinaryCrossentropy(from_logits=logits)
        metrics = [k.metrics.BinaryAccuracy(name="accuracy", threshold=0.0 if logits else 0.5),
                   k.metrics.AUC(name="auc", from_logits=logits)]
    elif task == "multiclass_sparse":
        loss = k.losses.SparseCategoricalCrossentropy(from_logits=logits)
        metrics = [k.metrics.SparseCategoricalAccuracy(name="accuracy"),
                   k.metrics.SparseTopKCategoricalAccuracy(k=3, name="top3")]
    elif task == "multiclass_onehot":
        loss = k.losses.CategoricalCrossentropy(from_logits=logits)
        metrics = [k.metrics.CategoricalAccuracy(name="accuracy"),
                   k.metrics.TopKCategoricalAccuracy(k=3, name="top3")]
    elif task == "regression":
        loss = k.losses.MeanSquaredError()
        metrics = [k.metrics.MeanAbsoluteError(name="mae"), k.metrics.RootMeanSquaredError(name="rmse")]
    else:
        raise ValueError(f"unknown task {task!r}")
    model.compile(optimizer=k.optimizers.Adam(learning_rate=lr), loss=loss, metrics=metrics)
    return model


def binary_f1(y_true, y_prob) -> tf.Tensor:
    """F1 score of the predictions ``y_prob > 0.5`` against 0/1 labels, a float32 scalar tensor.

    Usable as a Keras metric function (``metrics=[binary_f1]``). With no true positives it is 0
    (never NaN). Any shapes ``(n,)`` or ``(n, 1)``.
    """
    y_true = tf.reshape(tf.cast(y_true, tf.float32), [-1])
    y_pred = tf.cast(tf.reshape(y_prob, [-1]) > 0.5, tf.float32)
    tp = tf.reduce_sum(y_true * y_pred)
    fp = tf.reduce_sum((1.0 - y_true) * y_pred)
    fn = tf.reduce_sum(y_true * (1.0 - y_pred))
    return tf.math.divide_no_nan(2.0 * tp, 2.0 * tp + fp + fn)
