# %% [setup]
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
import tensorflow as tf


# %% [q1]
def scaled_sum(x, k):
    """Returns ``k * sum(x, axis=-1)``."""
    ### BEGIN SOLUTION
    return k * tf.reduce_sum(tf.convert_to_tensor(x, tf.float32), axis=-1)
    ### END SOLUTION

# %% [q2]
class Counter(tf.Module):
    """Counts in a variable."""

    def __init__(self):
        super().__init__()
        ### BEGIN SOLUTION
        self.count = tf.Variable(0, dtype=tf.int64, trainable=False)
        ### END SOLUTION

    def increment(self, n):
        """Adds ``n`` and returns the new count."""
        ### BEGIN SOLUTION
        return self.count.assign_add(tf.cast(n, tf.int64))
        ### END SOLUTION
