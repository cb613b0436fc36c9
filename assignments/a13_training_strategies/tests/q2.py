from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_warmup_cosine_values", points=1, hidden=False)
def test_warmup_cosine_values(WarmupCosine, StepDecay, CyclicalLR, OneCycleLR):
    import numpy as np

    s = WarmupCosine(0.1, 10, 100)
    got = [float(s(k)) for k in (0, 5, 10, 60, 110)]
    np.testing.assert_allclose(got, [0.0, 0.05, 0.1, 0.05, 0.0], atol=1e-7)
    np.testing.assert_allclose([float(StepDecay(0.1, 0.5, 10)(k)) for k in (0, 9, 10, 25)],
                               [0.1, 0.1, 0.05, 0.025], rtol=1e-6)
    clr = CyclicalLR(1e-3, 6e-3, 4)
    np.testing.assert_allclose([float(clr(k)) for k in (0, 2, 4, 8)], [1e-3, 3.5e-3, 6e-3, 1e-3], rtol=1e-5)
    oc = OneCycleLR(0.1, 10)
    np.testing.assert_allclose([float(oc(0)), float(oc(3))], [0.004, 0.1], rtol=1e-5)
    assert StepDecay.from_config(StepDecay(0.1, 0.5, 10).get_config()) is not None
