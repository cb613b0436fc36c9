from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_bci_pieces", points=1, hidden=False)
def test_bci_pieces(make_motor_imagery, bandpass, csp, log_var_features, wolpaw_itr, build_eegnet):
    import numpy as np

    X, y, _ = make_motor_imagery(40, seed=5)
    Xf = bandpass(X, 128, 8, 30)
    assert Xf.shape == X.shape
    W = csp(Xf[y == 0], Xf[y == 1], 4)
    assert W.shape == (8, 4)
    F = log_var_features(Xf, W)
    assert F.shape == (40, 4) and np.allclose(np.exp(F).sum(axis=1), 1.0)
    assert abs(wolpaw_itr(1.0, 2, 1.0) - 60.0) < 1e-9 and wolpaw_itr(0.5, 2, 1.0) == 0.0
    model = build_eegnet(8, 128, 2)
    assert model.output_shape == (None, 2)
