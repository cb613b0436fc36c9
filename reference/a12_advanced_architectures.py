"""Reference solution for A12, Advanced Architectures.

Every block is built with the Keras functional API (tf_keras), no pretrained weights; the models are tiny so that
each one builds and runs in well under a second on a CPU. The Vision Transformer trains from scratch on 8x8 digits.
"""

# %% [setup]
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import math

import numpy as np  # noqa: F401
import tensorflow as tf

layers = tf.keras.layers
BN_MOMENTUM = 0.9  # short trainings: the default 0.99 leaves the moving statistics far behind
BN_EPSILON = 1.001e-5


def bn(x):
    """The BatchNormalization every block of this assignment uses."""
    return layers.BatchNormalization(momentum=BN_MOMENTUM, epsilon=BN_EPSILON)(x)


# %% [q1]
def basic_block(x, filters: int, stride: int = 1):
    """ResNet basic block: Conv3x3(stride)-BN-ReLU-Conv3x3-BN, plus the shortcut, then ReLU.

    Convolutions have no bias (BN follows). The shortcut is the input itself (identity) when the stride is 1 and the
    channel count stays; otherwise it is a projection Conv1x1(filters, stride, no bias)-BN. Merge with ``Add``.
    """
    ### BEGIN SOLUTION
    shortcut = x
    y = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
    y = layers.ReLU()(bn(y))
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
    y = bn(y)
    if stride != 1 or x.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, strides=stride, use_bias=False)(x)
        shortcut = bn(shortcut)
    return layers.ReLU()(layers.Add()([y, shortcut]))
    ### END SOLUTION


def bottleneck_block(x, filters: int, stride: int = 1, expansion: int = 4):
    """ResNet bottleneck block: Conv1x1(filters, stride)-BN-ReLU-Conv3x3(filters)-BN-ReLU-Conv1x1(expansion*filters)-BN.

    As in ResNet-50 v1 (Keras applications), the stride sits on the first 1x1. The shortcut is a projection
    Conv1x1(expansion*filters, stride)-BN whenever the stride is not 1 or the channels differ; else the identity.
    No conv bias. ``Add``, then ReLU.
    """
    ### BEGIN SOLUTION
    out = filters * expansion
    shortcut = x
    if stride != 1 or x.shape[-1] != out:
        shortcut = bn(layers.Conv2D(out, 1, strides=stride, use_bias=False)(x))
    y = layers.ReLU()(bn(layers.Conv2D(filters, 1, strides=stride, use_bias=False)(x)))
    y = layers.ReLU()(bn(layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)))
    y = bn(layers.Conv2D(out, 1, use_bias=False)(y))
    return layers.ReLU()(layers.Add()([y, shortcut]))
    ### END SOLUTION


def build_resnet(stage_depths, block: str, input_shape, num_classes: int, base_filters: int = 16):
    """A small ResNet: stem Conv3x3(base_filters, no bias)-BN-ReLU, then one stage per entry of ``stage_depths``.

    Stage ``i`` has ``stage_depths[i]`` blocks (``block`` is ``"basic"`` or ``"bottleneck"``) with
    ``base_filters * 2**i`` filters; the first block of every stage but the first has stride 2. Then
    GlobalAveragePooling2D and Dense(num_classes) (logits).
    """
    ### BEGIN SOLUTION
    make = {"basic": basic_block, "bottleneck": bottleneck_block}[block]
    inputs = layers.Input(shape=tuple(input_shape))
    x = layers.ReLU()(bn(layers.Conv2D(base_filters, 3, padding="same", use_bias=False)(inputs)))
    for i, depth in enumerate(stage_depths):
        for j in range(depth):
            x = make(x, base_filters * 2 ** i, 2 if (i > 0 and j == 0) else 1)
    x = layers.GlobalAveragePooling2D()(x)
    return tf.keras.Model(inputs, layers.Dense(num_classes)(x))
    ### END SOLUTION


