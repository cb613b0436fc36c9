from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_rotation_and_mask", points=1, hidden=False)
def test_rotation_and_mask(rotation_pretext, patch_mask, masked_reconstruction_loss):
    import numpy as np

    img = np.arange(2 * 4 * 4, dtype=np.float32).reshape(2, 4, 4, 1)
    rotated, labels = rotation_pretext(img)
    assert rotated.shape == (8, 4, 4, 1)
    np.testing.assert_array_equal(np.asarray(rotated)[2], np.rot90(img[0], 1, axes=(0, 1)))
    np.testing.assert_array_equal(np.asarray(labels), [0, 0, 1, 1, 2, 2, 3, 3])
    mask = np.asarray(patch_mask(3, (8, 8), 2, 0.5, (1, 2)))
    assert mask.shape == (3, 8, 8, 1) and np.all(mask.sum(axis=(1, 2, 3)) == 8 * 4)
    x = np.zeros((3, 8, 8, 1), np.float32)
    assert float(masked_reconstruction_loss(x, x + (1 - mask) * 5.0, mask)) == 0.0
