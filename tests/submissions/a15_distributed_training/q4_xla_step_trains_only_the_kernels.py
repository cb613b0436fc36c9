# expect: {"q4": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, DEVICES, build_mlp, ... come from the reference setup cell)
# Updates only the kernels (as if biases were excluded like in weight decay): the biases never train.
# The losses of 4 steps stay within bfloat16's tolerance; the weights do not.
# %% [q4]
def resolve_strategy(tpu: str = "local"):
    """A ``TPUStrategy`` when a TPU is reachable, otherwise a clean fallback.

    Try, in this order and through these exact names: ``tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu)``,
    ``tf.config.experimental_connect_to_cluster(resolver)``,
    ``tf.tpu.experimental.initialize_tpu_system(resolver)``, and return
    ``tf.distribute.TPUStrategy(resolver)``. If any step raises ``ValueError`` or a
    ``tf.errors.OpError`` (no TPU), return a ``MirroredStrategy`` over all logical GPUs, else all
    logical CPUs, when there are several (with ``ReductionToOneDevice``), and the default strategy
    otherwise.
    """
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu)
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    except (ValueError, tf.errors.OpError):
        devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        if len(devices) > 1:
            return tf.distribute.MirroredStrategy([d.name for d in devices],
                                                  cross_device_ops=tf.distribute.ReductionToOneDevice())
        return tf.distribute.get_strategy()


def make_static_dataset(x, y, global_batch: int) -> tf.data.Dataset:
    """Batches with fully static shapes for XLA/TPU.

    ``x`` float32 ``(global_batch, d)``, ``y`` int32 ``(global_batch,)``, in order (no shuffling), an
    incomplete last batch dropped, prefetched.
    """
    ds = tf.data.Dataset.from_tensor_slices((np.asarray(x, np.float32), np.asarray(y).astype(np.int32)))
    return ds.batch(global_batch, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def build_bf16_model(input_dim: int, hidden: int, classes: int) -> tf.keras.Model:
    """A ``mixed_bfloat16`` classifier with a float32 output layer.

    ``Dense(hidden, relu) -> Dense(classes)``: the hidden layer computes in bfloat16 with float32
    variables (the ``mixed_bfloat16`` policy), the output layer is float32 (logits in float32).

    Leave the global policy as you found it (``float32``): give the layers their ``dtype`` policy, or
    restore the global one before returning.
    """
    return tf.keras.Sequential([
        tf.keras.Input((input_dim,)),
        tf.keras.layers.Dense(hidden, activation="relu", dtype="mixed_bfloat16"),
        tf.keras.layers.Dense(classes, dtype="float32"),
    ])


def make_xla_train_step(model, optimizer):
    """An XLA-compiled training step.

    Returns a ``tf.function(jit_compile=True)`` ``step(x, y) -> loss`` that captures ``model`` and
    ``optimizer`` (not arguments), computes the mean sparse cross-entropy from logits in float32, and
    applies one update. Over batches of one static shape it must trace once.
    """
    @tf.function(jit_compile=True)
    def step(x, y):
        with tf.GradientTape() as tape:
            logits = tf.cast(model(x, training=True), tf.float32)
            loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients([(g, v) for g, v in zip(grads, model.trainable_variables, strict=True)
                                   if 'kernel' in v.name])
        return loss

    return step


def compile_for_tpu(model, lr: float, steps_per_execution: int):
    """Compile ``model`` for TPU-style training and return it.

    ``Adam(lr)``, sparse cross-entropy from logits, ``jit_compile=True`` and ``steps_per_execution``;
    no loss scaling (bfloat16 does not need it).
    """
    model.compile(optimizer=tf.keras.optimizers.Adam(lr),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=True, steps_per_execution=steps_per_execution)
    return model
