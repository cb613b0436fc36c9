from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_vit", points=1, hidden=False)
def test_vit(patchify, ViT, tf, np):
    images = tf.reshape(tf.range(2 * 4 * 4, dtype=tf.float32), (2, 4, 4, 1))
    patches = patchify(images, 2)
    assert tuple(patches.shape) == (2, 4, 4)
    assert np.allclose(patches[0, 1], [2, 3, 6, 7])
    model = ViT(8, 4, 10, 16, 2, 1, 32)
    logits = model(tf.zeros((3, 8, 8, 1)))
    assert tuple(logits.shape) == (3, 10)
    assert tuple(model.embed(tf.zeros((3, 8, 8, 1))).shape) == (3, 5, 16)
