# expect: {"q5": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# The library shortcut: total variation by tf.image.total_variation.
# %% [q5]
def gram_matrix(features):
    """``[B, H, W, C]`` -> ``[B, C, C]``: ``sum_ij F[b,i,j,c] F[b,i,j,d] / (H * W)``."""
    f = tf.convert_to_tensor(features, tf.float32)
    hw = tf.cast(tf.shape(f)[1] * tf.shape(f)[2], tf.float32)
    return tf.einsum("bijc,bijd->bcd", f, f) / hw


def total_variation_loss(images):
    """Sum over the batch of ``sum |x[i+1, j] - x[i, j]| + sum |x[i, j+1] - x[i, j]|`` (all channels)."""
    x = tf.convert_to_tensor(images, tf.float32)
    return tf.reduce_sum(tf.image.total_variation(x))


def adain(content_features, style_features, eps: float = 1e-5):
    """Adaptive instance normalisation.

    Normalise each content channel by its own spatial mean and ``sqrt(variance + eps)``, then scale and shift by the
    style's ``sqrt(variance + eps)`` and mean.
    """
    c = tf.convert_to_tensor(content_features, tf.float32)
    s = tf.convert_to_tensor(style_features, tf.float32)
    c_mean, c_var = tf.nn.moments(c, axes=[1, 2], keepdims=True)
    s_mean, s_var = tf.nn.moments(s, axes=[1, 2], keepdims=True)
    return tf.sqrt(s_var + eps) * (c - c_mean) / tf.sqrt(c_var + eps) + s_mean


def style_content_loss(style_outputs, content_outputs, style_targets, content_targets, style_weight: float,
                       content_weight: float):
    """The weighted style and content losses.

    ``style_weight / Ls * sum_l mean((gram(style_outputs[l]) - style_targets[l])**2)`` +
    ``content_weight / Lc * sum_l mean((content_outputs[l] - content_targets[l])**2)``; the style targets are Gram
    matrices already.
    """
    style = tf.add_n([tf.reduce_mean(tf.square(gram_matrix(o) - t))
                      for o, t in zip(style_outputs, style_targets, strict=True)])
    content = tf.add_n([tf.reduce_mean(tf.square(tf.convert_to_tensor(o, tf.float32) - t))
                        for o, t in zip(content_outputs, content_targets, strict=True)])
    return (style_weight / len(style_outputs)) * style + (content_weight / len(content_outputs)) * content


def run_style_transfer(content_image, style_image, extractor, steps: int = 100, lr: float = 0.02,
                       style_weight: float = 1.0, content_weight: float = 1.0, tv_weight: float = 0.0):
    """Optimise an image (a ``tf.Variable`` that starts as the content image) with ``Adam(lr)``.

    ``extractor(images)`` returns ``(style_features, content_features)`` (two lists). Targets: the Gram matrices of
    the style image's style features and the content image's content features. Each step minimises
    ``style_content_loss + tv_weight * total_variation_loss`` and then clips the image to ``[0, 1]``. Only the image
    is trained. Returns the final image as a ``[1, H, W, 3]`` float32 tensor.
    """
    content_image = tf.convert_to_tensor(content_image, tf.float32)
    style_targets = [gram_matrix(f) for f in extractor(tf.convert_to_tensor(style_image, tf.float32))[0]]
    content_targets = extractor(content_image)[1]
    image = tf.Variable(content_image)
    optimizer = tf.keras.optimizers.Adam(lr)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            style_out, content_out = extractor(image)
            loss = style_content_loss(style_out, content_out, style_targets, content_targets, style_weight,
                                      content_weight) + tv_weight * total_variation_loss(image)
        optimizer.apply_gradients([(tape.gradient(loss, image), image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))

    for _ in range(steps):
        step()
    return tf.convert_to_tensor(image)
