from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_readout_and_repetition_code", points=1, hidden=False)
def test_readout_and_repetition_code(readout_confusion, mitigate_readout, majority_decode, sample_expectation):
    import cirq
    import numpy as np

    M = readout_confusion(0.1, 0.2, 1)
    assert np.allclose(M, [[0.9, 0.2], [0.1, 0.8]])
    assert readout_confusion(0.1, 0.2, 2).shape == (4, 4)
    p = mitigate_readout({"0": 90, "1": 10}, M)
    assert np.allclose(p, [1.0, 0.0], atol=1e-9)
    assert list(majority_decode(np.array([[0, 0, 1], [1, 1, 0], [0, 0, 0]]))) == [0, 1, 0]
    q = cirq.LineQubit.range(2)
    mean, se = sample_expectation(cirq.Circuit(cirq.X(q[0])), q, 100, seed=1)
    assert mean == -1.0 and se == 0.0
