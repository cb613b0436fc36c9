"""Reference solution for A08, Keras Functional API.

Each ``# %% [qK]`` section is the solution cell of question ``qK``, verbatim; nbgrader removes the
marked solution regions from the student release. This docstring sits before the first section, so
it is in no notebook cell.
"""

# %% [setup]

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np
import tensorflow as tf

layers = tf.keras.layers


# %% [q1]
def residual_block(x, filters: int, name: str, skip: bool = True):
    """One residual block of ``build_skip_model``.

    ``{name}_conv1`` (3x3, ``filters``, same padding, no bias) -> ``{name}_bn1`` -> ``{name}_relu1`` ->
    ``{name}_conv2`` (3x3, no bias) -> ``{name}_bn2``; then, when ``skip``, ``{name}_add`` adds the
    shortcut: the block input itself, or ``{name}_proj`` (1x1 conv, no bias) of it when its channel
    count differs from ``filters``. Finally ``{name}_out`` (ReLU). Without ``skip`` there is no
    shortcut, no projection and no Add layer.
    """
    ### BEGIN SOLUTION
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv1")(x)
    y = layers.BatchNormalization(name=f"{name}_bn1")(y)
    y = layers.ReLU(name=f"{name}_relu1")(y)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv2")(y)
    y = layers.BatchNormalization(name=f"{name}_bn2")(y)
    if skip:
        shortcut = x
        if x.shape[-1] != filters:
            shortcut = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_proj")(x)
        y = layers.Add(name=f"{name}_add")([shortcut, y])
    return layers.ReLU(name=f"{name}_out")(y)
    ### END SOLUTION