def deep_stack(input_dim: int, width: int, depth: int, residual: bool):
    """A deep fully connected stack for studying gradient flow.

    Dense(width) input projection (no activation), then ``depth`` layers ``h = tanh(Dense(width)(h))`` (plain) or
    ``h = h + tanh(Dense(width)(h))`` (residual, merged with ``Add``), then Dense(1). Returns a ``tf.keras.Model``.
    """
    ### BEGIN SOLUTION
    inputs = layers.Input(shape=(input_dim,))
    h = layers.Dense(width)(inputs)
    for _ in range(depth):
        f = layers.Dense(width, activation="tanh")(h)
        h = layers.Add()([h, f]) if residual else f
    return tf.keras.Model(inputs, layers.Dense(1)(h))
    ### END SOLUTION


# %% [q2]
def dense_layer(x, growth_rate: int, bottleneck: bool = True):
    """One DenseNet layer: [BN-ReLU-Conv1x1(4*growth_rate)] (DenseNet-BC bottleneck) then BN-ReLU-Conv3x3(growth_rate).

    Convolutions have no bias. The new ``growth_rate`` feature maps are concatenated **after** the input
    (``Concatenate()([x, new])``), so the input channels come first, unchanged.
    """
    ### BEGIN SOLUTION
    y = x
    if bottleneck:
        y = layers.Conv2D(4 * growth_rate, 1, use_bias=False)(layers.ReLU()(bn(y)))
    y = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False)(layers.ReLU()(bn(y)))
    return layers.Concatenate()([x, y])
    ### END SOLUTION


def dense_block(x, num_layers: int, growth_rate: int, bottleneck: bool = True):
    """``num_layers`` dense layers in a row: the output has ``C0 + num_layers * growth_rate`` channels."""
    ### BEGIN SOLUTION
    for _ in range(num_layers):
        x = dense_layer(x, growth_rate, bottleneck)
    return x
    ### END SOLUTION


def transition_layer(x, compression: float = 0.5):
    """BN-ReLU-Conv1x1(floor(C * compression), no bias)-AveragePooling2D(2, strides=2)."""
    ### BEGIN SOLUTION
    filters = int(math.floor(x.shape[-1] * compression))
    y = layers.Conv2D(filters, 1, use_bias=False)(layers.ReLU()(bn(x)))
    return layers.AveragePooling2D(2, strides=2)(y)
    ### END SOLUTION


def densenet_channels(c0: int, block_layers, growth_rate: int, compression: float = 0.5) -> list:
    """Channel count after each dense block and each transition, in order.

    A transition follows every block but the last: for ``block_layers = [2, 3]`` the list is
    ``[after block 1, after transition 1, after block 2]``.
    """
    ### BEGIN SOLUTION
    channels, c = [], c0
    for i, n in enumerate(block_layers):
        c += n * growth_rate
        channels.append(c)
        if i < len(block_layers) - 1:
            c = int(math.floor(c * compression))
            channels.append(c)
    return channels
    ### END SOLUTION


def build_densenet(block_layers, growth_rate: int, input_shape, num_classes: int, compression: float = 0.5,
                   bottleneck: bool = True):
    """A small DenseNet.

    Stem Conv3x3(2*growth_rate, "same", no bias), dense blocks with transitions between them, a final BN-ReLU,
    GlobalAveragePooling2D and Dense(num_classes) (logits).
    """
    ### BEGIN SOLUTION
    inputs = layers.Input(shape=tuple(input_shape))
    x = layers.Conv2D(2 * growth_rate, 3, padding="same", use_bias=False)(inputs)
    for i, n in enumerate(block_layers):
        x = dense_block(x, n, growth_rate, bottleneck)
        if i < len(block_layers) - 1:
            x = transition_layer(x, compression)
    x = layers.GlobalAveragePooling2D()(layers.ReLU()(bn(x)))
    return tf.keras.Model(inputs, layers.Dense(num_classes)(x))
    ### END SOLUTION


