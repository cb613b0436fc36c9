from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_int8_and_macs", points=1, hidden=False)
def test_int8_and_macs(ptq_int8, count_macs, distillation_loss, tiny_mlp):
    import numpy as np

    model = tiny_mlp((16, 32, 4))
    data = np.random.default_rng(0).normal(size=(20, 16)).astype(np.float32)
    assert isinstance(ptq_int8(model, data), bytes)
    macs = count_macs(model)
    assert macs["total"] == 16 * 32 + 32 * 4, macs
    logits = np.zeros((3, 4), np.float32)
    loss = float(distillation_loss(np.array([0, 1, 2]), logits, logits, 2.0, 1.0))
    assert abs(loss - np.log(4)) < 1e-5, loss
