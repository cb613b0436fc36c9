# expect: {"q3": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# "A reshape is enough": (B, H, W, C) -> (B, H/b, W/b, b*b*C) in one tf.reshape keeps row-major
# memory order, so blocks are not gathered (the round trip still works), and the sizes come from the
# static x.shape, which is None inside a tf.function with unknown dimensions.
# %% [q3]
def space_to_depth(x, block_size: int) -> tf.Tensor:
    """One reshape."""
    b, h, w, c = x.shape
    if h % block_size or w % block_size:
        raise ValueError("not divisible")
    return tf.reshape(x, [-1, h // block_size, w // block_size, block_size * block_size * c])


def depth_to_space(x, block_size: int) -> tf.Tensor:
    """One reshape."""
    b, h, w, c = x.shape
    if c % (block_size * block_size):
        raise ValueError("not divisible")
    return tf.reshape(x, [-1, h * block_size, w * block_size, c // (block_size * block_size)])


def patchify(images, patch_size: int) -> tf.Tensor:
    """One reshape."""
    b, h, w, c = images.shape
    return tf.reshape(images, [-1, (h // patch_size) * (w // patch_size), patch_size * patch_size * c])


def unpatchify(patches, patch_size: int, height: int, width: int) -> tf.Tensor:
    """One reshape."""
    return tf.reshape(patches, [-1, height, width, patches.shape[-1] // (patch_size * patch_size)])