# %% [q3]
def inception_module(x, filters):
    """GoogLeNet (v1) module. ``filters = (f1, f3r, f3, f5r, f5, fpool)``.

    Four branches on ``x``, every conv with bias and ReLU, "same" padding:
    1x1(f1); 1x1(f3r)->3x3(f3); 1x1(f5r)->5x5(f5); MaxPool3x3(stride 1)->1x1(fpool).
    Concatenated in that order: ``f1 + f3 + f5 + fpool`` channels.
    """
    ### BEGIN SOLUTION
    f1, f3r, f3, f5r, f5, fp = filters
    b1 = layers.Conv2D(f1, 1, activation="relu")(x)
    b2 = layers.Conv2D(f3r, 1, activation="relu")(x)
    b2 = layers.Conv2D(f3, 3, padding="same", activation="relu")(b2)
    b3 = layers.Conv2D(f5r, 1, activation="relu")(x)
    b3 = layers.Conv2D(f5, 5, padding="same", activation="relu")(b3)
    b4 = layers.MaxPooling2D(3, strides=1, padding="same")(x)
    b4 = layers.Conv2D(fp, 1, activation="relu")(b4)
    return layers.Concatenate()([b1, b2, b3, b4])
    ### END SOLUTION


def naive_inception_module(x, filters):
    """The module without 1x1 reductions: 1x1(f1); 3x3(f3); 5x5(f5); MaxPool3x3(stride 1)->1x1(fpool), all on ``x``.

    ``filters`` is the same 6-tuple; ``f3r`` and ``f5r`` are ignored. Bias and ReLU as above; same output channels.
    """
    ### BEGIN SOLUTION
    f1, _, f3, _, f5, fp = filters
    b1 = layers.Conv2D(f1, 1, activation="relu")(x)
    b2 = layers.Conv2D(f3, 3, padding="same", activation="relu")(x)
    b3 = layers.Conv2D(f5, 5, padding="same", activation="relu")(x)
    b4 = layers.MaxPooling2D(3, strides=1, padding="same")(x)
    b4 = layers.Conv2D(fp, 1, activation="relu")(b4)
    return layers.Concatenate()([b1, b2, b3, b4])
    ### END SOLUTION


def inception_cost(height: int, width: int, c_in: int, filters, reduced: bool = True) -> dict:
    """``{"params": ..., "macs": ...}`` of ``inception_module`` (``reduced``) or ``naive_inception_module``.

    Params count kernels and biases. MACs (multiply-accumulates) count only convolutions:
    ``height * width * kh * kw * C_in * C_out`` per conv (stride 1, "same"); biases, ReLU and pooling are free.
    """
    ### BEGIN SOLUTION
    f1, f3r, f3, f5r, f5, fp = filters
    convs = [(1, c_in, f1), (1, c_in, fp)]
    if reduced:
        convs += [(1, c_in, f3r), (3, f3r, f3), (1, c_in, f5r), (5, f5r, f5)]
    else:
        convs += [(3, c_in, f3), (5, c_in, f5)]
    params = sum(k * k * ci * co + co for k, ci, co in convs)
    macs = sum(height * width * k * k * ci * co for k, ci, co in convs)
    return {"params": int(params), "macs": int(macs)}
    ### END SOLUTION


def factorized_conv(x, filters: int, n: int):
    """Inception-v3 asymmetric factorisation of an n x n conv.

    Conv(1 x n) then Conv(n x 1), each with ``filters`` outputs, bias, ReLU and "same" padding.
    """
    ### BEGIN SOLUTION
    y = layers.Conv2D(filters, (1, n), padding="same", activation="relu")(x)
    return layers.Conv2D(filters, (n, 1), padding="same", activation="relu")(y)
    ### END SOLUTION


# %% [q4]
def make_divisible(v: float, divisor: int = 8, min_value=None) -> int:
    """Keras' MobileNetV2 channel rounding.

    Round ``v`` to the nearest multiple of ``divisor`` (ties up), at least ``min_value`` (default ``divisor``), and
    never more than 10% below ``v`` (then add one ``divisor``).
    """
    ### BEGIN SOLUTION
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return int(new_v)
    ### END SOLUTION


def depthwise_separable(x, filters: int, stride: int = 1, alpha: float = 1.0):
    """MobileNet v1 block.

    DepthwiseConv2D(3, stride, "same", no bias)-BN-ReLU6, then Conv2D(int(filters * alpha), 1, no bias)-BN-ReLU6.
    """
    ### BEGIN SOLUTION
    y = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False)(x)
    y = layers.ReLU(6.0)(bn(y))
    y = layers.Conv2D(int(filters * alpha), 1, use_bias=False)(y)
    return layers.ReLU(6.0)(bn(y))
    ### END SOLUTION


