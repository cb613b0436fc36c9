# expect: {"q5": "partial"}
# Tests for windows, softmax, the threshold and the split only: some faults slip through.
# %% [q5]
def churnkit_test_suite() -> str:
    """The source of a pytest module that tests ``churnkit``."""
    return '''

import math

import numpy as np
import pytest

import churnkit as ck


# unit tests
def test_sliding_windows_count_and_content():
    x = np.arange(10)
    w = ck.sliding_windows(x, 4)
    assert w.shape == (7, 4)
    assert w[0].tolist() == [0, 1, 2, 3] and w[-1].tolist() == [6, 7, 8, 9]
    w2 = ck.sliding_windows(x, 4, stride=3)
    assert [r[0] for r in w2] == [0, 3, 6]
    assert ck.sliding_windows(np.arange(3), 4).shape == (0, 4)
    with pytest.raises(ValueError):
        ck.sliding_windows(x, 0)


def test_windows_with_targets_use_the_next_value():
    x = np.arange(8) * 10
    y = np.arange(8)
    w, t = ck.windows_with_targets(x, y, 3)
    assert w.shape == (5, 3)
    assert t.tolist() == [3, 4, 5, 6, 7]
    assert w[1].tolist() == [10, 20, 30]


def test_softmax_rows_sum_to_one_and_stable():
    logits = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0], [0.0, 0.0, 50.0]])
    p = ck.softmax(logits)
    assert np.allclose(p.sum(axis=-1), 1.0)
    assert np.allclose(p[1], 1 / 3)
    assert p[0].argmax() == 2 and p[2, 2] > 0.99


def test_predict_label_threshold():
    probs = np.array([0.1, 0.5, 0.49, 0.9])
    assert ck.predict_label(probs).tolist() == [0, 1, 0, 1]
    assert ck.predict_label(probs, threshold=0.95).tolist() == [0, 0, 0, 0]


def test_split_is_reproducible_and_disjoint():
    a_train, a_test = ck.split_indices(100, 0.2, seed=7)
    b_train, b_test = ck.split_indices(100, 0.2, seed=7)
    assert a_test.tolist() == b_test.tolist() and len(a_test) == 20
    assert sorted(a_train.tolist() + a_test.tolist()) == list(range(100))
    c_train, c_test = ck.split_indices(100, 0.2, seed=8)
    assert c_test.tolist() != a_test.tolist()
'''
