# expect: {"q3": "partial"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# The library ops instead of reshape/transpose: every value is right, but the question asks for the
# rearrangement by hand, so the forbidden-call check fails.
# %% [q3]
def space_to_depth(x, block_size: int) -> tf.Tensor:
    """By TensorFlow."""
    return tf.nn.space_to_depth(x, block_size)


def depth_to_space(x, block_size: int) -> tf.Tensor:
    """By TensorFlow."""
    return tf.nn.depth_to_space(x, block_size)


def patchify(images, patch_size: int) -> tf.Tensor:
    """By tf.image.extract_patches."""
    p = patch_size
    patches = tf.image.extract_patches(images, [1, p, p, 1], [1, p, p, 1], [1, 1, 1, 1], "VALID")
    s = tf.shape(patches)
    return tf.reshape(patches, [s[0], s[1] * s[2], s[3]])


def unpatchify(patches, patch_size: int, height: int, width: int) -> tf.Tensor:
    """Grid, then depth_to_space."""
    s = tf.shape(patches)
    return tf.nn.depth_to_space(tf.reshape(patches, [s[0], height // patch_size, width // patch_size, s[2]]),
                                patch_size)
