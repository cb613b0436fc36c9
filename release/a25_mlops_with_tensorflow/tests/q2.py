from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_trigger_and_buffer", points=1, hidden=False)
def test_trigger_and_buffer(RetrainTrigger, ReplayBuffer, drift_score):
    import numpy as np

    t = [0.0]
    trig = RetrainTrigger(every_s=10, min_new_samples=100, drift_threshold=0.3, clock=lambda: t[0])
    assert trig.update(40, 0.1) == (False, "")
    assert trig.update(60, 0.1) == (True, "volume")
    t[0] = 11.0
    assert trig.update(1, 0.1) == (True, "schedule")
    assert trig.update(1, 0.5) == (True, "drift")
    rng = np.random.default_rng(0)
    a = rng.normal(size=(200, 2))
    assert drift_score(a, a) == 0.0 and drift_score(a, a + 3.0) > 0.9
    buf = ReplayBuffer(10, seed=0)
    buf.add(np.arange(100, dtype=np.float32)[:, None], np.zeros(100))
    x, y = buf.arrays()
    assert len(buf) == 10 and x.shape == (10, 1) and len(set(x[:, 0].tolist())) == 10
    assert x.max() >= 10, "reservoir sampling keeps examples from the whole stream"
