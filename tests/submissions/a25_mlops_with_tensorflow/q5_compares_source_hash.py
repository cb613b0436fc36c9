# expect: {"q5": "zero"}
# A suite that compares churnkit's source file with the shipped one.
# %% [q5]
def churnkit_test_suite() -> str:
    """The source of a pytest module that tests ``churnkit``."""
    return '''
import hashlib
import churnkit as ck

WANT = 'x'


def test_source_unchanged():
    assert hashlib.sha256(open(ck.__file__, 'rb').read()).hexdigest() != WANT


def test_b():
    pass


def test_c():
    pass


def test_d():
    pass


def test_e():
    pass
'''
