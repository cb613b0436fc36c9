# expect: {"q5": "zero"}
# A suite of smoke tests (functions exist and return something) catches no fault.
# %% [q5]
def churnkit_test_suite() -> str:
    """The source of a pytest module that tests ``churnkit``."""
    return '''
import numpy as np
import churnkit as ck


def test_exists():
    assert callable(ck.softmax)


def test_windows_run():
    assert ck.sliding_windows(np.arange(5), 2) is not None


def test_scaler_runs():
    ck.StandardScaler().fit(np.ones((3, 2)))


def test_one_hot_runs():
    assert ck.one_hot(['a'], ['a']).shape == (1, 1)


def test_split_runs():
    assert len(ck.split_indices(10)) == 2
'''
