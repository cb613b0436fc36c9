# expect: {"q5": "zero"}
# A suite that fails everything 'catches' every fault but fails the correct package.
# %% [q5]
def churnkit_test_suite() -> str:
    """The source of a pytest module that tests ``churnkit``."""
    return '''
def test_a():
    assert False


def test_b():
    assert False


def test_c():
    assert False


def test_d():
    assert False


def test_e():
    assert False
'''
