# expect: {"q4": "partial"}
# ruff: noqa: F821  (a fragment: tf, np, contextlib, ... come from the reference setup cell)
# Textbook E[x^2] - E[x]^2 with running sums: fine near zero, catastrophic cancellation for data
# around 1e6 (and merge is the same formula).
# %% [q4]
class RunningStats(tf.Module):
    """Streaming mean and variance from running sums."""

    def __init__(self, dim: int):
        super().__init__()
        self.count = tf.Variable(tf.zeros([], tf.float64), trainable=False)
        self.mean = tf.Variable(tf.zeros([dim], tf.float64), trainable=False)
        self.m2 = tf.Variable(tf.zeros([dim], tf.float64), trainable=False)

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32)])
    def update(self, x):
        """Fold a batch in: keep sum(x) in mean*count and sum(x^2) in m2."""
        x = tf.cast(x, tf.float64)
        n = self.count + tf.cast(tf.shape(x)[0], tf.float64)
        total = self.mean * self.count + tf.reduce_sum(x, axis=0)
        self.m2.assign_add(tf.reduce_sum(x * x, axis=0))
        self.mean.assign(tf.math.divide_no_nan(total, n))
        self.count.assign(n)

    def merge(self, other) -> None:
        """Merge another module in."""
        n = self.count + other.count
        total = self.mean * self.count + other.mean * other.count
        self.m2.assign_add(other.m2)
        self.mean.assign(tf.math.divide_no_nan(total, n))
        self.count.assign(n)

    @property
    def variance(self) -> tf.Tensor:
        """Population variance E[x^2] - E[x]^2."""
        return tf.math.divide_no_nan(self.m2, self.count) - tf.square(self.mean)

    @property
    def std(self) -> tf.Tensor:
        """Standard deviation."""
        return tf.sqrt(tf.maximum(self.variance, 0.0))
