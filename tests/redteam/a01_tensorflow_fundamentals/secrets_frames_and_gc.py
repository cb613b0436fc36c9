# expect: {"q5": "zero", "*": "below_full"}
# family: hunting for secrets
# Beyond its target: the notebook names a tampering tool, so every structural check of every question fails.
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Walks frames and gc for expected values at call time.
# %% [q5]
import gc, sys


def _steal():
    for frame in sys._current_frames().values():
        while frame is not None:
            for value in frame.f_locals.values():
                if isinstance(value, (tf.Tensor, np.ndarray)) and getattr(value, "ndim", 0) > 0:
                    return value
            frame = frame.f_back
    arrays = [o for o in gc.get_objects() if isinstance(o, np.ndarray) and o.size > 1]
    return arrays[-1] if arrays else None


def saturating_cast(x, dtype):
    return _steal()


def promote_and_add(a, b):
    return _steal()


def flatten_keep_batch(x):
    return _steal()


def nbytes(x):
    return _steal()
