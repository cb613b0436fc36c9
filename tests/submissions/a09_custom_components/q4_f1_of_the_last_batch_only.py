# expect: {"q4": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, PACKAGE come from the reference setup cell)
# StreamingF1.update_state overwrites the confusion matrix instead of adding to it: the result is the last
# batch's, not the stream's.
# %% [q4]
@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class StreamingF1(tf.keras.metrics.Metric):
    """Streaming F1 for single-label classification, kept as a weighted confusion matrix.

    ``update_state(y_true, y_pred, sample_weight=None)``: ``y_true`` holds integer labels (shape
    ``(batch,)`` or ``(batch, 1)``, any numeric dtype), ``y_pred`` class scores ``(batch, K)``
    (the predicted class is the argmax). ``average="macro"``: the mean F1 over the classes that occur
    in the labels or the predictions seen so far; ``"micro"``: F1 of the pooled counts. Zero before
    any update and after ``reset_state``.
    """

    def __init__(self, num_classes, average="macro", name="streaming_f1", **kwargs):
        super().__init__(name=name, **kwargs)
        if average not in ("macro", "micro"):
            raise ValueError(f"average must be 'macro' or 'micro', not {average!r}")
        self.num_classes = int(num_classes)
        self.average = average
        self.confusion = self.add_weight(name="confusion", shape=(self.num_classes, self.num_classes),
                                         initializer="zeros", dtype=tf.float32)

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.confusion.assign(_weighted_confusion(y_true, y_pred, sample_weight, self.num_classes))

    def result(self):
        cm = self.confusion
        tp = tf.linalg.diag_part(cm)
        fp = tf.reduce_sum(cm, axis=0) - tp
        fn = tf.reduce_sum(cm, axis=1) - tp
        if self.average == "micro":
            tp, fp, fn = tf.reduce_sum(tp), tf.reduce_sum(fp), tf.reduce_sum(fn)
            return tf.math.divide_no_nan(2.0 * tp, 2.0 * tp + fp + fn)
        denominator = 2.0 * tp + fp + fn
        present = tf.cast(denominator > 0, tf.float32)
        f1 = tf.math.divide_no_nan(2.0 * tp, denominator)
        return tf.math.divide_no_nan(tf.reduce_sum(f1 * present), tf.reduce_sum(present))

    def reset_state(self):
        self.confusion.assign(tf.zeros_like(self.confusion))

    def get_config(self):
        config = super().get_config()
        config.update({"num_classes": self.num_classes, "average": self.average})
        return config


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class PresentClassIoU(tf.keras.metrics.Metric):
    """Streaming mean intersection-over-union ``tp / (tp + fp + fn)`` over the classes that occur.

    Same inputs as ``StreamingF1``. A class that occurs neither in the labels nor in the
    predictions seen so far is left out of the mean (not counted as 0).
    """

    def __init__(self, num_classes, name="present_class_iou", **kwargs):
        super().__init__(name=name, **kwargs)
        self.num_classes = int(num_classes)
        self.confusion = self.add_weight(name="confusion", shape=(self.num_classes, self.num_classes),
                                         initializer="zeros", dtype=tf.float32)

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.confusion.assign_add(_weighted_confusion(y_true, y_pred, sample_weight, self.num_classes))

    def result(self):
        cm = self.confusion
        tp = tf.linalg.diag_part(cm)
        union = tf.reduce_sum(cm, axis=0) + tf.reduce_sum(cm, axis=1) - tp
        present = tf.cast(union > 0, tf.float32)
        iou = tf.math.divide_no_nan(tp, union)
        return tf.math.divide_no_nan(tf.reduce_sum(iou * present), tf.reduce_sum(present))

    def reset_state(self):
        self.confusion.assign(tf.zeros_like(self.confusion))

    def get_config(self):
        config = super().get_config()
        config.update({"num_classes": self.num_classes})
        return config


def _weighted_confusion(y_true, y_pred, sample_weight, num_classes):
    """The ``(K, K)`` float32 confusion matrix of one batch (rows: labels, columns: predictions)."""
    labels = tf.reshape(tf.cast(y_true, tf.int32), [-1])
    predicted = tf.reshape(tf.argmax(y_pred, axis=-1, output_type=tf.int32), [-1])
    if sample_weight is None:
        weights = tf.ones_like(labels, dtype=tf.float32)
    else:
        weights = tf.reshape(tf.cast(sample_weight, tf.float32), [-1])
    return tf.math.confusion_matrix(labels, predicted, num_classes=num_classes, weights=weights, dtype=tf.float32)
