# expect: {"q2": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, layers come from the reference setup cell)
# compile without loss_weights: both heads weigh 1 whatever w_cls and w_reg say.
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


def compile_multimodal(model: tf.keras.Model, w_cls: float, w_reg: float, lr: float = 1e-3) -> tf.keras.Model:
    """Compile for both heads and return the model.

    Adam(``lr``); ``classification``: sparse categorical cross-entropy with weight ``w_cls`` and
    metric ``accuracy``; ``regression``: mean squared error with weight ``w_reg`` and metric
    ``mae``.
    """
    model.compile(
        optimizer=tf.keras.optimizers.Adam(learning_rate=lr),
        loss={"classification": tf.keras.losses.SparseCategoricalCrossentropy(), "regression": "mse"},
        metrics={"classification": ["accuracy"], "regression": ["mae"]},
    )
    return model