def build_skip_model(input_shape=(16, 16, 1), num_classes: int = 10, width: int = 16, blocks: int = 2,
                     skip: bool = True) -> tf.keras.Model:
    """A small ResNet built with the functional API.

    ``image`` input -> ``stem_conv`` (3x3, ``width``, same padding, no bias) -> ``stem_bn`` ->
    ``stem_relu`` -> ``blocks`` residual blocks named ``block0`` ... (block ``i`` has
    ``width * 2 ** (i // 2)`` filters) -> ``pool`` (GlobalAveragePooling2D) -> ``logits``
    (Dense(num_classes), no activation).
    """
    ### BEGIN SOLUTION
    inputs = tf.keras.Input(shape=input_shape, name="image")
    x = layers.Conv2D(width, 3, padding="same", use_bias=False, name="stem_conv")(inputs)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.ReLU(name="stem_relu")(x)
    for i in range(blocks):
        x = residual_block(x, width * 2 ** (i // 2), f"block{i}", skip=skip)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = layers.Dense(num_classes, name="logits")(x)
    return tf.keras.Model(inputs, outputs, name="skip_model")
    ### END SOLUTION


# %% [q2]
def build_multimodal(img_shape=(8, 8, 1), seq_len: int = 12, vocab: int = 50, num_feats: int = 4,
                     num_classes: int = 4) -> tf.keras.Model:
    """Three inputs, two outputs.

    Inputs ``image`` (float, ``img_shape``), ``text`` (int32 token ids, ``(seq_len,)``) and
    ``numerical`` (float, ``(num_feats,)``). Branches: ``img_conv`` (Conv2D 16, 3x3, same, relu) ->
    ``img_pool`` (GAP) -> ``img_dense`` (Dense 32 relu); ``txt_embed`` (Embedding(vocab, 8)) ->
    ``txt_gru`` (GRU 16); ``num_dense`` (Dense 16 relu). ``fusion`` concatenates [image, text,
    numerical] -> ``shared`` (Dense 64 relu) -> heads ``classification`` (Dense num_classes softmax)
    and ``regression`` (Dense 1, linear). The model's outputs are the dict
    ``{"classification": ..., "regression": ...}``.
    """
    ### BEGIN SOLUTION
    image = tf.keras.Input(shape=img_shape, name="image")
    text = tf.keras.Input(shape=(seq_len,), dtype="int32", name="text")
    numerical = tf.keras.Input(shape=(num_feats,), name="numerical")
    a = layers.Conv2D(16, 3, padding="same", activation="relu", name="img_conv")(image)
    a = layers.GlobalAveragePooling2D(name="img_pool")(a)
    a = layers.Dense(32, activation="relu", name="img_dense")(a)
    b = layers.Embedding(vocab, 8, name="txt_embed")(text)
    b = layers.GRU(16, name="txt_gru")(b)
    c = layers.Dense(16, activation="relu", name="num_dense")(numerical)
    h = layers.Concatenate(name="fusion")([a, b, c])
    h = layers.Dense(64, activation="relu", name="shared")(h)
    cls = layers.Dense(num_classes, activation="softmax", name="classification")(h)
    reg = layers.Dense(1, name="regression")(h)
    return tf.keras.Model(inputs=[image, text, numerical], outputs={"classification": cls, "regression": reg},
                          name="multimodal")
    ### END SOLUTION


def compile_multimodal(model: tf.keras.Model, w_cls: float, w_reg: float, lr: float = 1e-3) -> tf.keras.Model:
    """Compile for both heads and return the model.

    Adam(``lr``); ``classification``: sparse categorical cross-entropy with weight ``w_cls`` and
    metric ``accuracy``; ``regression``: mean squared error with weight ``w_reg`` and metric
    ``mae``.
    """
    ### BEGIN SOLUTION
    model.compile(
        optimizer=tf.keras.optimizers.Adam(learning_rate=lr),
        loss={"classification": tf.keras.losses.SparseCategoricalCrossentropy(), "regression": "mse"},
        loss_weights={"classification": w_cls, "regression": w_reg},
        metrics={"classification": ["accuracy"], "regression": ["mae"]},
    )
    return model
    ### END SOLUTION


# %% [q3]
def build_siamese(embedding: tf.keras.Model) -> tf.keras.Model:
    """Siamese model around ONE shared ``embedding``.

    Inputs ``left`` and ``right`` of the embedding's input shape; both go through the same
    ``embedding`` object; ``cosine`` = ``Dot(axes=1, normalize=True)``; ``head`` = Dense(1, sigmoid).
    """
    ### BEGIN SOLUTION
    shape = embedding.input_shape[1:]
    left = tf.keras.Input(shape=shape, name="left")
    right = tf.keras.Input(shape=shape, name="right")
    cos = layers.Dot(axes=1, normalize=True, name="cosine")([embedding(left), embedding(right)])
    out = layers.Dense(1, activation="sigmoid", name="head")(cos)
    return tf.keras.Model([left, right], out, name="siamese")
    ### END SOLUTION


def make_pairs(x, y, n: int, seed: int) -> tuple:
    """Balanced positive and negative pairs of rows of ``x``.

    ``n`` (even) pairs: ``n // 2`` positives (two different rows of one label) and ``n // 2``
    negatives (rows of two different labels), shuffled, from
    ``np.random.default_rng(seed)``. Returns ``(left, right, same)``, ``same`` float32 1/0.
    """
    ### BEGIN SOLUTION
    x, y = np.asarray(x), np.asarray(y)
    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    by_class = {c: np.flatnonzero(y == c) for c in classes}
    rich = [c for c in classes if len(by_class[c]) >= 2]
    left, right, same = [], [], []
    for _ in range(n // 2):
        c = rich[rng.integers(len(rich))]
        i, j = rng.choice(by_class[c], size=2, replace=False)
        left.append(i), right.append(j), same.append(1.0)
    for _ in range(n // 2):
        c1, c2 = rng.choice(classes, size=2, replace=False)
        left.append(rng.choice(by_class[c1])), right.append(rng.choice(by_class[c2])), same.append(0.0)
    order = rng.permutation(len(same))
    left, right = np.asarray(left)[order], np.asarray(right)[order]
    return x[left], x[right], np.asarray(same, np.float32)[order]
    ### END SOLUTION


def build_transfer(backbone: tf.keras.Model, num_classes: int) -> tf.keras.Model:
    """Reuse a pre-trained ``backbone`` as a frozen feature extractor.

    Freeze it (``trainable = False``), call it on a new ``inputs`` Input with ``training=False``
    (so its Dropout and BatchNormalization stay in inference mode even during ``fit``) and add
    ``head`` = Dense(num_classes, softmax).
    """
    ### BEGIN SOLUTION
    backbone.trainable = False
    inputs = tf.keras.Input(shape=backbone.input_shape[1:], name="inputs")
    features = backbone(inputs, training=False)
    outputs = layers.Dense(num_classes, activation="softmax", name="head")(features)
    return tf.keras.Model(inputs, outputs, name="transfer")
    ### END SOLUTION


# %% [q4]
def multi_branch_block(x, filters: int, merge: str = "concat", dilation_rates=(1, 2, 4), name: str = "mb"):
    """Parallel dilated 3x3 convolutions merged into one tensor.

    Branch ``i``: ``{name}_branch{i}`` = Conv2D(filters, 3, padding="same", dilation_rate=d_i,
    relu). Merge, as ``{name}_merge``: ``"concat"`` (Concatenate, channels last), ``"add"``,
    ``"max"`` (Maximum), ``"avg"`` (Average); or ``"attention"``: each branch is pooled
    (GlobalAveragePooling2D), the pooled vectors are concatenated in branch order and
    ``{name}_branch_weights`` = Dense(len(dilation_rates), softmax) gives one weight per branch
    and example; the output is the weighted sum of the branches.
    """
    ### BEGIN SOLUTION
    branches = [layers.Conv2D(filters, 3, padding="same", dilation_rate=d, activation="relu",
                              name=f"{name}_branch{i}")(x) for i, d in enumerate(dilation_rates)]
    simple = {"concat": layers.Concatenate, "add": layers.Add, "max": layers.Maximum, "avg": layers.Average}
    if merge in simple:
        return simple[merge](name=f"{name}_merge")(branches)
    if merge != "attention":
        raise ValueError(f"unknown merge {merge!r}")
    pooled = [layers.GlobalAveragePooling2D()(b) for b in branches]
    weights = layers.Dense(len(branches), activation="softmax", name=f"{name}_branch_weights")(
        layers.Concatenate()(pooled))
    stacked = tf.stack(branches, axis=-1)
    return tf.reduce_sum(stacked * weights[:, None, None, None, :], axis=-1, name=f"{name}_merge")
    ### END SOLUTION


# %% [q5]
def normalize_adjacency(a) -> tf.Tensor:
    """``D^-1/2 (A + I) D^-1/2`` with ``D`` the degree matrix of ``A + I``, float32."""
    ### BEGIN SOLUTION
    a = tf.convert_to_tensor(a, tf.float32)
    a_tilde = a + tf.eye(tf.shape(a)[0], dtype=tf.float32)
    d = tf.math.rsqrt(tf.reduce_sum(a_tilde, axis=1))
    return d[:, None] * a_tilde * d[None, :]
    ### END SOLUTION


class GCNLayer(layers.Layer):
    """Graph convolution ``activation(A_hat @ H @ W + b)`` on inputs ``[H, A_hat]``.

    ``H`` is ``(batch, nodes, features)`` and ``A_hat`` ``(batch, nodes, nodes)``. Weights
    ``kernel`` ``(features, units)`` (Glorot uniform) then ``bias`` ``(units,)`` (zeros).
    """

    def __init__(self, units: int, activation=None, **kwargs):
        super().__init__(**kwargs)
        ### BEGIN SOLUTION
        self.units = units
        self.activation = tf.keras.activations.get(activation)
        ### END SOLUTION

    def build(self, input_shape):
        ### BEGIN SOLUTION
        features = int(input_shape[0][-1])
        self.kernel = self.add_weight(name="kernel", shape=(features, self.units), initializer="glorot_uniform")
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")
        super().build(input_shape)
        ### END SOLUTION

    def call(self, inputs):
        ### BEGIN SOLUTION
        h, a_hat = inputs
        return self.activation(tf.matmul(a_hat, tf.matmul(h, self.kernel)) + self.bias)
        ### END SOLUTION

    def get_config(self):
        ### BEGIN SOLUTION
        config = super().get_config()
        config.update(units=self.units, activation=tf.keras.activations.serialize(self.activation))
        return config
        ### END SOLUTION


def build_gcn(num_nodes: int, num_feats: int, hidden: int, num_classes: int) -> tf.keras.Model:
    """A two-layer graph convolutional network.

    Inputs ``features`` ``(num_nodes, num_feats)`` and ``adjacency`` (normalized, ``(num_nodes,
    num_nodes)``); ``gcn1`` = GCNLayer(hidden, relu); ``gcn2`` = GCNLayer(num_classes); output
    ``probs`` = softmax over classes, shape ``(batch, num_nodes, num_classes)``.
    """
    ### BEGIN SOLUTION
    h_in = tf.keras.Input(shape=(num_nodes, num_feats), name="features")
    a_in = tf.keras.Input(shape=(num_nodes, num_nodes), name="adjacency")
    h = GCNLayer(hidden, activation="relu", name="gcn1")([h_in, a_in])
    h = GCNLayer(num_classes, name="gcn2")([h, a_in])
    probs = layers.Softmax(name="probs")(h)
    return tf.keras.Model([h_in, a_in], probs, name="gcn")
    ### END SOLUTION


def build_moe(input_dim: int, num_experts: int, expert_units: int, out_dim: int) -> tf.keras.Model:
    """A mixture of experts.

    ``gate`` = Dense(num_experts, softmax); expert ``i`` =
    ``expert{i}_hidden`` (Dense expert_units relu) -> ``expert{i}_out`` (Dense out_dim);
    output ``sum_i gate_i(x) * expert_i(x)``, shape ``(batch, out_dim)``.
    """
    ### BEGIN SOLUTION
    x = tf.keras.Input(shape=(input_dim,), name="x")
    gate = layers.Dense(num_experts, activation="softmax", name="gate")(x)
    experts = [layers.Dense(out_dim, name=f"expert{i}_out")(
        layers.Dense(expert_units, activation="relu", name=f"expert{i}_hidden")(x)) for i in range(num_experts)]
    stacked = tf.stack(experts, axis=1)
    out = tf.reduce_sum(stacked * gate[:, :, None], axis=1)
    return tf.keras.Model(x, out, name="moe")
    ### END SOLUTION


# %% [q6]
class MultiTaskNet(tf.keras.Model):
    """A subclassed multi-task model with a masked training step.

    ``trunk`` (Dense hidden relu) -> Dropout(dropout) -> heads ``digit`` (Dense num_classes,
    logits) and ``is_even`` (Dense 1, sigmoid); ``call`` returns ``{"digit": ..., "is_even": ...}``.

    Labels are the dict ``{"digit": int (-1 = missing), "is_even": float 0/1 (-1 = missing)}``.
    ``train_step``/``test_step`` compute each head's loss as the mean over the examples whose label
    is present (0 when none is): sparse softmax cross-entropy on the logits, binary cross-entropy
    on the probability; ``loss`` is their sum. They return ``loss``, ``digit_loss``,
    ``is_even_loss`` and ``digit_acc`` (accuracy over present digit labels), as running means.
    """

    def __init__(self, hidden: int = 32, num_classes: int = 10, dropout: float = 0.2, **kwargs):
        super().__init__(**kwargs)
        ### BEGIN SOLUTION
        self.hidden, self.num_classes, self.dropout_rate = hidden, num_classes, dropout
        self.trunk = layers.Dense(hidden, activation="relu", name="trunk")
        self.dropout = layers.Dropout(dropout)
        self.digit = layers.Dense(num_classes, name="digit")
        self.is_even = layers.Dense(1, activation="sigmoid", name="is_even")
        self.loss_tracker = tf.keras.metrics.Mean(name="loss")
        self.digit_loss_tracker = tf.keras.metrics.Mean(name="digit_loss")
        self.is_even_loss_tracker = tf.keras.metrics.Mean(name="is_even_loss")
        self.digit_acc = tf.keras.metrics.SparseCategoricalAccuracy(name="digit_acc")
        ### END SOLUTION

    def call(self, inputs, training=False):
        ### BEGIN SOLUTION
        h = self.dropout(self.trunk(inputs), training=training)
        return {"digit": self.digit(h), "is_even": self.is_even(h)}
        ### END SOLUTION

    @property
    def metrics(self):
        ### BEGIN SOLUTION
        return [self.loss_tracker, self.digit_loss_tracker, self.is_even_loss_tracker, self.digit_acc]
        ### END SOLUTION

    def _masked_losses(self, y, pred):
        ### BEGIN SOLUTION
        digit = tf.cast(tf.reshape(y["digit"], [-1]), tf.int32)
        even = tf.cast(tf.reshape(y["is_even"], [-1]), tf.float32)
        d_mask = tf.cast(digit >= 0, tf.float32)
        e_mask = tf.cast(even >= 0, tf.float32)
        ce = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.maximum(digit, 0), pred["digit"])
        bce = tf.keras.backend.binary_crossentropy(tf.maximum(even, 0.0)[:, None], pred["is_even"])[:, 0]
        digit_loss = tf.reduce_sum(ce * d_mask) / tf.maximum(tf.reduce_sum(d_mask), 1.0)
        even_loss = tf.reduce_sum(bce * e_mask) / tf.maximum(tf.reduce_sum(e_mask), 1.0)
        return digit_loss, even_loss, tf.maximum(digit, 0), d_mask
        ### END SOLUTION

    def _update(self, loss, digit_loss, even_loss, digit, d_mask, pred):
        ### BEGIN SOLUTION
        self.loss_tracker.update_state(loss)
        self.digit_loss_tracker.update_state(digit_loss)
        self.is_even_loss_tracker.update_state(even_loss)
        self.digit_acc.update_state(digit, pred["digit"], sample_weight=d_mask)
        return {m.name: m.result() for m in self.metrics}
        ### END SOLUTION

    def train_step(self, data):
        ### BEGIN SOLUTION
        x, y = data
        with tf.GradientTape() as tape:
            pred = self(x, training=True)
            digit_loss, even_loss, digit, d_mask = self._masked_losses(y, pred)
            loss = digit_loss + even_loss
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables, strict=True))
        return self._update(loss, digit_loss, even_loss, digit, d_mask, pred)
        ### END SOLUTION

    def test_step(self, data):
        ### BEGIN SOLUTION
        x, y = data
        pred = self(x, training=False)
        digit_loss, even_loss, digit, d_mask = self._masked_losses(y, pred)
        return self._update(digit_loss + even_loss, digit_loss, even_loss, digit, d_mask, pred)
        ### END SOLUTION

    def get_config(self):
        ### BEGIN SOLUTION
        return {"hidden": self.hidden, "num_classes": self.num_classes, "dropout": self.dropout_rate,
                "name": self.name}
        ### END SOLUTION

    @classmethod
    def from_config(cls, config):
        ### BEGIN SOLUTION
        return cls(**config)
        ### END SOLUTION


def export_multitask(model: tf.keras.Model, export_dir: str, input_dim: int) -> str:
    """Export ``model`` as a SavedModel for serving.

    Save it at ``export_dir`` with a ``serving_default`` signature takes
    ``features`` (float32, ``(None, input_dim)``) and returns the inference-mode dict
    ``{"digit", "is_even"}``. Returns ``export_dir``.
    """
    ### BEGIN SOLUTION
    @tf.function(input_signature=[tf.TensorSpec([None, input_dim], tf.float32, name="features")])
    def serve(features):
        return model(features, training=False)

    tf.saved_model.save(model, export_dir, signatures={"serving_default": serve})
    return export_dir
    ### END SOLUTION
