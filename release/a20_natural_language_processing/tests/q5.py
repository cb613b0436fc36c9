from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_top_k_and_top_p_filters", points=1, hidden=False)
def test_top_k_and_top_p_filters(filter_logits, sequence_perplexity):
    import numpy as np

    logits = np.log(np.array([[0.5, 0.2, 0.2, 0.1]], np.float32))
    top_k = np.asarray(filter_logits(logits, 1.0, 2, None))
    assert np.isinf(top_k[0, 2:]).all(), "top_k=2 keeps the two largest (ties: lower index first)"
    np.testing.assert_allclose(np.exp(top_k[0, :2]), [0.5 / 0.7, 0.2 / 0.7], rtol=1e-5)
    top_p = np.asarray(filter_logits(logits, 1.0, None, 0.6))
    assert np.isfinite(top_p[0, :2]).all() and np.isinf(top_p[0, 2:]).all(), "0.5 < 0.6, so the 2nd token is kept"
    log_probs = np.log(np.full((1, 2, 4), 0.25))
    assert abs(sequence_perplexity(log_probs, np.array([[2, 0]])) - 4.0) < 1e-6
