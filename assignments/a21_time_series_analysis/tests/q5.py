from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_streaming_gru_first_steps", points=1, hidden=False)
def test_streaming_gru_first_steps(build_gru_model, StreamingGRU):
    import numpy as np

    model = build_gru_model(2, 4, 1)
    seq = np.random.default_rng(0).normal(size=(5, 2)).astype(np.float32)
    batch = np.asarray(model(seq[None]))[0]
    streamer = StreamingGRU(model)
    steps = np.stack([np.asarray(streamer.step(x)).reshape(-1) for x in seq])
    np.testing.assert_allclose(steps, batch, rtol=1e-5, atol=1e-5)
