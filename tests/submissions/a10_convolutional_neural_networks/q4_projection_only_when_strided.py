# expect: {"q4": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# The course's create_resnet_block: the shortcut is projected only when stride != 1, so a
# channel change at stride 1 cannot be added.
# %% [q4]
def resnet_block(x, filters: int, stride: int = 1):
    """A basic residual block on a Keras tensor ``x``.

    Main path: ``Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)``, ``BatchNormalization``,
    ``ReLU``, ``Conv2D(filters, 3, padding="same", use_bias=False)``, ``BatchNormalization``. Shortcut: ``x``
    itself, or, when ``stride != 1`` **or the channel count changes**, ``Conv2D(filters, 1, strides=stride,
    use_bias=False)`` + ``BatchNormalization``. Output: ``ReLU(main + shortcut)``. Every BatchNormalization here uses
    ``momentum=0.9``: with the default 0.99 the moving statistics lag behind a few hundred training steps and the
    trained model does much worse at inference than in training.
    """
    layers = tf.keras.layers
    y = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
    y = layers.BatchNormalization(momentum=0.9)(y)
    y = layers.ReLU()(y)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
    y = layers.BatchNormalization(momentum=0.9)(y)
    shortcut = x
    if stride != 1:
        shortcut = layers.Conv2D(filters, 1, strides=stride, use_bias=False)(x)
        shortcut = layers.BatchNormalization(momentum=0.9)(shortcut)
    return layers.ReLU()(layers.Add()([y, shortcut]))


def train_classifier(images: np.ndarray, labels: np.ndarray, num_classes: int, seed: int = 0):
    """Build and train a small residual CNN; return the trained Keras model.

    Build and train a small CNN (use ``resnet_block``) on ``images [N, 16, 16, 1]`` (float32 in [0, 1]) and
    integer ``labels``; return the trained Keras model, which maps images to ``num_classes`` logits. Keep it
    fast: the judge gives it about 20 seconds on a CPU, then measures accuracy on images it generates itself.
    """
    tf.keras.utils.set_random_seed(seed)
    inputs = tf.keras.layers.Input(shape=images.shape[1:])
    y = tf.keras.layers.Conv2D(16, 3, padding="same", use_bias=False)(inputs)
    y = tf.keras.layers.BatchNormalization(momentum=0.9)(y)
    y = tf.keras.layers.ReLU()(y)
    y = resnet_block(y, 16)
    y = resnet_block(y, 32, stride=2)
    y = tf.keras.layers.GlobalAveragePooling2D()(y)
    model = tf.keras.Model(inputs, tf.keras.layers.Dense(num_classes)(y))
    model.compile(tf.keras.optimizers.Adam(1e-3),
                  tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(images, labels, batch_size=32, epochs=8, verbose=0)
    return model
