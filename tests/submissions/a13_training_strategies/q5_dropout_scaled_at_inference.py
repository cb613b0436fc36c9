# expect: {"q5": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# Old-style dropout: no scaling in training, multiply by (1 - rate) at inference.
# %% [q5]
def dropout(x, rate: float, training: bool, seed: int) -> tf.Tensor:
    """Inverted dropout by hand.

    In training, keep each element with probability ``1 - rate`` (mask from
    ``tf.random.stateless_uniform(shape, seed=[seed, 0]) >= rate``) and scale the kept ones by
    ``1 / (1 - rate)``; at inference (``training=False``) return ``x`` unchanged. Do not use
    ``tf.nn.dropout`` or the Keras layer. ``rate=0`` returns ``x`` unchanged. Returns a float32 tensor.
    """
    x = tf.convert_to_tensor(x, tf.float32)
    if not training or rate == 0.0:
        return x * (1.0 - rate)
    keep = tf.random.stateless_uniform(tf.shape(x), seed=[seed, 0]) >= rate
    return tf.where(keep, x, tf.zeros_like(x))


class BatchNorm(tf.keras.layers.Layer):
    """Batch normalisation over the last axis, by hand, like ``tf.keras.layers.BatchNormalization(fused=False)``.

    Weights, created in ``build`` in this order: ``gamma`` (ones), ``beta`` (zeros), then the
    non-trainable ``moving_mean`` (zeros) and ``moving_variance`` (ones), each of shape ``(C,)``.
    Training: mean and biased variance over every axis but the last; output
    ``gamma * (x - mean) / sqrt(var + epsilon) + beta``; update
    ``moving = moving * momentum + batch_stat * (1 - momentum)``. Inference: the moving statistics.
    Do not use ``tf.nn.batch_normalization`` or the Keras layer.
    """

    def __init__(self, momentum=0.99, epsilon=1e-3, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.epsilon = epsilon

    def build(self, input_shape):
        c = int(input_shape[-1])
        self.gamma = self.add_weight(name="gamma", shape=(c,), initializer="ones", trainable=True)
        self.beta = self.add_weight(name="beta", shape=(c,), initializer="zeros", trainable=True)
        self.moving_mean = self.add_weight(name="moving_mean", shape=(c,), initializer="zeros", trainable=False)
        self.moving_variance = self.add_weight(name="moving_variance", shape=(c,), initializer="ones",
                                               trainable=False)

    def call(self, inputs, training=None):
        axes = list(range(len(inputs.shape) - 1))
        if training:
            mean = tf.reduce_mean(inputs, axis=axes)
            var = tf.reduce_mean(tf.square(inputs - mean), axis=axes)
            self.moving_mean.assign(self.moving_mean * self.momentum + mean * (1.0 - self.momentum))
            self.moving_variance.assign(self.moving_variance * self.momentum + var * (1.0 - self.momentum))
        else:
            mean, var = self.moving_mean, self.moving_variance
        return self.gamma * (inputs - mean) / tf.sqrt(var + self.epsilon) + self.beta

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "epsilon": self.epsilon}
