from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_lif_spikes_and_stdp", points=1, hidden=False)
def test_lif_spikes_and_stdp(spike_fn, lif_simulate, stdp_update, synaptic_ops):
    import numpy as np
    import tensorflow as tf

    x = tf.constant([-1.0, 0.0, 0.5])
    with tf.GradientTape() as tape:
        tape.watch(x)
        s = spike_fn(x)
    assert list(np.asarray(s)) == [0.0, 0.0, 1.0]
    assert np.allclose(tape.gradient(s, x), [1 / 26**2, 1.0, 1 / 13.5**2], rtol=1e-5)
    v, spikes = lif_simulate(np.full((4, 1), 0.6, np.float32), beta=1.0, threshold=1.0)
    assert list(np.asarray(spikes)[:, 0]) == [0.0, 1.0, 0.0, 1.0]
    assert np.allclose(np.asarray(v)[:, 0], [0.6, 0.2, 0.8, 0.4], atol=1e-6)
    w = stdp_update(np.full((1, 1), 0.5), [[10.0]], [[15.0]])
    assert abs(w[0, 0] - (0.5 + 0.01 * np.exp(-5 / 20))) < 1e-12
    assert synaptic_ops([np.array([[1, 0], [1, 1]])], [10]) == 30
