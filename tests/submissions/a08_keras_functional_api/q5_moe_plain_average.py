# expect: {"q5": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, layers come from the reference setup cell)
# The experts are averaged; the gate is computed but never used.
# %% [q5]
def normalize_adjacency(a) -> tf.Tensor:
    """``D^-1/2 (A + I) D^-1/2`` with ``D`` the degree matrix of ``A + I``, float32."""
    a = tf.convert_to_tensor(a, tf.float32)
    a_tilde = a + tf.eye(tf.shape(a)[0], dtype=tf.float32)
    d = tf.math.rsqrt(tf.reduce_sum(a_tilde, axis=1))
    return d[:, None] * a_tilde * d[None, :]


class GCNLayer(layers.Layer):
    """Graph convolution ``activation(A_hat @ H @ W + b)`` on inputs ``[H, A_hat]``.

    ``H`` is ``(batch, nodes, features)`` and ``A_hat`` ``(batch, nodes, nodes)``. Weights
    ``kernel`` ``(features, units)`` (Glorot uniform) then ``bias`` ``(units,)`` (zeros).
    """

    def __init__(self, units: int, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = tf.keras.activations.get(activation)

    def build(self, input_shape):
        features = int(input_shape[0][-1])
        self.kernel = self.add_weight(name="kernel", shape=(features, self.units), initializer="glorot_uniform")
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")
        super().build(input_shape)

    def call(self, inputs):
        h, a_hat = inputs
        return self.activation(tf.matmul(a_hat, tf.matmul(h, self.kernel)) + self.bias)

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, activation=tf.keras.activations.serialize(self.activation))
        return config


def build_gcn(num_nodes: int, num_feats: int, hidden: int, num_classes: int) -> tf.keras.Model:
    """A two-layer graph convolutional network.

    Inputs ``features`` ``(num_nodes, num_feats)`` and ``adjacency`` (normalized, ``(num_nodes,
    num_nodes)``); ``gcn1`` = GCNLayer(hidden, relu); ``gcn2`` = GCNLayer(num_classes); output
    ``probs`` = softmax over classes, shape ``(batch, num_nodes, num_classes)``.
    """
    h_in = tf.keras.Input(shape=(num_nodes, num_feats), name="features")
    a_in = tf.keras.Input(shape=(num_nodes, num_nodes), name="adjacency")
    h = GCNLayer(hidden, activation="relu", name="gcn1")([h_in, a_in])
    h = GCNLayer(num_classes, name="gcn2")([h, a_in])
    probs = layers.Softmax(name="probs")(h)
    return tf.keras.Model([h_in, a_in], probs, name="gcn")


def build_moe(input_dim: int, num_experts: int, expert_units: int, out_dim: int) -> tf.keras.Model:
    """A mixture of experts.

    ``gate`` = Dense(num_experts, softmax); expert ``i`` =
    ``expert{i}_hidden`` (Dense expert_units relu) -> ``expert{i}_out`` (Dense out_dim);
    output ``sum_i gate_i(x) * expert_i(x)``, shape ``(batch, out_dim)``.
    """
    x = tf.keras.Input(shape=(input_dim,), name="x")
    gate = layers.Dense(num_experts, activation="softmax", name="gate")(x)
    experts = [layers.Dense(out_dim, name=f"expert{i}_out")(
        layers.Dense(expert_units, activation="relu", name=f"expert{i}_hidden")(x)) for i in range(num_experts)]
    stacked = tf.stack(experts, axis=1)
    out = tf.reduce_mean(stacked, axis=1) + 0.0 * tf.reduce_sum(gate)
    return tf.keras.Model(x, out, name="moe")
