from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_siamese_shares_and_pairs_balance", points=1, hidden=False)
def test_siamese_shares_and_pairs_balance(build_siamese, make_pairs):
    import numpy as np
    import tensorflow as tf

    emb = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(3)])
    model = build_siamese(emb)
    assert len({id(v) for v in model.trainable_weights}) == 4, "one embedding (2 weights) and the head (2)"
    a, b = np.random.rand(5, 4).astype(np.float32), np.random.rand(5, 4).astype(np.float32)
    np.testing.assert_allclose(model([a, b]).numpy(), model([b, a]).numpy(), atol=1e-6)
    x, y = np.arange(20, dtype=np.float32)[:, None], np.arange(20) % 4
    left, right, same = make_pairs(x, y, 10, 0)
    assert same.sum() == 5 and np.array_equal(same, (y[left[:, 0].astype(int)] == y[right[:, 0].astype(int)]))
