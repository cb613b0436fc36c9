# expect: {"q1": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, tfmot, kt, math, time, mlp, compile_classifier come from the setup cell)
# The course's schedule, begin_step=1000 and end_step=5000: 6 epochs of the digits are 264 steps, so
# pruning never starts and the kernels stay dense.
# %% [q1]
def gradual_prune(model: tf.keras.Model, x, y, target_sparsity: float, epochs: int,
                  batch_size: int = 32) -> tf.keras.Model:
    """Gradual magnitude pruning with ``tfmot`` while fine-tuning, then strip the wrappers.

    Wrap ``model`` with ``tfmot.sparsity.keras.prune_low_magnitude`` and a
    ``PolynomialDecay(initial_sparsity=0.0, final_sparsity=target_sparsity, begin_step=0, end_step=...)``
    whose ``end_step`` is derived from the data: ``ceil(len(x) / batch_size) * epochs`` steps in all,
    ending the ramp a little before the last step so that the last epoch fine-tunes at the target
    sparsity (the course's ``begin_step=1000, end_step=5000`` never starts pruning on a small data
    set). Compile with ``compile_classifier``, ``fit`` with ``tfmot.sparsity.keras.UpdatePruningStep()``
    and return ``tfmot.sparsity.keras.strip_pruning(...)`` of the result.

    Note: ``prune_low_magnitude`` reuses the layers of ``model``, so it changes ``model``'s weights.

    Args:
        model: a trained Sequential/Functional classifier that outputs logits.
        x: ``float32`` inputs ``(N, D)``.
        y: ``int`` labels ``(N,)``.
        target_sparsity: the final fraction of zeros in every Dense kernel (``0.9``, say).
        epochs: the number of training epochs (pruning and fine-tuning together).
        batch_size: the batch size.

    Returns:
        The stripped model (plain Dense layers, no ``PruneLowMagnitude`` wrapper).
    """
    schedule = tfmot.sparsity.keras.PolynomialDecay(initial_sparsity=0.0, final_sparsity=float(target_sparsity),
                                                    begin_step=1000, end_step=5000)
    pruned = tfmot.sparsity.keras.prune_low_magnitude(model, pruning_schedule=schedule)
    compile_classifier(pruned)
    pruned.fit(np.asarray(x, np.float32), np.asarray(y), epochs=epochs, batch_size=batch_size, verbose=0,
               callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
    return tfmot.sparsity.keras.strip_pruning(pruned)


def kernel_sparsity(model: tf.keras.Model) -> dict:
    """The fraction of exactly-zero entries of every Dense kernel.

    Returns:
        ``{layer.name: float}`` for each ``tf.keras.layers.Dense`` layer of ``model`` (biases excluded).
    """
    return {layer.name: float(np.mean(layer.kernel.numpy() == 0.0))
            for layer in model.layers if isinstance(layer, tf.keras.layers.Dense)}


def prune_dense_units(model: tf.keras.Sequential, layer_name: str, keep_ratio: float) -> tf.keras.Sequential:
    """Structured pruning: remove whole units of one hidden Dense layer by the L1 norm of their weights.

    The importance of unit ``j`` of layer ``layer_name`` is ``sum |kernel[:, j]|`` (its incoming
    weights). Keep the ``round(units * keep_ratio)`` most important units (at least 1), in their original
    order, drop the others and the matching *rows* of the next Dense layer's kernel, and copy every
    other weight unchanged. The result is a new, smaller Sequential model of the same layer types and
    activations; ``model`` is not changed.

    Args:
        model: a Sequential of Dense layers (an ``mlp``).
        layer_name: the name of a hidden Dense layer (not the last one).
        keep_ratio: the fraction of its units to keep, in ``(0, 1]``.

    Returns:
        The pruned Sequential model (not compiled).
    """
    dense = [layer for layer in model.layers if isinstance(layer, tf.keras.layers.Dense)]
    index = [layer.name for layer in dense].index(layer_name)
    if index == len(dense) - 1:
        raise ValueError("cannot remove units of the output layer")
    kernel, bias = dense[index].get_weights()
    units = kernel.shape[1]
    keep_count = max(1, int(round(units * keep_ratio)))
    importance = np.abs(kernel).sum(axis=0)
    keep = np.sort(np.argsort(-importance, kind="stable")[:keep_count])
    weights = [layer.get_weights() for layer in dense]
    weights[index] = [kernel[:, keep], bias[keep]]
    next_kernel, next_bias = weights[index + 1]
    weights[index + 1] = [next_kernel[keep, :], next_bias]
    layers = [tf.keras.Input(shape=(dense[0].get_weights()[0].shape[0],))]
    for i, layer in enumerate(dense):
        layers.append(tf.keras.layers.Dense(weights[i][0].shape[1], activation=layer.activation, name=layer.name))
    pruned = tf.keras.Sequential(layers)
    for layer, w in zip([layer for layer in pruned.layers], weights, strict=True):
        layer.set_weights(w)
    return pruned
