# expect: {"q1": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, PACKAGE come from the reference setup cell)
# L2Normalize does not declare supports_masking, so the Embedding's mask never reaches the pooling layer.
# %% [q1]
@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class MyDense(tf.keras.layers.Layer):
    """A dense layer written from scratch: ``activation(dropout(x) @ kernel + bias)``.

    Args:
        units: the number of outputs.
        activation: anything ``tf.keras.activations.get`` accepts (None: linear).
        dropout: inverted-dropout rate applied to the *inputs*, only when ``training`` is true.
        kernel_regularizer, kernel_constraint: anything ``tf.keras.regularizers.get`` /
            ``tf.keras.constraints.get`` accepts; they apply to the kernel only.

    The kernel (glorot uniform) and the bias (zeros) are created in ``build`` from the last
    input dimension, with ``add_weight``. ``call`` accepts inputs of any rank >= 2 (the
    contraction is over the last axis). ``get_config`` returns everything ``__init__`` needs.
    """

    def __init__(self, units, activation=None, dropout=0.0, kernel_regularizer=None, kernel_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = tf.keras.activations.get(activation)
        self.dropout = float(dropout)
        self.kernel_regularizer = tf.keras.regularizers.get(kernel_regularizer)
        self.kernel_constraint = tf.keras.constraints.get(kernel_constraint)
        self.input_spec = tf.keras.layers.InputSpec(min_ndim=2)

    def build(self, input_shape):
        last = int(input_shape[-1])
        self.kernel = self.add_weight(name="kernel", shape=(last, self.units), initializer="glorot_uniform",
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
                                      trainable=True)
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros", trainable=True)
        self.input_spec = tf.keras.layers.InputSpec(min_ndim=2, axes={-1: last})
        super().build(input_shape)

    def call(self, inputs, training=None):
        x = tf.cast(inputs, self.compute_dtype)
        if training and self.dropout > 0.0:
            x = tf.nn.dropout(x, rate=self.dropout)
        y = tf.tensordot(x, self.kernel, axes=[[x.shape.rank - 1], [0]]) + self.bias
        return self.activation(y)

    def compute_output_shape(self, input_shape):
        return tf.TensorShape(input_shape)[:-1].concatenate([self.units])

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": tf.keras.activations.serialize(self.activation),
            "dropout": self.dropout,
            "kernel_regularizer": tf.keras.regularizers.serialize(self.kernel_regularizer),
            "kernel_constraint": tf.keras.constraints.serialize(self.kernel_constraint),
        })
        return config


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class L2Normalize(tf.keras.layers.Layer):
    """``x / sqrt(max(sum(x**2, axis), epsilon))`` along ``axis``; passes an incoming mask through unchanged."""

    def __init__(self, axis=-1, epsilon=1e-12, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = float(epsilon)

    def call(self, inputs):
        squares = tf.reduce_sum(tf.square(inputs), axis=self.axis, keepdims=True)
        return inputs * tf.math.rsqrt(tf.maximum(squares, self.epsilon))

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "epsilon": self.epsilon})
        return config


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class MaskedMeanPool(tf.keras.layers.Layer):
    """Mean over axis 1 of ``(batch, time, features)`` of the unmasked steps only; outputs no mask.

    Padded steps must not influence the result at all, even if they hold NaN or huge values. A row
    whose steps are all masked gives zeros. Without a mask, it is the plain mean over time.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return tf.reduce_mean(inputs, axis=1)
        keep = tf.cast(mask, inputs.dtype)[:, :, tf.newaxis]
        total = tf.reduce_sum(tf.where(keep > 0, inputs, tf.zeros_like(inputs)), axis=1)
        count = tf.reduce_sum(keep, axis=1)
        return total / tf.maximum(count, 1.0)

    def compute_mask(self, inputs, mask=None):
        return None
