from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_fgsm_and_ibp", points=1, hidden=False)
def test_fgsm_and_ibp(fgsm, pgd, ibp_bounds):
    import numpy as np
    import tensorflow as tf

    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(3)])
    x = tf.random.uniform((4, 5))
    y = tf.constant([0, 1, 2, 0])
    adv = fgsm(model, x, y, 0.1)
    assert adv.shape == x.shape and np.max(np.abs(adv - x)) <= 0.1 + 1e-6
    adv = pgd(model, x, y, 0.1, 0.03, 5)
    assert np.max(np.abs(adv - x)) <= 0.1 + 1e-6 and float(tf.reduce_min(adv)) >= 0.0
    lo, hi = ibp_bounds(model.get_weights(), x, 0.05)
    out = model(x + 0.05 * tf.sign(tf.random.normal((4, 5)))).numpy()
    assert np.all(out >= np.asarray(lo) - 1e-5) and np.all(out <= np.asarray(hi) + 1e-5)