def inverted_residual(x, expansion: int, out_channels: int, stride: int, alpha: float = 1.0):
    """MobileNet v2 block (linear bottleneck).

    Expansion Conv1x1(C_in * expansion, no bias)-BN-ReLU6 (left out when ``expansion == 1``), then
    DepthwiseConv2D(3, stride, "same", no bias)-BN-ReLU6, then the linear projection
    Conv1x1(make_divisible(out_channels * alpha, 8), no bias)-BN with no activation. ``Add`` the input when the
    stride is 1 and the channel counts match.
    """
    ### BEGIN SOLUTION
    c_in = x.shape[-1]
    out = make_divisible(out_channels * alpha, 8)
    y = x
    if expansion != 1:
        y = layers.ReLU(6.0)(bn(layers.Conv2D(c_in * expansion, 1, use_bias=False)(y)))
    y = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False)(y)
    y = layers.ReLU(6.0)(bn(y))
    y = bn(layers.Conv2D(out, 1, use_bias=False)(y))
    if stride == 1 and c_in == out:
        return layers.Add()([x, y])
    return y
    ### END SOLUTION


def build_mobilenet_v1(blocks, input_shape, num_classes: int, alpha: float = 1.0, rho: float = 1.0):
    """A small MobileNet v1. ``blocks`` is a list of ``(filters, stride)``.

    The resolution multiplier ``rho`` scales the input side: the model's input is
    ``(round(H * rho), round(W * rho), C)``. Stem Conv2D(int(32 * alpha), 3, strides 2, "same", no bias)-BN-ReLU6,
    one ``depthwise_separable(filters, stride, alpha)`` per entry, GlobalAveragePooling2D, Dense(num_classes).
    """
    ### BEGIN SOLUTION
    h, w, c = input_shape
    inputs = layers.Input(shape=(int(round(h * rho)), int(round(w * rho)), c))
    x = layers.Conv2D(int(32 * alpha), 3, strides=2, padding="same", use_bias=False)(inputs)
    x = layers.ReLU(6.0)(bn(x))
    for filters, stride in blocks:
        x = depthwise_separable(x, filters, stride, alpha)
    x = layers.GlobalAveragePooling2D()(x)
    return tf.keras.Model(inputs, layers.Dense(num_classes)(x))
    ### END SOLUTION


