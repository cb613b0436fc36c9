# expect: {"q5": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, make_base, make_encoder, make_decoder come from the setup cell)
# The course's masked image model: 15% of single pixels masked and the loss over every pixel.
# %% [q5]
def rotation_pretext(images) -> tuple:
    """Rotation prediction data, vectorised: ``(4N, H, W, C)`` images and int32 labels.

    Block ``k`` (rows ``k*N .. (k+1)*N``) holds every image turned ``k`` quarter-turns counter-clockwise
    (``tf.image.rot90(images, k)``), labelled ``k``.
    """
    images = tf.convert_to_tensor(images, tf.float32)
    n = tf.shape(images)[0]
    rotated = tf.concat([tf.image.rot90(images, k) for k in range(4)], axis=0)
    labels = tf.repeat(tf.range(4, dtype=tf.int32), n)
    return rotated, labels


def patch_mask(batch_size: int, image_hw=(8, 8), patch: int = 2, mask_ratio: float = 0.5, seed=(1, 2)) -> tf.Tensor:
    """MAE-style patch masking: float32 ``(batch, H, W, 1)``, 1 where masked.

    Exactly ``round(mask_ratio * num_patches)`` of the ``(H/patch) * (W/patch)`` patches are masked in each
    image, chosen with the stateless RNG from ``seed`` (same seed, same mask).
    """
    noise = tf.random.stateless_uniform((batch_size, image_hw[0], image_hw[1], 1), seed=seed)
    return tf.cast(noise < 0.15, tf.float32)


def masked_reconstruction_loss(x, x_hat, mask) -> tf.Tensor:
    """Mean squared error over the masked entries only (``mask == 1``)."""
    x = tf.convert_to_tensor(x, tf.float32)
    x_hat = tf.convert_to_tensor(x_hat, tf.float32)
    mask = tf.cast(mask, tf.float32)
    return tf.reduce_mean(tf.square(x_hat - x))


def pretrain_masked(encoder: tf.keras.Model, decoder: tf.keras.Model, x_unlabeled, epochs: int = 20,
                    mask_ratio: float = 0.5, patch: int = 2, learning_rate: float = 3e-3,
                    batch_size: int = 64) -> tf.keras.Model:
    """Masked reconstruction pretext (MAE-style); returns the trained encoder (the same object).

    For each batch: ``mask = patch_mask(...)`` (a new seed per batch), ``x_hat = decoder(encoder(x * (1 - mask)))``
    and an Adam step on ``masked_reconstruction_loss(x, x_hat, mask)`` for encoder and decoder.
    """
    x = tf.convert_to_tensor(np.asarray(x_unlabeled, np.float32))
    hw = tuple(int(d) for d in x.shape[1:3])
    optimizer = tf.keras.optimizers.Adam(learning_rate)
    variables = encoder.trainable_variables + decoder.trainable_variables

    @tf.function
    def step(xb, seed):
        mask = patch_mask(batch_size, hw, patch, mask_ratio, seed=seed)
        with tf.GradientTape() as tape:
            x_hat = decoder(encoder(xb * (1.0 - mask), training=True), training=True)
            loss = masked_reconstruction_loss(xb, x_hat, mask)
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
        return loss

    n = int(x.shape[0])
    for epoch in range(epochs):
        order = tf.random.shuffle(tf.range(n))
        for i, start in enumerate(range(0, n - batch_size + 1, batch_size)):
            xb = tf.gather(x, order[start:start + batch_size])
            step(xb, tf.constant([epoch, i], tf.int32))
    return encoder
