# expect: {"q3": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, hub, make_regressor, ... come from the reference setup cell)
# The port hard-codes the two layers of the example, so a deeper TF1 model loses its last layer.
# %% [q3]
def v1_variable_shapes(ckpt_prefix: str) -> dict:
    """List the variables of a TF1 checkpoint without building any graph.

    Args:
        ckpt_prefix: a checkpoint prefix as written by ``tf.compat.v1.train.Saver.save`` (e.g.
            ``".../model.ckpt-1234"``).

    Returns:
        ``{variable_name: [dim, ...]}`` for every variable stored in the checkpoint.
    """
    return {name: list(shape) for name, shape in tf.train.list_variables(ckpt_prefix)}


class MigratedMLP(tf.Module):
    """A TF2 port of a TF1 multi-layer perceptron, loaded from its v1 checkpoint.

    The TF1 graph computed, for ``i = 0 .. L-1`` and variables ``dense_{i}/kernel`` and
    ``dense_{i}/bias`` (made with ``tf.compat.v1.get_variable`` in ``variable_scope("dense_{i}")``)::

        h = x
        h = matmul(h, kernel_i) + bias_i      # followed by relu for every layer but the last
        probs = softmax(h)

    The checkpoint also holds other variables (a ``global_step``) that the port must ignore. The
    number of layers ``L`` and all sizes come from the checkpoint: hard-code nothing.
    """

    def __init__(self, ckpt_prefix: str, name=None):
        """Create the module's variables once, from the checkpoint's values.

        Read the checkpoint with ``tf.train.load_checkpoint`` (or ``tf.train.list_variables`` and
        ``tf.train.load_variable``); do not rebuild the TF1 graph or open a ``Session``. Store the
        variables in attributes (lists are fine) so that ``self.trainable_variables`` lists
        exactly the ``2 * L`` kernels and biases.

        Args:
            ckpt_prefix: the v1 checkpoint prefix.
            name: the module name.
        """
        super().__init__(name=name)
        reader = tf.train.load_checkpoint(ckpt_prefix)
        names = reader.get_variable_to_shape_map()
        del names
        layers = [0, 1]
        self.kernels = [tf.Variable(reader.get_tensor(f"dense_{i}/kernel"), name=f"dense_{i}_kernel")
                        for i in layers]
        self.biases = [tf.Variable(reader.get_tensor(f"dense_{i}/bias"), name=f"dense_{i}_bias")
                       for i in layers]

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32)])
    def __call__(self, x):
        """The TF1 model's ``probs`` for a batch ``x`` of shape ``(batch, inputs)``."""
        h = x
        last = len(self.kernels) - 1
        # A Python loop over a Python list is unrolled while tracing: one MatMul per layer.
        for i, (kernel, bias) in enumerate(zip(self.kernels, self.biases, strict=True)):
            h = tf.matmul(h, kernel) + bias
            if i < last:
                h = tf.nn.relu(h)
        return tf.nn.softmax(h)


def export_migrated(module: tf.Module, export_dir: str) -> None:
    """Export the migrated module as a SavedModel.

    ``tf.saved_model.load(export_dir)`` must be callable on a ``float32`` batch (its ``__call__``
    keeps the input signature) and give the module's outputs.

    Args:
        module: a ``MigratedMLP``.
        export_dir: the folder to write.
    """
    tf.saved_model.save(module, export_dir, signatures={"serving_default": module.__call__})
