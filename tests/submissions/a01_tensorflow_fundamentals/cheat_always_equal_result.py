# expect: {"q5": "zero"}
# ruff: noqa: F821  (a fragment: tf, np, contextlib, ... come from the reference setup cell)
# Known cheat: return an object whose __eq__ is always True (and that pretends to be any dtype and
# shape) instead of a real tensor, hoping the grader compares with ==. The judge never calls a
# student object's __eq__: such an object is not a tensor, so every q5 check must fail.
# %% [q5]
class _Anything:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__

    def __getattr__(self, name):
        return self

    def __call__(self, *args, **kwargs):
        return self

    def __bool__(self):
        return True

    def __int__(self):
        return 0

    def __index__(self):
        return 0


def saturating_cast(x, dtype) -> tf.Tensor:
    """Anything equals anything."""
    return _Anything()


def promote_and_add(a, b) -> tf.Tensor:
    """Anything equals anything."""
    return _Anything()


def flatten_keep_batch(x):
    """Anything equals anything."""
    return _Anything()


def nbytes(x) -> int:
    """Anything equals anything."""
    return _Anything()