def mobilenet_v1_macs(blocks, input_shape, num_classes: int, alpha: float = 1.0, rho: float = 1.0) -> int:
    """Multiply-accumulates of ``build_mobilenet_v1`` with the same arguments, from the layer configuration alone.

    A standard conv costs ``H_out * W_out * k * k * C_in * C_out``, a depthwise conv ``H_out * W_out * k * k * C``,
    the Dense layer ``C * num_classes``; "same" padding gives ``ceil(side / stride)``.
    """
    ### BEGIN SOLUTION
    h, w, c = input_shape
    h, w = int(round(h * rho)), int(round(w * rho))
    h, w = -(-h // 2), -(-w // 2)
    c_out = int(32 * alpha)
    macs = h * w * 9 * c * c_out
    c = c_out
    for filters, stride in blocks:
        h, w = -(-h // stride), -(-w // stride)
        c_out = int(filters * alpha)
        macs += h * w * 9 * c + h * w * c * c_out
        c = c_out
    return int(macs + c * num_classes)
    ### END SOLUTION


# %% [q5]
def compound_coefficients(phi: float, alpha: float = 1.2, beta: float = 1.1, gamma: float = 1.15) -> tuple:
    """EfficientNet compound scaling: ``(depth, width, resolution) = (alpha**phi, beta**phi, gamma**phi)``.

    The paper's grid search gave alpha=1.2, beta=1.1, gamma=1.15, so that alpha * beta**2 * gamma**2 ~ 2: each
    step of ``phi`` roughly doubles the FLOPs.
    """
    ### BEGIN SOLUTION
    return (float(alpha ** phi), float(beta ** phi), float(gamma ** phi))
    ### END SOLUTION


def round_filters(filters: int, width_coefficient: float, divisor: int = 8) -> int:
    """Keras' EfficientNet width rounding.

    Scale by the width coefficient, round to the nearest multiple of ``divisor`` (ties up, at least ``divisor``),
    and add one ``divisor`` if that fell more than 10% below the scaled value.
    """
    ### BEGIN SOLUTION
    filters *= width_coefficient
    new = max(divisor, int(filters + divisor / 2) // divisor * divisor)
    if new < 0.9 * filters:
        new += divisor
    return int(new)
    ### END SOLUTION


def round_repeats(repeats: int, depth_coefficient: float) -> int:
    """``ceil(depth_coefficient * repeats)``."""
    ### BEGIN SOLUTION
    return int(math.ceil(depth_coefficient * repeats))
    ### END SOLUTION


def scale_config(base_blocks, base_resolution: int, phi: float) -> dict:
    """Scale a base network with compound coefficient ``phi``.

    ``base_blocks`` is a list of ``(repeats, filters)``. Returns ``{"blocks": [(round_repeats, round_filters), ...],
    "resolution": round(base_resolution * gamma**phi)}`` with the coefficients of ``compound_coefficients(phi)``.
    """
    ### BEGIN SOLUTION
    d, w, r = compound_coefficients(phi)
    return {"blocks": [(round_repeats(n, d), round_filters(f, w)) for n, f in base_blocks],
            "resolution": int(round(base_resolution * r))}
    ### END SOLUTION


def squeeze_excitation(x, se_filters: int):
    """Squeeze-and-excitation.

    GlobalAveragePooling2D -> Reshape((1, 1, C)) -> Conv1x1(se_filters, swish) -> Conv1x1(C, sigmoid) -> Multiply
    with ``x`` (both convs with bias).
    """
    ### BEGIN SOLUTION
    c = x.shape[-1]
    s = layers.GlobalAveragePooling2D()(x)
    s = layers.Reshape((1, 1, c))(s)
    s = layers.Conv2D(se_filters, 1, activation="swish")(s)
    s = layers.Conv2D(c, 1, activation="sigmoid")(s)
    return layers.Multiply()([x, s])
    ### END SOLUTION


def mbconv_block(x, out_filters: int, expansion: int, stride: int, kernel_size: int = 3, se_ratio: float = 0.25):
    """EfficientNet MBConv block.

    Expansion Conv1x1(C_in * expansion, no bias)-BN-swish (left out when expansion == 1),
    DepthwiseConv2D(kernel_size, stride, "same", no bias)-BN-swish, squeeze-and-excitation with
    ``max(1, int(C_in * se_ratio))`` reduced channels (from the **block input**; none when ``se_ratio == 0``),
    projection Conv1x1(out_filters, no bias)-BN, and ``Add`` of the input when the stride is 1 and
    ``C_in == out_filters``.
    """
    ### BEGIN SOLUTION
    c_in = x.shape[-1]
    y = x
    if expansion != 1:
        y = layers.Activation("swish")(bn(layers.Conv2D(c_in * expansion, 1, use_bias=False)(y)))
    y = layers.DepthwiseConv2D(kernel_size, strides=stride, padding="same", use_bias=False)(y)
    y = layers.Activation("swish")(bn(y))
    if se_ratio > 0:
        y = squeeze_excitation(y, max(1, int(c_in * se_ratio)))
    y = bn(layers.Conv2D(out_filters, 1, use_bias=False)(y))
    if stride == 1 and c_in == out_filters:
        return layers.Add()([x, y])
    return y
    ### END SOLUTION


# %% [q6]
def patchify(images, patch_size: int):
    """Cut images into non-overlapping patches: ``[B, H, W, C] -> [B, (H/p)*(W/p), p*p*C]``.

    Patches in row-major order, each flattened in (row, column, channel) order.
    """
    ### BEGIN SOLUTION
    images = tf.convert_to_tensor(images)
    shape = tf.shape(images)
    b, h, w, c = shape[0], images.shape[1], images.shape[2], images.shape[3]
    p = patch_size
    x = tf.reshape(images, [b, h // p, p, w // p, p, c])
    x = tf.transpose(x, [0, 1, 3, 2, 4, 5])
    return tf.reshape(x, [b, (h // p) * (w // p), p * p * c])
    ### END SOLUTION


class PatchEmbedding(layers.Layer):
    """``patchify`` then a linear projection ``self.proj = Dense(d_model)``: ``[B, H, W, C] -> [B, N, d_model]``."""

    def __init__(self, patch_size: int, d_model: int, **kwargs):
        super().__init__(**kwargs)
        ### BEGIN SOLUTION
        self.patch_size = patch_size
        self.proj = layers.Dense(d_model)
        ### END SOLUTION

    def call(self, images):
        ### BEGIN SOLUTION
        return self.proj(patchify(images, self.patch_size))
        ### END SOLUTION


class TransformerBlock(layers.Layer):
    """Pre-LN encoder block of ViT.

    ``x + Dropout(MHA(LN1(x)))`` then ``x + Dropout(fc2(Dropout(fc1(LN2(x)))))`` with fc1 = Dense(mlp_dim, gelu),
    fc2 = Dense(d_model); LayerNorm epsilon 1e-6.
    """

    def __init__(self, d_model: int, num_heads: int, mlp_dim: int, dropout: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        ### BEGIN SOLUTION
        self.norm1 = layers.LayerNormalization(epsilon=1e-6)
        self.attn = layers.MultiHeadAttention(num_heads, d_model // num_heads)
        self.norm2 = layers.LayerNormalization(epsilon=1e-6)
        self.fc1 = layers.Dense(mlp_dim, activation="gelu")
        self.fc2 = layers.Dense(d_model)
        self.drop = layers.Dropout(dropout)
        ### END SOLUTION

    def call(self, x, training=False):
        ### BEGIN SOLUTION
        h = self.norm1(x)
        x = x + self.drop(self.attn(h, h, training=training), training=training)
        h = self.drop(self.fc1(self.norm2(x)), training=training)
        return x + self.drop(self.fc2(h), training=training)
        ### END SOLUTION


class ViT(tf.keras.Model):
    """Vision Transformer for ``image_size x image_size x channels`` images.

    Attributes (the graders read them): ``patch_embed`` (a ``PatchEmbedding``), ``cls_token`` (a weight of shape
    ``[1, 1, d_model]``), ``pos_embed`` (a weight of shape ``[1, N + 1, d_model]``, N = (image_size / patch_size)**2),
    ``blocks`` (a list of ``TransformerBlock``), ``norm`` (final LayerNormalization, epsilon 1e-6), ``head``
    (Dense(num_classes), logits). ``embed(x)`` returns the tokens ``concat([cls, patches]) + pos_embed``
    (``[B, N + 1, d_model]``); ``call(x, training)`` runs the blocks and the head on the class token.
    """

    def __init__(self, image_size: int, patch_size: int, num_classes: int, d_model: int, num_heads: int,
                 num_layers: int, mlp_dim: int, dropout: float = 0.0, channels: int = 1, **kwargs):
        super().__init__(**kwargs)
        ### BEGIN SOLUTION
        self.d_model = d_model
        self.num_patches = (image_size // patch_size) ** 2
        self.patch_embed = PatchEmbedding(patch_size, d_model)
        self.cls_token = self.add_weight(name="cls_token", shape=(1, 1, d_model),
                                         initializer=tf.keras.initializers.RandomNormal(stddev=0.02))
        self.pos_embed = self.add_weight(name="pos_embed", shape=(1, self.num_patches + 1, d_model),
                                         initializer=tf.keras.initializers.RandomNormal(stddev=0.02))
        self.blocks = [TransformerBlock(d_model, num_heads, mlp_dim, dropout) for _ in range(num_layers)]
        self.drop = layers.Dropout(dropout)
        self.norm = layers.LayerNormalization(epsilon=1e-6)
        self.head = layers.Dense(num_classes)
        ### END SOLUTION

    def embed(self, x):
        ### BEGIN SOLUTION
        patches = self.patch_embed(x)
        cls = tf.broadcast_to(self.cls_token, [tf.shape(patches)[0], 1, self.d_model])
        return tf.concat([cls, patches], axis=1) + self.pos_embed
        ### END SOLUTION

    def call(self, x, training=False):
        ### BEGIN SOLUTION
        h = self.drop(self.embed(x), training=training)
        for block in self.blocks:
            h = block(h, training=training)
        return self.head(self.norm(h)[:, 0])
        ### END SOLUTION
