# expect: {"q4": "partial"}
# ruff: noqa: F821  (a fragment: tf, np, contextlib, ... come from the reference setup cell)
# State kept in Python numbers / NumPy arrays instead of tf.Variables, updated in a plain method:
# the numbers are right, but nothing is tracked, traced or checkpointed.
# %% [q4]
class RunningStats(tf.Module):
    """Streaming mean and variance."""

    def __init__(self, dim: int):
        super().__init__()
        self.count = 0.0
        self.mean = np.zeros(dim)
        self.m2 = np.zeros(dim)

    def update(self, x):
        """Fold a batch in (Chan's update, NumPy)."""
        x = np.asarray(x, np.float64)
        n_b = x.shape[0]
        if n_b == 0:
            return
        mean_b = x.mean(axis=0)
        m2_b = ((x - mean_b) ** 2).sum(axis=0)
        n = self.count + n_b
        delta = mean_b - self.mean
        self.mean = self.mean + delta * n_b / n
        self.m2 = self.m2 + m2_b + delta**2 * self.count * n_b / n
        self.count = n

    def merge(self, other) -> None:
        """Merge another module in."""
        n = self.count + other.count
        if n == 0:
            return
        delta = other.mean - self.mean
        self.mean = self.mean + delta * other.count / n
        self.m2 = self.m2 + other.m2 + delta**2 * self.count * other.count / n
        self.count = n

    @property
    def variance(self) -> tf.Tensor:
        """Population variance."""
        return tf.constant(self.m2 / self.count if self.count else np.zeros_like(self.m2))

    @property
    def std(self) -> tf.Tensor:
        """Standard deviation."""
        return tf.sqrt(self.variance)
