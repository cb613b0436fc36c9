"""Hidden tests for A02 Q3: reshaping (space-to-depth, depth-to-space, patches)."""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q3")

FORBIDDEN = ["tf.nn.space_to_depth", "tf.nn.depth_to_space", "tf.compat.v1.space_to_depth",
             "tf.compat.v1.depth_to_space", "tf.raw_ops.SpaceToDepth", "tf.raw_ops.DepthToSpace",
             "tf.image.extract_patches", "tf.compat.v1.extract_image_patches", "tf.raw_ops.ExtractImagePatches"]


def _images(rng, block, dtype=np.float32, channels=None):
    batch = int(rng.integers(1, 4))
    height, width = (int(v) * block for v in rng.integers(1, 5, size=2))
    c = channels or int(rng.integers(1, 5))
    if np.dtype(dtype).kind == "i":
        return rng.integers(-1000, 1000, size=(batch, height, width, c)).astype(dtype)
    return rng.normal(size=(batch, height, width, c)).astype(dtype)


def _exact(got, want, what):
    checks.assert_tensor(got, want, expect="tensor", rtol=0, atol=0, name=what)


@pytest.mark.points(2)
def test_space_to_depth_matches_the_library_order(student, reference, rng):
    for block, dtype in ((2, np.float32), (3, np.int32), (int(rng.integers(2, 5)), np.float64)):
        x = Tensor(_images(rng, block, dtype))
        _exact(student.call("space_to_depth", x, block), reference.call("space_to_depth", x, block),
               f"space_to_depth(x of shape {x.array.shape}, {block})")


@pytest.mark.points(2)
def test_depth_to_space_is_the_inverse(student, reference, rng):
    for block, dtype in ((2, np.float32), (3, np.int64)):
        x = _images(rng, 1, dtype, channels=block * block * int(rng.integers(1, 4)))
        _exact(student.call("depth_to_space", Tensor(x), block), reference.call("depth_to_space", Tensor(x), block),
               f"depth_to_space(x of shape {x.shape}, {block})")
        images = Tensor(_images(rng, block, dtype))
        back = student.call("depth_to_space", student.call("space_to_depth", images, block), block)
        _exact(back, images.array, f"depth_to_space(space_to_depth(x, {block}), {block}) (must give x back)")


@pytest.mark.points(2)
def test_patchify_and_unpatchify(student, reference, rng):
    for patch in (2, int(rng.integers(3, 5))):
        x = _images(rng, patch, np.float32)
        _, height, width, _ = x.shape
        patches = student.call("patchify", Tensor(x), patch)
        _exact(patches, reference.call("patchify", Tensor(x), patch),
               f"patchify(x of shape {x.shape}, {patch}) (row-major patches, each in (row, column, channel) order)")
        _exact(student.call("unpatchify", Tensor(np.asarray(patches)), patch, height, width), x,
               f"unpatchify(patchify(x, {patch}), {patch}, {height}, {width}) (must give x back)")


@pytest.mark.points(2)
def test_reshapes_work_with_unknown_dimensions(student, reference, rng):
    block = 2
    inputs = [_images(rng, block, np.float32, channels=4) for _ in range(3)]
    for name in ("space_to_depth", "depth_to_space", "patchify"):
        got = student.probe("traced_calls", name, [None, None, None, None], "float32", inputs, [block])
        want = reference.probe("traced_calls", name, [None, None, None, None], "float32", inputs, [block])
        for k, (g, w) in enumerate(zip(got["outputs"], want["outputs"], strict=True)):
            _exact(g, w, f"{name} inside a tf.function with input shape (None, None, None, None), call {k} "
                         "(take sizes from tf.shape(x), not x.shape)")
        assert got["traces"] == 1, f"{name} traced {got['traces']} times for 3 input shapes under one signature"


def test_space_to_depth_rejects_indivisible_sizes(student, rng):
    x = Tensor(rng.normal(size=(1, 5, 4, 2)).astype(np.float32))
    checks.assert_raises(student.call, "space_to_depth", x, 2, exc_type=("ValueError", "InvalidArgumentError"))
    y = Tensor(rng.normal(size=(1, 2, 2, 6)).astype(np.float32))
    checks.assert_raises(student.call, "depth_to_space", y, 2, exc_type=("ValueError", "InvalidArgumentError"))


@pytest.mark.points(2)
def test_reshapes_do_not_call_the_library_ops(student, reference, rng):
    x = Tensor(_images(rng, 2, np.float32, channels=4))
    shape = x.array.shape
    for fn, args in (("space_to_depth", (x, 2)), ("depth_to_space", (x, 2)), ("patchify", (x, 2)),
                     ("unpatchify", (Tensor(np.asarray(reference.call("patchify", x, 2))), 2, shape[1], shape[2]))):
        # A working answer first, so a blank stub cannot pass by calling nothing at all.
        _exact(student.call(fn, *args), reference.call(fn, *args), fn)
        checks.assert_no_forbidden_calls(student, fn, args, forbidden=FORBIDDEN,
                                         why="build it from tf.reshape and tf.transpose")
